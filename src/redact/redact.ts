/**
 * `waypoint-analyze redact`: two passes over the bundle. The first finds its names (collect.ts) and
 * gives each a pseudonym; the second rewrites every file and every path with them (rewrite.ts,
 * tables.ts) and streams a .tgz. The output and the map are written beside their targets and renamed
 * into place only when both are whole, so a failure leaves neither half-written.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';
import { collect, readBundleEntries } from '../bundle/read.js';
import type { BundleLimits, BundleReadSummary } from '../bundle/types.js';
import { InputError } from '../errors.js';
import { headLines } from '../parse/index.js';
import { kubeListForm } from '../parse/kube-stream.js';
import { decodeText, guessUtf16 } from '../text/decode.js';
import { NameCollector } from './collect.js';
import { AddressMapper } from './ip.js';
import { NAME_KINDS, RedactionMap, writeAtomically, type NameKind } from './map.js';
import { Rewriter } from './rewrite.js';
import { realignTables } from './tables.js';
import { KeepList } from './vocabulary.js';

export interface RedactOptions {
  limits: BundleLimits;
  /** Extra names kept as they are (`--keep`). */
  keep?: readonly string[];
}

export interface RedactSummary {
  files: number;
  names: number;
  addresses: number;
  keyId: string;
  /** Whether the map existed and was extended. */
  extended: boolean;
}

const FIXED_MTIME = new Date('2000-01-01T00:00:00Z');

export async function redactBundle(input: string, output: string, mapPath: string, options: RedactOptions): Promise<RedactSummary> {
  const existing = await exists(mapPath);
  const map = existing ? RedactionMap.load(mapPath) : RedactionMap.fresh();
  const keep = new KeepList(options.keep ?? []);
  const rank = (kind: NameKind) => NAME_KINDS.indexOf(kind);
  const collector = new NameCollector(keep, rank);

  const summary = await readBundleEntries(input, options.limits, async (entry) => {
    const data = await collect(entry);
    collector.file(entry.path, isBinary(data) ? '' : decodeText(data));
  });
  const topFolder = summary.format === 'directory' ? basename(resolve(input)).replace(/\.(?:tgz|tar\.gz|tar)$/, '') : undefined;
  if (topFolder) collector.file(`${topFolder}/`, '');
  assignPseudonyms(collector.names, map, keep);

  const rewriter = new Rewriter(map, new AddressMapper(map.key), { isKept: (w) => keep.has(w) });
  const outPath = resolve(output);
  const temp = join(dirname(outPath), `.${basename(outPath)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let files = 0;
  try {
    const archive = pack();
    const flow = new Flow();
    const written = pipeline(archive, flow, createGzip({ level: 6 }), createWriteStream(temp, { flags: 'wx', mode: 0o644 }));
    // An unwritable folder fails the write stream at once: surface that before reading the bundle again.
    written.catch(() => archive.destroy());
    const rewritePath = (path: string) => (topFolder ? `${rewriter.text(topFolder)}/` : '') + path.split('/').map((segment) => rewriter.text(segment)).join('/');
    await readBundleEntries(input, options.limits, async (entry) => {
      const data = await collect(entry);
      const out = rewriteFile(entry.path, data, rewriter, map);
      await addEntry(archive, rewritePath(entry.path), out);
      flow.produced += out.length;
      // tar-stream takes an entry at once, whatever gzip has consumed: wait, or a big bundle sits in memory.
      await flow.caughtUp();
      files++;
    });
    for (const alias of (summary as BundleReadSummary).aliases) archive.entry({ name: rewritePath(alias.path), type: 'symlink', linkname: relativeLink(rewritePath(alias.path), rewritePath(alias.target)), mtime: FIXED_MTIME });
    archive.finalize();
    await written;
    map.save(mapPath); // whole or not at all; the bundle only takes its place once the map is safe
    await rename(temp, outPath);
  } catch (err) {
    await rm(temp, { force: true });
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`cannot write ${outPath} (${code ?? (err as Error).message})`, { cause: err });
  }
  return { files, names: map.forward.size, addresses: map.addresses.size, keyId: map.keyId, extended: existing };
}

/**
 * Pseudonyms in a fixed order (kind, then name) so one bundle and one key always give the same map.
 * A name that starts with another name (`reviews-v2` after `reviews`) is not given its own: it is
 * written as its parts, so `reviews-v2-pod-waypoint` still reads as a waypoint of `reviews`.
 */
function assignPseudonyms(names: ReadonlyMap<string, NameKind>, map: RedactionMap, keep: KeepList): void {
  const taken = new Set(names.keys());
  const ordered = [...names].sort(([a, ka], [b, kb]) => a.length - b.length || NAME_KINDS.indexOf(ka) - NAME_KINDS.indexOf(kb) || (a < b ? -1 : 1));
  const isName = (s: string) => names.has(s) || map.forward.has(s);
  for (const [name, kind] of ordered) {
    if (map.forward.has(name)) continue;
    const segments = name.split('-');
    const prefix = kind === 'hash' ? 0 : segments.findIndex((_, i) => i > 0 && isName(segments.slice(0, i).join('-')));
    if (prefix > 0) {
      for (const part of segments.slice(prefix)) if (!keep.has(part) && !isName(part)) map.assign(part, kind, taken);
      continue;
    }
    map.assign(name, kind, taken);
  }
}

/** Text files are rewritten (tables realigned); binary ones only have known names overwritten in place. */
const LARGE_TEXT = 8 * 1024 * 1024;

function rewriteLines(text: string, rewriter: Rewriter): Buffer {
  const out: Buffer[] = [];
  let batch: string[] = [];
  let at = 0;
  while (at <= text.length) {
    const end = text.indexOf('\n', at);
    batch.push(rewriter.text(text.slice(at, end === -1 ? text.length : end)));
    if (batch.length === 65_536 || end === -1) {
      out.push(Buffer.from(batch.join('\n') + (end === -1 ? '' : '\n'), 'utf8'));
      batch = [];
    }
    if (end === -1) break;
    at = end + 1;
  }
  return Buffer.concat(out);
}

function rewriteFile(path: string, data: Buffer, rewriter: Rewriter, map: RedactionMap): Buffer {
  if (isBinary(data)) return rewriter.binary(data);
  const text = decodeText(data);
  // kubectl's Lists (the largest files, no tables in them): line by line into buffers, never 2 million strings at once.
  if (text.length > LARGE_TEXT && kubeListForm(headLines(text, 8))) return rewriteLines(text, rewriter);
  const lines = text.split('\n');
  const structured = /^\s*[[{]/.test(text);
  const realigned = structured ? new Set<number>() : realignTables(lines, (cell) => rewriter.text(cell));
  for (let i = 0; i < lines.length; i++) if (!realigned.has(i)) lines[i] = rewriter.text(lines[i]!);
  let out = lines.join('\n');
  if (/(?:^|\/)manifest\.json$/.test(path)) out = markManifest(out, map);
  return Buffer.from(out, 'utf8');
}

/** The manifest says the bundle was pseudonymized, and with which key (not the key itself). */
function markManifest(text: string, map: RedactionMap): string {
  try {
    const manifest = JSON.parse(text) as Record<string, unknown>;
    if (!manifest || typeof manifest !== 'object' || !('collector' in manifest) || 'pseudonymized' in manifest) return text;
  } catch {
    return text;
  }
  const note = JSON.stringify({ tool: 'waypoint-analyze redact', keyId: map.keyId });
  // Appended as the last field, so every line before it keeps its number.
  return text.replace(/\s*\}\s*$/, `,\n  "pseudonymized": ${note}\n}\n`);
}

function isBinary(data: Buffer): boolean {
  const head = data.subarray(0, 8000);
  return head.includes(0) && !guessUtf16(data) && !(data[0] === 0xff && data[1] === 0xfe) && !(data[0] === 0xfe && data[1] === 0xff);
}

/** Counts what reached gzip, so the writer can wait for it to catch up (at most 16 MiB ahead). */
class Flow extends Transform {
  produced = 0;
  private consumed = 0;
  private waiting: (() => void) | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.consumed += chunk.length;
    if (this.waiting && this.produced - this.consumed <= FLOW_AHEAD) {
      this.waiting();
      this.waiting = undefined;
    }
    done(null, chunk);
  }

  caughtUp(): Promise<void> {
    if (this.produced - this.consumed <= FLOW_AHEAD) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.once('error', reject);
    });
  }
}

const FLOW_AHEAD = 16 * 1024 * 1024;

function addEntry(archive: ReturnType<typeof pack>, name: string, data: Buffer): Promise<void> {
  return new Promise((done, fail) => {
    archive.entry({ name, mode: 0o644, mtime: FIXED_MTIME, uid: 0, gid: 0, uname: 'root', gname: 'root', size: data.length }, data, (err) => (err ? fail(err) : done()));
  });
}

function relativeLink(from: string, to: string): string {
  const up = from.split('/').slice(0, -1).map(() => '..');
  return [...up, to].join('/');
}

async function exists(path: string): Promise<boolean> {
  try {
    const { stat } = await import('node:fs/promises');
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export { writeAtomically };
