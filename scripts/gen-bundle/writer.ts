/**
 * Writes a bundle as `waypoint-collect` packs it: one gzip'd tar of a `waypoint-bundle-<cluster>-<time>/` folder,
 * streamed through tar-stream and zlib to the file as each file is generated. A tar header needs the file's size
 * before its bytes, so each file's chunks are held until it ends, in memory up to SPOOL_LIMIT and in a temporary
 * file beyond (the 20,000-pod List never sits in memory whole). Also the chunked kubectl List writers (YAML and
 * JSON exactly as kubectl prints them, one object at a time) and manifest.json as the collector writes it.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack as tarPack, type Header } from 'tar-stream';
import { emitYamlSequence, goEscape, sortKeysDeep } from '../scenarios/serializers.js';
import type { Json } from './kube.js';

const SPOOL_LIMIT = 32 * 1024 * 1024;
const CHUNK = 1024 * 1024;

export type Content = string | Iterable<string>;

/** One file as the manifest records it: the command that captured it. */
export interface Captured {
  file: string;
  argv: string[];
  bytes: number;
  durationMs: number;
}

export class BundleWriter {
  private readonly pack = tarPack();
  private readonly done: Promise<void>;
  private readonly dirs = new Set<string>();
  private readonly tmp = mkdtempSync(join(tmpdir(), 'gen-bundle-'));
  readonly captured: Captured[] = [];
  /** Uncompressed bytes of every file. */
  textBytes = 0;

  constructor(file: string, readonly root: string, private readonly mtime: Date) {
    this.done = pipeline(this.pack, createGzip({ level: 6 }), createWriteStream(file));
  }

  private async entry(header: Partial<Header> & Pick<Header, 'name'>, write: (sink: NodeJS.WritableStream) => Promise<void>): Promise<void> {
    let finished!: () => void;
    let failed!: (e: Error) => void;
    const ended = new Promise<void>((resolve, reject) => { finished = resolve; failed = reject; });
    const sink = this.pack.entry(header, (err) => (err ? failed(err) : finished()));
    await write(sink);
    await ended;
  }

  private async directory(path: string): Promise<void> {
    const parts = path.split('/').slice(0, -1);
    for (let i = 0; i <= parts.length; i++) {
      const dir = [this.root, ...parts.slice(0, i)].join('/') + '/';
      if (this.dirs.has(dir)) continue;
      this.dirs.add(dir);
      await this.entry({ name: dir, type: 'directory', mode: 0o755, mtime: this.mtime }, async (sink) => void sink.end());
    }
  }

  /** Adds `path` (relative to the bundle folder) with the chunks of `content`, recorded as the output of `argv`. */
  async add(path: string, content: Content, argv: string[], durationMs: number): Promise<number> {
    await this.directory(path);
    const chunks: Buffer[] = [];
    let size = 0;
    let spool: WriteStream | undefined;
    const spoolFile = join(this.tmp, 'spool');
    for (const text of typeof content === 'string' ? [content] : content) {
      const buf = Buffer.from(text, 'utf8');
      size += buf.length;
      if (!spool && size > SPOOL_LIMIT) {
        spool = createWriteStream(spoolFile);
        for (const c of chunks.splice(0)) if (!spool.write(c)) await once(spool, 'drain');
      }
      if (spool) {
        if (!spool.write(buf)) await once(spool, 'drain');
      } else chunks.push(buf);
    }
    if (spool) {
      spool.end();
      await once(spool, 'close');
    }
    await this.entry({ name: `${this.root}/${path}`, size, mode: 0o644, mtime: this.mtime }, async (sink) => {
      if (spool) await pipeline(createReadStream(spoolFile), sink);
      else {
        for (const c of chunks) if (!sink.write(c)) await once(sink, 'drain');
        sink.end();
      }
    });
    if (spool) rmSync(spoolFile);
    this.textBytes += size;
    this.captured.push({ file: path, argv, bytes: size, durationMs });
    return size;
  }

  /** Ends the archive (manifest.json last, as it needs every file's size) and waits for the file to be written. */
  async close(manifest: string): Promise<void> {
    await this.directory('manifest.json');
    await this.entry({ name: `${this.root}/manifest.json`, size: Buffer.byteLength(manifest), mode: 0o644, mtime: this.mtime }, async (sink) => void sink.end(manifest));
    this.textBytes += Buffer.byteLength(manifest);
    this.pack.finalize();
    await this.done;
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

// ---- kubectl Lists, one object at a time ---------------------------------------------------------

/** `kubectl get <kind> -A -o yaml`: what serializers.kubectlYaml prints for the whole List, in chunks. */
export function* yamlList(items: Iterable<Json>): Generator<string> {
  let out = '';
  let first = true;
  for (const item of items) {
    if (first) out += 'apiVersion: v1\nitems:\n';
    first = false;
    const lines: string[] = [];
    emitYamlSequence([item], 0, lines);
    out += lines.join('\n') + '\n';
    if (out.length > CHUNK) {
      yield out;
      out = '';
    }
  }
  yield `${first ? 'apiVersion: v1\nitems: []\n' : out}kind: List\nmetadata:\n  resourceVersion: ""\n`;
}

/** `kubectl get <kind> -A -o json`: what serializers.kubectlJson prints for the whole List, in chunks. */
export function* jsonList(items: Iterable<Json>): Generator<string> {
  let out = '{\n    "apiVersion": "v1",\n';
  let first = true;
  for (const item of items) {
    out += first ? '    "items": [\n' : ',\n';
    first = false;
    out += '        ' + goEscape(JSON.stringify(sortKeysDeep(item), null, 4)).replace(/\n/g, '\n        ');
    if (out.length > CHUNK) {
      yield out;
      out = '';
    }
  }
  yield `${out}${first ? '    "items": [],\n' : '\n    ],\n'}    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n`;
}

// ---- manifest.json ---------------------------------------------------------------------------------

export interface ManifestInfo {
  startedAt: string;
  finishedAt: string;
  context: string;
  cluster: string;
  versions: { istioctl: string; istio: string; kubectl: string; kubernetes: string };
  namespaces: string[];
}

/** The collector's json_string: backslash, quote and tab escaped, newlines dropped. */
const js = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\t/g, '\\t').replace(/[\n\r]/g, '')}"`;

/** manifest.json exactly as src/collect/waypoint-collect.sh's write_manifest prints it. */
export function manifestJson(info: ManifestInfo, captured: Captured[]): string {
  const v = info.versions;
  const commands = captured.map((c) => `    {"argv": [${c.argv.map(js).join(', ')}], "file": ${js(c.file)}, "exitCode": 0, "durationMs": ${c.durationMs}, ` +
    `"bytes": ${c.bytes}, "timedOut": false, "stderrFile": null}`);
  return [
    '{',
    '  "schemaVersion": 1,',
    '  "collector": {"name": "waypoint-collect", "version": "0.1.0"},',
    `  "startedAt": ${js(info.startedAt)},`,
    `  "finishedAt": ${js(info.finishedAt)},`,
    `  "context": ${js(info.context)},`,
    `  "cluster": ${js(info.cluster)},`,
    `  "versions": {"istioctl": ${js(v.istioctl)}, "istio": ${js(v.istio)}, "kubectl": ${js(v.kubectl)}, "kubernetes": ${js(v.kubernetes)}},`,
    `  "namespaces": [${info.namespaces.map(js).join(', ')}],`,
    '  "options": {"since": "1h", "maxLogLines": 5000, "timeoutSeconds": 60, "logs": true, "configDumps": true, "waypoints": []},',
    '  "redactions": {"private-key": 0, "bearer-token": 0, "authorization": 0, "jwt": 0},',
    '  "interrupted": false,',
    '  "commands": [',
    commands.join(',\n'),
    '  ]',
    '}',
    '',
  ].join('\n');
}
