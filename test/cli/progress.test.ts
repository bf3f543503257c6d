/** The progress line: only after a second, at most five times a second, erased at the end, never when off. */
import { describe, expect, it } from 'vitest';
import { progressLine } from '../../src/cli/progress.js';
import { runCli, sample } from './run.js';

function clocked(enabled: boolean) {
  let t = 0;
  const out: string[] = [];
  const p = progressLine((s) => out.push(s), enabled, () => t);
  return { p, out, at: (ms: number) => (t = ms) };
}

describe('progress line', () => {
  it('stays silent for a run under a second', () => {
    const { p, out, at } = clocked(true);
    at(500);
    p.update('reading', 10, 100);
    p.done();
    expect(out).toEqual([]);
  });

  it('shows the stage and how much is read, redraws at most every 200 ms, and erases itself', () => {
    const { p, out, at } = clocked(true);
    at(1200);
    p.update('reading', 3 * 1024 * 1024, 12 * 1024 * 1024);
    at(1300);
    p.update('reading', 4 * 1024 * 1024, 12 * 1024 * 1024);
    at(1500);
    p.update('checking');
    p.done();
    expect(out).toEqual(['\r\x1b[Kwaypoint-analyze: reading 25% (3 MiB of 12 MiB)', '\r\x1b[Kwaypoint-analyze: checking', '\r\x1b[K']);
  });

  it('writes nothing when off (not a terminal, or --quiet)', () => {
    const { p, out, at } = clocked(false);
    at(5000);
    p.update('reading', 1, 2);
    p.done();
    expect(out).toEqual([]);
  });

  it('takes --quiet and -q', async () => {
    for (const flag of ['--quiet', '-q']) {
      const r = await runCli(sample('bookinfo-ambient'), flag, '-f', 'json', '-o', '-');
      expect(r.code).toBe(0);
      expect(r.stderr).not.toContain('\x1b[K');
    }
  });
});
