import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { gzipSync } from 'node:zlib';
import { pack, type Header } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatBytes, GZIP_OVERHEAD_BYTES, readBundle } from '../../src/bundle/read.js';
import { DEFAULT_LIMITS, type BundleFile, type BundleLimits } from '../../src/bundle/types.js';
import { InputError } from '../../src/errors.js';

type Spec = Partial<Header> & { name: string; content?: string | Buffer };

async function makeTar(entries: Spec[]): Promise<Buffer> {
  const p = pack();
  const out = buffer(p);
  for (const { content, ...header } of entries) {
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (content === undefined) p.entry(header, cb);
      else p.entry(header, content, cb);
    });
  }
  p.finalize();
  return out;
}

const GOOD: Spec[] = [
  { name: 'bundle-x/', type: 'directory' },
  { name: './bundle-x/version.txt', content: 'istioctl 1.24.0\n' },
  { name: 'bundle-x//proxies/./config.json', content: '{"a":1}' },
];

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wpa-read-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function put(name: string, data: Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, data);
  return path;
}

async function collect(path: string, limits: BundleLimits = DEFAULT_LIMITS) {
  const files: Record<string, string> = {};
  const summary = await readBundle(path, limits, (f: BundleFile) => {
    files[f.path] = f.data.toString('utf8');
  });
  return { files, summary };
}

async function rejection(promise: Promise<unknown>): Promise<InputError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  return err as InputError;
}

const EXPECTED = { 'bundle-x/version.txt': 'istioctl 1.24.0\n', 'bundle-x/proxies/config.json': '{"a":1}' };

describe('readBundle formats', () => {
  it('reads a .tgz', async () => {
    const path = await put('b.tgz', gzipSync(await makeTar(GOOD)));
    const { files, summary } = await collect(path);
    expect(files).toEqual(EXPECTED);
    expect(summary).toEqual({ format: 'tar.gz', files: 2, totalBytes: 23, skipped: [], aliases: [] });
  });

  it('reads a plain .tar', async () => {
    const path = await put('b.tar', await makeTar(GOOD));
    const { files, summary } = await collect(path);
    expect(files).toEqual(EXPECTED);
    expect(summary.format).toBe('tar');
  });

  it('decides by content, not by extension', async () => {
    const path = await put('really-gzip.tar', gzipSync(await makeTar(GOOD)));
    const { files, summary } = await collect(path);
    expect(summary.format).toBe('tar.gz');
    expect(Object.keys(files)).toHaveLength(2);
  });

  it('accepts a v7 tar (no ustar magic) whose checksum validates', async () => {
    const tar = await makeTar([{ name: 'a.txt', content: 'hi' }]);
    tar.fill(0, 257, 265);
    tar.fill(0x20, 148, 156);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += tar[i]!;
    tar.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
    const { files, summary } = await collect(await put('v7.tar', tar));
    expect(summary.format).toBe('tar');
    expect(files).toEqual({ 'a.txt': 'hi' });
  });

  it('reads a directory recursively in sorted order, relative forward-slash paths', async () => {
    const root = join(dir, 'in');
    await mkdir(join(root, 'bundle-x', 'proxies'), { recursive: true });
    await writeFile(join(root, 'bundle-x', 'version.txt'), 'istioctl 1.24.0\n');
    await writeFile(join(root, 'bundle-x', 'proxies', 'config.json'), '{"a":1}');
    await writeFile(join(root, 'bundle-x', 'a.txt'), 'A');
    const order: string[] = [];
    const summary = await readBundle(root, DEFAULT_LIMITS, (f) => {
      order.push(f.path);
    });
    expect(order).toEqual(['bundle-x/a.txt', 'bundle-x/proxies/config.json', 'bundle-x/version.txt']);
    expect(summary).toEqual({ format: 'directory', files: 3, totalBytes: 24, skipped: [], aliases: [] });
  });

  it('never follows a symlink out of a directory input; one to a file inside is an alias, read once', async () => {
    const root = join(dir, 'in');
    await mkdir(join(root, 'b'), { recursive: true });
    await writeFile(join(root, 'b', 'real.txt'), 'real');
    await writeFile(join(dir, 'secret.txt'), 'secret');
    await symlink(join(dir, 'secret.txt'), join(root, 'b', 'link.txt'));
    await symlink(dir, join(root, 'b', 'linkdir'));
    await symlink('../b/../b/real.txt', join(root, 'b', 'alias.txt'));
    await symlink('../../secret.txt', join(root, 'b', 'escape.txt'));
    const { files, summary } = await collect(root);
    expect(files).toEqual({ 'b/real.txt': 'real' });
    expect(summary.aliases).toEqual([{ path: 'b/alias.txt', target: 'b/real.txt' }]);
    expect(summary.skipped).toEqual([
      { path: 'b/escape.txt', reason: 'symlink to ../../secret.txt, outside the bundle (not followed)' },
      { path: 'b/link.txt', reason: `symlink to ${join(dir, 'secret.txt')}, outside the bundle (not followed)` },
      { path: 'b/linkdir', reason: `symlink to ${dir}, outside the bundle (not followed)` },
    ]);
  });
});

describe('readBundle symlinks inside an archive', () => {
  it('reads the target once and lists the link as its alias, in either order', async () => {
    const tar = await makeTar([
      { name: 'sb/custom-resources/gateways.x/default.yaml', type: 'symlink', linkname: 'default.json' },
      { name: 'sb/custom-resources/gateways.x/default.json', content: '[]' },
      { name: 'sb/logs/w/pod.log', type: 'symlink', linkname: '../../pods/logs/pod.log' },
      { name: 'sb/pods/logs/pod.log', content: 'line' },
      { name: 'sb/missing.yaml', type: 'symlink', linkname: 'gone.json' },
      { name: 'sb/up.yaml', type: 'symlink', linkname: '../../../etc/passwd' },
    ]);
    const { files, summary } = await collect(await put('links.tgz', gzipSync(tar)));
    expect(files).toEqual({ 'sb/custom-resources/gateways.x/default.json': '[]', 'sb/pods/logs/pod.log': 'line' });
    expect(summary.aliases).toEqual([
      { path: 'sb/custom-resources/gateways.x/default.yaml', target: 'sb/custom-resources/gateways.x/default.json' },
      { path: 'sb/logs/w/pod.log', target: 'sb/pods/logs/pod.log' },
    ]);
    expect(summary.skipped).toEqual([
      { path: 'sb/up.yaml', reason: 'symlink to ../../../etc/passwd, outside the bundle (not followed)' },
      { path: 'sb/missing.yaml', reason: 'symlink to sb/gone.json, which the bundle does not hold as a file (not followed)' },
    ]);
  });
});

describe('readBundle unsafe entries', () => {
  it('skips ../, absolute paths, symlinks and hardlinks with reasons, keeping good files', async () => {
    const tar = await makeTar([
      { name: 'b/ok.txt', content: 'ok' },
      { name: '../evil', content: 'evil' },
      { name: 'b/../../evil2', content: 'evil' },
      { name: '/etc/passwd', content: 'root:x:0:0' },
      { name: 'C:\\Windows\\x', content: 'x' },
      { name: 'b/link', type: 'symlink', linkname: '/etc/shadow' },
      { name: 'b/hard', type: 'link', linkname: 'b/ok.txt' },
      { name: 'b/tty', type: 'character-device', devmajor: 4, devminor: 1 },
      { name: 'b/pipe', type: 'fifo' },
      { name: 'b/last.txt', content: 'last' },
    ]);
    for (const path of [await put('u.tgz', gzipSync(tar)), await put('u.tar', tar)]) {
      const { files, summary } = await collect(path);
      expect(files).toEqual({ 'b/ok.txt': 'ok', 'b/last.txt': 'last' });
      expect(summary.skipped).toEqual([
        { path: '../evil', reason: 'path escapes the bundle (..)' },
        { path: 'b/../../evil2', reason: 'path escapes the bundle (..)' },
        { path: '/etc/passwd', reason: 'absolute path' },
        { path: 'C:/Windows/x', reason: 'absolute path' },
        { path: 'b/link', reason: 'symlink to /etc/shadow, outside the bundle (not followed)' },
        { path: 'b/hard', reason: 'hardlink' },
        { path: 'b/tty', reason: 'character device' },
        { path: 'b/pipe', reason: 'fifo' },
      ]);
    }
  });
});

describe('readBundle errors', () => {
  it('reports a truncated gzip', async () => {
    const gz = gzipSync(await makeTar([{ name: 'a.txt', content: Buffer.alloc(50_000, 'abcdefghij') }]));
    const path = await put('cut.tgz', gz.subarray(0, gz.length >> 1));
    const err = await rejection(collect(path));
    expect(err.message).toMatch(/^.*cut\.tgz: the gzip stream is truncated or corrupt \(.+\)$/);
    expect(err.cause).toBeInstanceOf(Error);
  });

  it('reports a truncated plain tar', async () => {
    const tar = await makeTar([{ name: 'a.txt', content: Buffer.alloc(5000, 'x') }]);
    const path = await put('cut.tar', tar.subarray(0, 2048));
    const err = await rejection(collect(path));
    expect(err.message).toMatch(/cut\.tar: the tar archive is truncated or corrupt \(.+\)$/);
  });

  it('reports a gzip that does not hold a tar', async () => {
    const path = await put('notar.tgz', gzipSync(Buffer.alloc(2048, 'not a tar header ')));
    const err = await rejection(collect(path));
    expect(err.message).toMatch(/notar\.tgz: the tar archive is truncated or corrupt/);
  });

  it('reports a file that is not an archive', async () => {
    const path = await put('notes.tgz', Buffer.alloc(4096, 'hello world\n'));
    const err = await rejection(collect(path));
    expect(err.message).toBe(`${path} is not a .tgz, .tar.gz, .tar or a directory`);
  });

  it('reports an empty file', async () => {
    const path = await put('empty.tgz', Buffer.alloc(0));
    expect((await rejection(collect(path))).message).toBe(`${path} is empty`);
  });

  it('reports a missing path', async () => {
    const path = join(dir, 'nope.tgz');
    expect((await rejection(collect(path))).message).toBe(`no such file or directory: ${path}`);
  });

  it('lets an onFile error through unchanged, for archives and directories', async () => {
    const boom = new Error('consumer failed');
    const big = Array.from({ length: 50 }, (_, i) => ({ name: `b/f${i}.txt`, content: Buffer.alloc(100_000, 'y') }));
    const tgz = await put('b.tgz', gzipSync(await makeTar(big)));
    const tar = await put('b.tar', await makeTar(big));
    const root = join(dir, 'd');
    await mkdir(root);
    await writeFile(join(root, 'x.txt'), 'x');
    for (const path of [tgz, tar, root]) {
      await expect(readBundle(path, DEFAULT_LIMITS, () => { throw boom; })).rejects.toBe(boom);
      await expect(readBundle(path, DEFAULT_LIMITS, async () => Promise.reject(boom))).rejects.toBe(boom);
    }
  });
});

describe('readBundle limits', () => {
  const files: Spec[] = [
    { name: 'b/one.txt', content: '0123456789abcde' },
    { name: 'b/two.txt', content: '0123456789abcde' },
    { name: 'b/three.txt', content: '0123456789abcde' },
  ];
  const limits = (over: Partial<BundleLimits>): BundleLimits => ({ ...DEFAULT_LIMITS, ...over });

  async function inputs(): Promise<string[]> {
    const tar = await makeTar(files);
    const root = join(dir, 'd', 'b');
    await mkdir(root, { recursive: true });
    for (const f of files) await writeFile(join(dir, 'd', f.name), f.content as string);
    return [await put('l.tgz', gzipSync(tar)), await put('l.tar', tar), join(dir, 'd')];
  }

  it('refuses a file over the per-file limit, naming it and the flag', async () => {
    for (const path of await inputs()) {
      const err = await rejection(collect(path, limits({ maxFileBytes: 10 })));
      expect(err.message).toMatch(
        /^bundle entry 'b\/(one|three)\.txt' is 15 B, over the per-file limit of 10 B \(raise it with --max-file-size\)$/,
      );
    }
  });

  it('refuses a bundle over the total limit', async () => {
    for (const path of await inputs()) {
      const err = await rejection(collect(path, limits({ maxTotalBytes: 20 })));
      expect(err.message).toMatch(/^bundle uncompressed size exceeds 20 B at entry '.+' \(raise the limit with --max-total-size\)$/);
    }
  });

  it('refuses a bundle with too many entries', async () => {
    for (const path of await inputs()) {
      const err = await rejection(collect(path, limits({ maxEntries: 2 })));
      expect(err.message).toBe('bundle holds more than 2 entries (raise the limit with --max-entries)');
    }
  });

  it('counts skipped entries against the entry limit', async () => {
    const tar = await makeTar([
      { name: 'a', type: 'symlink', linkname: 'x' },
      { name: 'b', type: 'symlink', linkname: 'x' },
      { name: 'c', type: 'symlink', linkname: 'x' },
    ]);
    const err = await rejection(collect(await put('s.tar', tar), limits({ maxEntries: 2 })));
    expect(err.message).toMatch(/--max-entries/);
  });

  it('refuses a gzip bomb of zero blocks', async () => {
    const size = 1024 ** 2 + GZIP_OVERHEAD_BYTES + 4 * 1024 ** 2;
    const path = await put('bomb.tgz', gzipSync(Buffer.alloc(size), { level: 1 }));
    const err = await rejection(collect(path, limits({ maxTotalBytes: 1024 ** 2 })));
    expect(err.message).toBe(
      'bundle decompresses to more than 65 MiB, over the total-size limit of 1 MiB plus 64 MiB of tar overhead ' +
        '(raise the limit with --max-total-size)',
    );
  });

  it('lets the same zero padding through when it fits the allowance', async () => {
    const path = await put('pad.tgz', gzipSync(Buffer.alloc(4 * 1024 ** 2), { level: 1 }));
    const { summary } = await collect(path, limits({ maxTotalBytes: 1024 ** 2 }));
    expect(summary).toEqual({ format: 'tar.gz', files: 0, totalBytes: 0, skipped: [], aliases: [] });
  });
});

describe('formatBytes', () => {
  it('prints binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1 KiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(256 * 1024 ** 2)).toBe('256 MiB');
    expect(formatBytes(300.04 * 1024 ** 2)).toBe('300.0 MiB');
    expect(formatBytes(4 * 1024 ** 3)).toBe('4 GiB');
  });
});
