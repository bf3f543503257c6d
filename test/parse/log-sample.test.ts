/** The bounded sample of a log: failures kept first and up to the cap, healthy lines only a few. */
import { describe, expect, it } from 'vitest';
import { MAX_ORDINARY, Sample } from '../../src/parse/logs/sample.js';

function fill(sample: Sample<number>, healthy: number, failed: number): void {
  for (let i = 0; i < healthy + failed; i++) {
    const priority = i >= healthy;
    if (sample.wants(priority)) sample.add(i, priority);
  }
}

describe('log sample', () => {
  it('keeps a few healthy lines and every failure, and counts what it dropped', () => {
    const s = new Sample<number>(5000);
    fill(s, 1000, 30);
    expect(s.ordinary).toHaveLength(MAX_ORDINARY);
    expect(s.priority).toHaveLength(30);
    expect(s.dropped).toBe(1000 - MAX_ORDINARY);
  });

  it('lets failures evict healthy lines once full', () => {
    const s = new Sample<number>(10, 10);
    fill(s, 10, 4);
    expect(s.priority).toHaveLength(4);
    expect(s.ordinary).toHaveLength(6);
    expect(s.items().slice(0, 4)).toEqual([10, 11, 12, 13]);
  });
});
