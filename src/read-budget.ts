/**
 * What keeps a big bundle within memory while it is read: ztunnel's cluster-wide tables, which a bundle
 * can hold once per ztunnel (182 copies of 20,000 rows), are kept once per distinct row; and a guard
 * that stops with one clear line, before the process would die, when the heap nears its limit.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { formatBytes } from './bundle/read.js';
import { InputError } from './errors.js';
import type { ParsedFile } from './parse/index.js';
import { MAX_EXAMPLES } from './parse/logs/stats.js';
import type { ZtunnelFlow, ZtunnelService, ZtunnelWorkload } from './parse/types.js';

/** Rows that say the same thing from another ztunnel add nothing: only the first of each is kept. */
export class ZtunnelRowDeduper {
  private readonly workloads = new Set<string>();
  private readonly services = new Set<string>();
  /** Rows dropped as copies, for the run's summary. */
  dropped = 0;

  apply(file: ParsedFile): void {
    const r = file.records;
    if (r.ztunnelWorkloads && r.ztunnelWorkloads.length > 0) r.ztunnelWorkloads = this.keep(r.ztunnelWorkloads, this.workloads, workloadKey);
    if (r.ztunnelServices && r.ztunnelServices.length > 0) r.ztunnelServices = this.keep(r.ztunnelServices, this.services, serviceKey);
  }

  private keep<T>(rows: T[], seen: Set<string>, key: (row: T) => string): T[] {
    const kept = rows.filter((row) => {
      const k = key(row);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    this.dropped += rows.length - kept.length;
    return kept;
  }
}

// Every column that can differ between ztunnels is in the key, so a ztunnel that disagrees keeps its row.
const workloadKey = (w: ZtunnelWorkload) => `${w.namespace}\0${w.name}\0${w.address}\0${w.node}\0${w.waypoint}\0${w.protocol}\0${w.waypointDestination ?? ''}`;
const serviceKey = (s: ZtunnelService) => `${s.namespace}\0${s.name}\0${s.vip}\0${s.waypoint}\0${s.endpoints ? `${s.endpoints.healthy}/${s.endpoints.total}` : ''}\0${s.waypointDestination ?? ''}`;

/**
 * ztunnel logs of a big mesh repeat the same flows (client -> service -> waypoint) on every node: 182 logs of 540
 * flows each held 690 KB apiece, mostly the same flows again. A healthy flow already seen in an earlier log is
 * folded into that one (its counts added, examples filled up to three), so flows are held once per distinct key.
 * Flows with failures stay in their own log: WP044 reads them beside that log's error texts.
 */
export class ZtunnelFlowMerger {
  private readonly first = new Map<string, ZtunnelFlow>();
  /** Flows folded into an earlier log's, for the run's summary. */
  folded = 0;

  apply(file: ParsedFile): void {
    for (const log of file.records.logs ?? []) {
      const flows = log.ztunnelStats?.flows;
      if (!flows) continue;
      for (const [key, flow] of Object.entries(flows)) {
        const earlier = this.first.get(key);
        if (!earlier) {
          if (flow.failed === 0) this.first.set(key, flow);
          continue;
        }
        if (flow.failed > 0 || earlier.failed > 0) continue;
        earlier.count += flow.count;
        for (const example of flow.examples) if (earlier.examples.length < MAX_EXAMPLES) earlier.examples.push(example);
        delete flows[key];
        this.folded++;
      }
    }
  }
}

/** The share of V8's heap limit past which reading stops: room is left for the rules and the report. */
const HEAP_SHARE = 0.7;
/** Past this share of the heap limit, no collection is forced (one that close can be fatal itself). */
const GC_CEILING = 0.8;
/** How much the heap must grow after a forced collection before another is forced. */
const REGROWTH_SHARE = 0.05;

export class MemoryGuard {
  private readonly limit: number;
  /** The heap's use after the last forced collection. */
  private collected: number | undefined;

  constructor(
    limit = getHeapStatistics().heap_size_limit * HEAP_SHARE,
    // V8's own count: process.memoryUsage() also reads the RSS from the kernel, a cost on every file.
    private readonly used = () => getHeapStatistics().used_heap_size,
    private readonly collect: () => void = fullGc,
  ) {
    this.limit = limit;
  }

  /**
   * Throws an InputError (exit 2, one line) when the heap is past the limit after reading `path`. The heap's
   * use counts garbage not yet collected: past the limit, a full collection decides, so a bundle that fits
   * is never refused for what V8 would have freed.
   */
  async check(path: string, files: number): Promise<void> {
    await this.ensure(0, () => `after ${files} files (at ${path})`);
  }

  /**
   * Before a large file is parsed: throws the same one line when what is held plus the file's parsing peak
   * would pass the limit, so the process stops cleanly instead of dying in the middle of the parse.
   */
  async reserve(path: string, bytes: number, files: number): Promise<void> {
    // Measured against the whole heap (the share kept for rules and report is not needed in the middle of a parse).
    await this.ensure(bytes * PARSE_PEAK_FACTOR, () => `to parse ${path} (${formatBytes(bytes)}) after ${files} files`, this.limit / HEAP_SHARE);
  }

  private async ensure(extra: number, where: () => string, limit = this.limit): Promise<void> {
    let used = this.used();
    if (used + extra <= limit) return;
    const heap = this.limit / HEAP_SHARE;
    // Full collections in a row that free little are fatal in V8 ("ineffective mark-compacts near heap limit"):
    // after one, the next is forced only once the heap has grown again; what grew since may be garbage too.
    const grown = this.collected === undefined ? Infinity : used - this.collected;
    if (grown < heap * REGROWTH_SHARE && used + extra <= heap * GC_CEILING) return;
    if (used <= heap * GC_CEILING) {
      // Collected from a fresh turn of the event loop: within the turn that parsed a file, V8 still holds its text.
      await new Promise((resolve) => setImmediate(resolve));
      this.collect();
      used = this.used();
      this.collected = used;
    }
    if (used + extra <= limit) return;
    const need = extra > 0 ? `${formatBytes(used)} of the heap and about ${formatBytes(extra)} more ${where()}` : `${formatBytes(used)} of the heap ${where()}`;
    throw new InputError(
      `the bundle needs more memory than this process has: ${need}, past ${formatBytes(limit)}; ` +
        'run with NODE_OPTIONS=--max-old-space-size=<MiB> or analyze a smaller bundle (waypoint-collect --namespace)',
    );
  }
}

/**
 * What parsing a file of `bytes` can need at its peak, beyond what is already held: its decoded text (two bytes a
 * character when it is not Latin-1), the line index, and the objects made before they are reduced.
 */
export const PARSE_PEAK_FACTOR = 2;

/**
 * V8 keeps the subject of the last successful regular-expression match (RegExp.input, `$_`) alive: after a
 * 200 MB capture was parsed, its whole text stays in the heap until another match. An empty match on an
 * empty string lets it go.
 */
export function releaseLastMatch(): void {
  /(?:)/.exec('');
}

let gc: (() => void) | undefined;
/** A full garbage collection: V8's `gc`, exposed once for this purpose (the flag only adds the function). */
function fullGc(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  releaseLastMatch();
  gc();
}
