/** `waypoint-analyze trace` for a terminal: one line per hop, its evidence beneath, the verdict last. */
import type { Trace } from '../trace/index.js';
import { formatLocation } from './html.js';

const MARK: Record<string, string> = { ok: 'ok     ', broken: 'BROKEN ', unknown: 'unknown' };

export function renderTraceText(trace: Trace, color = false): string {
  const paint = (status: string, text: string) => (!color ? text : status === 'broken' ? `\x1b[31m${text}\x1b[0m` : status === 'unknown' ? `\x1b[33m${text}\x1b[0m` : `\x1b[32m${text}\x1b[0m`);
  const out = [`trace ${trace.from} -> ${trace.to}`];
  for (const h of trace.hops) {
    out.push(`  ${paint(h.status, MARK[h.status]!)} ${h.step.padEnd(11)} ${h.summary}`);
    for (const e of h.evidence.slice(0, 4)) out.push(`${' '.repeat(22)}${formatLocation(e)}${e.note ? `  ${e.note}` : ''}`);
    for (const c of h.collect ?? []) out.push(`${' '.repeat(22)}collect: ${c}`);
  }
  const verdict = trace.result === 'broken' ? `broken at ${trace.brokenAt}` : trace.result === 'unknown' ? 'no broken hop, but some could not be checked (see "collect")' : 'every hop checked is ok';
  out.push(`result: ${paint(trace.result, verdict)}${trace.stoppedBecause && trace.result !== 'broken' ? ` (${trace.stoppedBecause})` : ''}`);
  return `${out.join('\n')}\n`;
}
