import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { gunzipInWorker, InflateError } from './gunzip-worker.js';
import { lstat, open, readdir, readlink, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { extract as tarExtract, type Extract } from 'tar-stream';
import { InputError } from '../errors.js';
import type { BundleEntry, BundleFile, BundleFormat, BundleLimits, BundleReadSummary } from './types.js';

/**
 * Gunzip output may exceed the files' total by tar headers, padding and skipped entries' bodies.
 * Past this allowance above maxTotalBytes the stream is treated as a gzip bomb (e.g. zero blocks,
 * which tar-stream consumes silently as end-of-archive markers).
 */
export const GZIP_OVERHEAD_BYTES = 64 * 1024 ** 2;

type Entry = Extract extends AsyncIterable<infer E> ? E : never;
type OnFile = (file: BundleFile) => void | Promise<void>;
type OnEntry = (entry: BundleEntry) => void | Promise<void>;

/** How far the reading is: bytes of the file consumed (archives), or bytes of the files read so far (folders), and the path being read. */
export type OnProgress = (done: number, total: number | undefined, path?: string) => void;

interface Context {
  limits: BundleLimits;
  onEntry: OnEntry;
  onProgress?: OnProgress;
  entries: number;
  summary: BundleReadSummary;
  /** Paths handed on, so a symlink can be checked against what its target was. */
  read: Set<string>;
}

const TAR_SKIP_REASONS: Record<string, string> = {
  link: 'hardlink',
  'character-device': 'character device',
  'block-device': 'block device',
  fifo: 'fifo',
};

/** Binary units; exact multiples print without a decimal so limits read as the user typed them. */
export function formatBytes(n: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  if (n < 1024) return `${n} B`;
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`;
}

/** Hands each regular file over whole, as one Buffer. */
export async function readBundle(inputPath: string, limits: BundleLimits, onFile: OnFile): Promise<BundleReadSummary> {
  return readBundleEntries(inputPath, limits, async (entry) => onFile({ path: entry.path, data: await collect(entry) }));
}

/** Reads an entry's remaining bytes into one Buffer. */
export async function collect(entry: BundleEntry): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of entry.chunks) chunks.push(chunk);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/**
 * Hands each regular file over as a stream of chunks, so a consumer can parse a large log without
 * holding it; whatever the consumer leaves unread is drained (and counted) after it returns.
 */
export async function readBundleEntries(inputPath: string, limits: BundleLimits, onEntry: OnEntry, onProgress?: OnProgress): Promise<BundleReadSummary> {
  const st = await stat(inputPath).catch((err: NodeJS.ErrnoException) => {
    throw err.code === 'ENOENT'
      ? new InputError(`no such file or directory: ${inputPath}`, { cause: err })
      : unreadable(inputPath, err);
  });
  const ctx: Context = { limits, onEntry, ...(onProgress ? { onProgress } : {}), entries: 0, summary: { format: 'directory', files: 0, totalBytes: 0, skipped: [], aliases: [] }, read: new Set() };
  if (st.isDirectory()) {
    await walkDirectory(inputPath, '', ctx);
    return settleAliases(ctx);
  }
  if (st.isFile() && st.size === 0) throw new InputError(`${inputPath} is empty`);
  const format = st.isFile() ? await sniffFormat(inputPath) : undefined;
  if (!format) throw new InputError(`${inputPath} is not a .tgz, .tar.gz, .tar or a directory`);
  ctx.summary.format = format;
  await readArchive(inputPath, format === 'tar.gz', ctx, st.size);
  return settleAliases(ctx);
}

/**
 * A symlink that stays inside the bundle is an alias of a file read once, under its own name
 * (troubleshoot links each custom resource `.yaml` to its `.json`, each named log to the pod log).
 * One whose target leaves the bundle, or is not in it, is skipped, with the reason.
 */
function addLink(path: string, linkname: string, ctx: Context): void {
  const target = linkname.startsWith('/') || /^[A-Za-z]:/.test(linkname) ? undefined : posix.normalize(posix.join(posix.dirname(path), linkname.replace(/\\/g, '/')));
  if (!target || target === '..' || target.startsWith('../')) {
    ctx.summary.skipped.push({ path, reason: `symlink to ${linkname}, outside the bundle (not followed)` });
    return;
  }
  ctx.summary.aliases.push({ path, target });
}

function settleAliases(ctx: Context): BundleReadSummary {
  const kept = ctx.summary.aliases.filter((a) => ctx.read.has(a.target));
  for (const a of ctx.summary.aliases) {
    if (!ctx.read.has(a.target)) ctx.summary.skipped.push({ path: a.path, reason: `symlink to ${a.target}, which the bundle does not hold as a file (not followed)` });
  }
  ctx.summary.aliases = kept;
  return ctx.summary;
}

/** Extensions lie (a `.tgz` saved already gunzipped by a browser), so look at the bytes. */
export async function sniffFormat(path: string): Promise<BundleFormat | undefined> {
  const head = Buffer.alloc(512);
  const fh = await open(path, 'r').catch((err: Error) => { throw unreadable(path, err); });
  let n: number;
  try {
    ({ bytesRead: n } = await fh.read(head, 0, 512, 0));
  } catch (err) {
    throw unreadable(path, err as Error);
  } finally {
    await fh.close();
  }
  if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'tar.gz';
  if (n < 512) return undefined;
  if (head.toString('latin1', 257, 262) === 'ustar') return 'tar';
  // v7 tar has no magic: accept it only if the header checksum (field read as spaces) matches.
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : head[i]!;
  const stored = parseInt(head.toString('latin1', 148, 156).replace(/[\0 ]+/g, ' ').trim(), 8);
  return stored === sum ? 'tar' : undefined;
}

async function readArchive(path: string, gzip: boolean, ctx: Context, size: number): Promise<void> {
  // v7 headers carry no magic; the checksum still guards them. (The bundled types omit this option.)
  const extract = tarExtract({ allowUnknownFormat: true } as Parameters<typeof tarExtract>[0]);
  // The first failure wins: once one stage fails, the others fail too with less telling errors.
  let failure: Error | undefined;
  let input: Readable;
  const abort = (err: Error): void => {
    failure ??= err;
    input.destroy();
    extract.destroy(failure);
  };
  if (gzip) {
    // Read and gunzip on another thread, while this one parses.
    input = gunzipInWorker(path, ctx.onProgress && ((consumed) => ctx.onProgress!(consumed, size)));
    const cap = ctx.limits.maxTotalBytes + GZIP_OVERHEAD_BYTES;
    let inflated = 0;
    input.on('error', (err: Error) => {
      if (err instanceof InflateError && err.stage === 'read') abort(unreadable(path, err));
      else abort(new InputError(`${path}: the gzip stream is truncated or corrupt (${err.message})`, { cause: err }));
    });
    input.on('data', (chunk: Buffer) => {
      inflated += chunk.length;
      if (inflated > cap) {
        abort(new InputError(
          `bundle decompresses to more than ${formatBytes(cap)}, over the total-size limit of ` +
            `${formatBytes(ctx.limits.maxTotalBytes)} plus ${formatBytes(GZIP_OVERHEAD_BYTES)} of tar overhead ` +
            `(raise the limit with --max-total-size)`,
        ));
      }
    });
  } else {
    const source = createReadStream(path);
    if (ctx.onProgress) {
      let consumed = 0;
      source.on('data', (chunk) => ctx.onProgress!((consumed += chunk.length), size));
    }
    source.on('error', (err) => abort(unreadable(path, err)));
    input = source;
  }
  input.pipe(extract);

  let inConsumer = false;
  try {
    for await (const entry of extract) {
      const path = admitEntry(entry, ctx);
      if (path === undefined) continue;
      inConsumer = true;
      await deliver(path, entry.header.size ?? 0, entry as AsyncIterable<Buffer>, ctx);
      inConsumer = false;
    }
  } catch (err) {
    if (inConsumer && !(err instanceof SourceError)) throw err;
    if (failure) throw failure;
    if (err instanceof InputError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new InputError(`${path}: the tar archive is truncated or corrupt (${message})`, { cause: err });
  } finally {
    input.destroy();
    extract.destroy();
  }
}

/** The normalized path of a regular file to hand on, or undefined once any other entry has been drained. */
function admitEntry(entry: Entry, ctx: Context): string | undefined {
  const { name, type, size = 0 } = entry.header;
  countEntry(ctx);
  if (type === 'symlink') {
    entry.resume();
    const normalized = normalizeTarPath(name);
    if (typeof normalized === 'object') ctx.summary.skipped.push({ path: name.replace(/\\/g, '/'), reason: `symlink: ${normalized.reason}` });
    else addLink(normalized, entry.header.linkname ?? '', ctx);
    return undefined;
  }
  const isFile = type === 'file' || type === 'contiguous-file';
  const normalized = normalizeTarPath(name);
  const reason = type === 'directory' ? null
    : !isFile ? (TAR_SKIP_REASONS[type ?? ''] ?? `unsupported entry type (${type ?? 'unknown'})`)
    : typeof normalized === 'object' ? normalized.reason
    : undefined;
  if (reason !== undefined) {
    // Draining keeps tar-stream moving; an unread entry would stall the whole extract.
    entry.resume();
    if (reason !== null) ctx.summary.skipped.push({ path: name.replace(/\\/g, '/'), reason });
    return undefined;
  }
  checkSize(normalized as string, size, ctx);
  return normalized as string;
}

/** A failure of the archive or file being read, as opposed to one of the consumer's own. */
class SourceError extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/**
 * Gives the consumer the entry's chunks, counting bytes as they pass (a lying header size cannot
 * slip past the limits), then drains what it did not read.
 */
async function deliver(path: string, size: number, source: AsyncIterable<Buffer>, ctx: Context): Promise<void> {
  let read = 0;
  const iterator = source[Symbol.asyncIterator]();
  const next = async () => {
    try {
      return await iterator.next();
    } catch (err) {
      throw new SourceError(err);
    }
  };
  const counted = async function* () {
    for (let r = await next(); !r.done; r = await next()) {
      read += r.value.length;
      checkSize(path, read, ctx);
      yield r.value;
    }
  };
  const chunks = counted();
  // Folders have no byte total to measure against: their progress is the bytes read so far, file by file.
  if (ctx.summary.format === 'directory') ctx.onProgress?.(ctx.summary.totalBytes, undefined, path);
  await ctx.onEntry({ path, size, chunks });
  for await (const _ of chunks) {
    // drain
  }
  ctx.summary.files++;
  ctx.summary.totalBytes += read;
  ctx.read.add(path);
}

function normalizeTarPath(raw: string): string | { reason: string } {
  const p = raw.replace(/\\/g, '/');
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p)) return { reason: 'absolute path' };
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  if (parts.includes('..')) return { reason: 'path escapes the bundle (..)' };
  if (parts.length === 0) return { reason: 'empty path' };
  return parts.join('/');
}

async function walkDirectory(root: string, rel: string, ctx: Context): Promise<void> {
  const dir = join(root, rel);
  const names = (await readdir(dir).catch((err: Error) => { throw unreadable(dir, err); })).sort();
  for (const name of names) {
    const relPath = rel ? `${rel}/${name}` : name;
    const full = join(root, relPath);
    const st = await lstat(full).catch((err: Error) => { throw unreadable(full, err); });
    countEntry(ctx);
    if (st.isDirectory()) {
      await walkDirectory(root, relPath, ctx);
    } else if (st.isFile()) {
      checkSize(relPath, st.size, ctx);
      const stream = createReadStream(full);
      stream.on('error', () => {}); // surfaced by the iteration below
      try {
        await deliver(relPath, st.size, stream as AsyncIterable<Buffer>, ctx);
      } catch (err) {
        if (err instanceof SourceError) throw unreadable(full, err.cause as Error);
        throw err;
      } finally {
        stream.destroy();
      }
    } else if (st.isSymbolicLink()) {
      addLink(relPath, await readlink(full).catch(() => '/'), ctx);
    } else {
      const reason = st.isCharacterDevice() ? 'character device'
        : st.isBlockDevice() ? 'block device'
        : st.isFIFO() ? 'fifo'
        : st.isSocket() ? 'socket'
        : 'unsupported entry type';
      ctx.summary.skipped.push({ path: relPath, reason });
    }
  }
}

function countEntry(ctx: Context): void {
  if (++ctx.entries > ctx.limits.maxEntries) {
    throw new InputError(`bundle holds more than ${ctx.limits.maxEntries} entries (raise the limit with --max-entries)`);
  }
}

/** Checked on the declared size, before a single byte of the entry is buffered. */
function checkSize(path: string, size: number, ctx: Context): void {
  const { maxFileBytes, maxTotalBytes } = ctx.limits;
  if (size > maxFileBytes) {
    throw new InputError(
      `bundle entry '${path}' is ${formatBytes(size)}, over the per-file limit of ${formatBytes(maxFileBytes)} ` +
        `(raise it with --max-file-size)`,
    );
  }
  if (ctx.summary.totalBytes + size > maxTotalBytes) {
    throw new InputError(
      `bundle uncompressed size exceeds ${formatBytes(maxTotalBytes)} at entry '${path}' ` +
        `(raise the limit with --max-total-size)`,
    );
  }
}

function unreadable(path: string, err: Error): InputError {
  return new InputError(`cannot read ${path} (${err.message})`, { cause: err });
}
