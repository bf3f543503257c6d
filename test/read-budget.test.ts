/** Reading within memory: ztunnel rows repeated by every ztunnel kept once, and a clear stop near the heap limit. */
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { MemoryGuard, ZtunnelRowDeduper } from '../src/read-budget.js';
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
  it('lets a run under the limit go on, and stops one past it with one line that says what to do', () => {
    expect(() => new MemoryGuard(1000, () => 999).check('kubectl/pods.json', 3)).not.toThrow();
    const check = () => new MemoryGuard(1024 * 1024, () => 3 * 1024 * 1024).check('ztunnel/istio-system/ztunnel-z/all.json', 181);
    expect(check).toThrow(InputError);
    expect(check).toThrow(/^the bundle needs more memory than this process has: 3 MiB of the heap after 181 files \(at ztunnel\/istio-system\/ztunnel-z\/all\.json\), past 1 MiB; run with NODE_OPTIONS=--max-old-space-size=<MiB> or analyze a smaller bundle \(waypoint-collect --namespace\)$/);
  });
});
