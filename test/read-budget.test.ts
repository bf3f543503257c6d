/** Reading within memory: ztunnel rows repeated by every ztunnel kept once, and a clear stop near the heap limit. */
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MemoryGuard, releaseLastMatch, ZtunnelRowDeduper } from '../src/read-budget.js';
import { parseText } from './helpers.js';

const table = (rows: string[]) => ['NAMESPACE POD NAME                    ADDRESS    NODE   WAYPOINT PROTOCOL', ...rows].join('\n');
const row = (pod: string, waypoint = 'None', node = 'node-1') => `default   ${pod} 10.42.0.9  ${node} ${waypoint} HBONE`;

describe('ztunnel rows from many ztunnels', () => {
  it('keeps each distinct row once, and every row that differs', () => {
    const dedupe = new ZtunnelRowDeduper();
    const a = parseText('ztunnel/istio-system/ztunnel-a/workload.txt', `${table([row('ratings-v1-6484c4d9bb-crjtt'), row('reviews-v1-5b5d6494f4-nrvfx')])}\n`);
    const b = parseText('ztunnel/istio-system/ztunnel-b/workload.txt', `${table([row('ratings-v1-6484c4d9bb-crjtt'), row('reviews-v1-5b5d6494f4-nrvfx', 'waypoint')])}\n`);
    dedupe.apply(a);
    dedupe.apply(b);
    expect(a.records.ztunnelWorkloads!.map((w) => w.name)).toEqual(['ratings-v1-6484c4d9bb-crjtt', 'reviews-v1-5b5d6494f4-nrvfx']);
    // ztunnel-b disagrees on reviews' waypoint: its row stays, as evidence of the disagreement.
    expect(b.records.ztunnelWorkloads!.map((w) => `${w.name} ${w.waypoint}`)).toEqual(['reviews-v1-5b5d6494f4-nrvfx waypoint']);
    expect(dedupe.dropped).toBe(1);
  });
});

describe('memory guard', () => {
  it('lets a run under the limit go on, and stops one past it with one line that says what to do', async () => {
    await expect(new MemoryGuard(1000, () => 999).check('kubectl/pods.json', 3)).resolves.toBeUndefined();
    const check = () => new MemoryGuard(1024 * 1024, () => 3 * 1024 * 1024, () => {}).check('ztunnel/istio-system/ztunnel-z/all.json', 181);
    await expect(check()).rejects.toThrow(InputError);
    await expect(check()).rejects.toThrow(/^the bundle needs more memory than this process has: 3 MiB of the heap after 181 files \(at ztunnel\/istio-system\/ztunnel-z\/all\.json\), past 1 MiB; run with NODE_OPTIONS=--max-old-space-size=<MiB> or analyze a smaller bundle \(waypoint-collect --namespace\)$/);
  });

  it('after a forced collection, does not force another until the heap has grown again', async () => {
    let heap = 1100;
    let collections = 0;
    const guard = new MemoryGuard(1000, () => heap, () => {
      collections++;
      heap = 990;
    });
    await guard.check('a', 1);
    expect(collections).toBe(1);
    // 1010 is past the limit but only 20 more than after the collection (5% of the heap is 71): no second one.
    heap = 1010;
    await expect(guard.check('b', 2)).resolves.toBeUndefined();
    expect(collections).toBe(1);
    heap = 1100;
    await guard.check('c', 3);
    expect(collections).toBe(2);
  });

  it('with the heap nearly full, refuses without forcing a collection (one would be fatal in V8)', async () => {
    let collections = 0;
    // Limit 700 is 70% of a 1000 heap; at 850 (past 80%) no collection is forced.
    const guard = new MemoryGuard(700, () => 850, () => collections++);
    await expect(guard.check('kubectl/pods.yaml', 5)).rejects.toThrow(/^the bundle needs more memory than this process has/);
    expect(collections).toBe(0);
  });

  it('refuses, before parsing, a file whose parsing peak would pass the limit', async () => {
    const MiB = 1024 * 1024;
    // A heap of 1000 MiB: reading stops past 700 MiB (70%), a parse may use the whole heap.
    const guard = new MemoryGuard(700 * MiB, () => 400 * MiB, () => {});
    await expect(guard.reserve('kubectl/pods.json', 250 * MiB, 790)).resolves.toBeUndefined();
    await expect(guard.reserve('kubectl/pods.json', 320 * MiB, 790)).rejects.toThrow(
      /^the bundle needs more memory than this process has: 400 MiB of the heap and about 640 MiB more to parse kubectl\/pods\.json \(320 MiB\) after 790 files, past 1000\.0 MiB; run with NODE_OPTIONS/,
    );
  });

  it('past the limit, collects garbage first and goes on when what is left fits', async () => {
    let heap = 1100;
    let collections = 0;
    // Limit 1000 of a heap of 1429: 1100 is under the 80% past which no collection is forced.
    const guard = new MemoryGuard(1000, () => heap, () => {
      collections++;
      heap = 800;
    });
    await expect(guard.check('logs/a.log', 10)).resolves.toBeUndefined();
    expect(collections).toBe(1);
    // Under the limit, no collection is forced.
    await guard.check('logs/b.log', 11);
    expect(collections).toBe(1);
  });

  it('the default collection is V8\'s own, and frees what nothing holds', async () => {
    const seen: number[] = [];
    let garbage: number[][] | undefined = Array.from({ length: 100 }, () => new Array(10_000).fill(1.5));
    expect(garbage).toHaveLength(100);
    garbage = undefined;
    // A limit just under what is used: the check collects; the two readings straddle the collection.
    const guard = new MemoryGuard(process.memoryUsage().heapUsed / 1.05, () => {
      seen.push(process.memoryUsage().heapUsed);
      return seen.at(-1)!;
    });
    await guard.check('x', 1).catch(() => {});
    expect(seen).toHaveLength(2);
    // 100 arrays of 10,000 doubles: about 8 MB that the collection gave back.
    expect(seen[0]! - seen[1]!).toBeGreaterThan(4_000_000);
  });

  it('a large text\'s last regular-expression match no longer keeps it alive', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    let big: string | undefined = `${'a'.repeat(64 * 1024 * 1024)}x`;
    expect(/x$/.test(big)).toBe(true);
    big = undefined;
    gc();
    const held = process.memoryUsage().heapUsed;
    releaseLastMatch();
    gc();
    expect(held - process.memoryUsage().heapUsed).toBeGreaterThan(32 * 1024 * 1024);
  });
});
