/**
 * `waypoint-analyze trace BUNDLE --from NS/POD --to SERVICE[.NS][:PORT]|IP:PORT`: the hops a request
 * takes, each ok, broken or unknown with its evidence. Exit 1 when a hop is broken, 0 otherwise (an
 * unknown hop is a capture to collect, not a fault), 2 for a bad invocation or an end not in the bundle.
 */
import type { BundleLimits } from '../bundle/types.js';
import { loadSnapshot } from '../pipeline.js';
import { renderTraceText } from '../report/trace-text.js';
import { traceRequest } from '../trace/index.js';
import type { Io } from './io.js';

export interface TraceOptions {
  from: string;
  to: string;
  format: 'text' | 'json';
  limits: BundleLimits;
}

export async function runTrace(bundle: string, options: TraceOptions, io: Io): Promise<number> {
  const snapshot = await loadSnapshot(bundle, options.limits);
  const trace = traceRequest(snapshot, options.from, options.to);
  io.stdout(options.format === 'json' ? `${JSON.stringify(trace, null, 2)}\n` : renderTraceText(trace, io.color));
  return trace.result === 'broken' ? 1 : 0;
}
