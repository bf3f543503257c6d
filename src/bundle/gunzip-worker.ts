/**
 * Reads and gunzips an archive on another thread, so decompression runs while this thread parses: on
 * the two cores these machines have, the archive's floor (gunzip) overlaps the work instead of adding
 * to it. Chunks come back through a window of acknowledgements, so a slow parser holds at most a few
 * MB of decompressed data in flight. The worker's code is plain JavaScript, passed as text: it runs the
 * same from the TypeScript sources, the build and the tests.
 */
import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';

const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createReadStream } = require('node:fs');
const { createGunzip } = require('node:zlib');
const WINDOW = 16;
let inflight = 0;
let paused = false;
let consumed = 0;
const source = createReadStream(workerData.path, { highWaterMark: 1 << 20 });
const gunzip = createGunzip({ chunkSize: 256 * 1024 });
source.on('data', (c) => { consumed += c.length; });
source.on('error', (e) => parentPort.postMessage({ type: 'error', stage: 'read', message: e.message, code: e.code }));
gunzip.on('error', (e) => parentPort.postMessage({ type: 'error', stage: 'gunzip', message: e.message, code: e.code }));
gunzip.on('data', (chunk) => {
  // A chunk of its own, so its memory moves to the other thread instead of being copied.
  const own = new Uint8Array(chunk.length);
  own.set(chunk);
  parentPort.postMessage({ type: 'data', chunk: own, consumed }, [own.buffer]);
  if (++inflight >= WINDOW && !paused) { paused = true; gunzip.pause(); }
});
gunzip.on('end', () => parentPort.postMessage({ type: 'end', consumed }));
parentPort.on('message', (m) => {
  if (m !== 'ack') return;
  inflight--;
  if (paused && inflight <= WINDOW / 2) { paused = false; gunzip.resume(); }
});
source.pipe(gunzip);
`;

/** An error of the worker: where it happened (`read` the file, or `gunzip` its content), with the original message and code. */
export class InflateError extends Error {
  constructor(message: string, readonly stage: 'read' | 'gunzip', readonly code?: string) {
    super(message);
  }
}

type Message =
  | { type: 'data'; chunk: Uint8Array; consumed: number }
  | { type: 'end'; consumed: number }
  | { type: 'error'; stage: 'read' | 'gunzip'; message: string; code?: string };

/** The decompressed bytes of `path`, as a stream; `onConsumed` hears how many compressed bytes were read. */
export function gunzipInWorker(path: string, onConsumed?: (bytes: number) => void): Readable {
  const worker = new Worker(WORKER_CODE, { eval: true, workerData: { path } });
  let owed = 0;
  const ack = () => worker.postMessage('ack');
  const out = new Readable({
    highWaterMark: 4 * 1024 * 1024,
    read() {
      // The consumer wants more: the chunks held back on a full buffer are acknowledged now.
      for (; owed > 0; owed--) ack();
    },
    destroy(err, callback) {
      void worker.terminate();
      callback(err);
    },
  });
  worker.on('message', (m: Message) => {
    if (m.type === 'data') {
      onConsumed?.(m.consumed);
      if (out.push(Buffer.from(m.chunk.buffer, m.chunk.byteOffset, m.chunk.byteLength))) ack();
      else owed++;
    } else if (m.type === 'end') {
      onConsumed?.(m.consumed);
      out.push(null);
      void worker.terminate();
    } else {
      out.destroy(new InflateError(m.message, m.stage, m.code));
    }
  });
  worker.on('error', (err) => out.destroy(err));
  return out;
}
