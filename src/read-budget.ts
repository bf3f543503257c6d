/**
 * What keeps a big bundle within memory while it is read: ztunnel's cluster-wide tables, which a bundle
 * can hold once per ztunnel (182 copies of 20,000 rows), are kept once per distinct row; and a guard
 * that stops with one clear line, before the process would die, when the heap nears its limit.
 */
import { getHeapStatistics } from 'node:v8';
import { formatBytes } from './bundle/read.js';
import { InputError } from './errors.js';
import type { ParsedFile } from './parse/index.js';
import type { ZtunnelService, ZtunnelWorkload } from './parse/types.js';

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

/** The share of V8's heap limit past which reading stops: room is left for the rules and the report. */
const HEAP_SHARE = 0.8;

export class MemoryGuard {
  private readonly limit: number;

  constructor(limit = getHeapStatistics().heap_size_limit * HEAP_SHARE, private readonly used = () => process.memoryUsage().heapUsed) {
    this.limit = limit;
  }

  /** Throws an InputError (exit 2, one line) when the heap is past the limit after reading `path`. */
  check(path: string, files: number): void {
    const used = this.used();
    if (used <= this.limit) return;
    throw new InputError(
      `the bundle needs more memory than this process has: ${formatBytes(used)} of the heap after ${files} files (at ${path}), ` +
        `past ${formatBytes(this.limit)}; run with NODE_OPTIONS=--max-old-space-size=<MiB> or analyze a smaller bundle (waypoint-collect --namespace)`,
    );
  }
}
