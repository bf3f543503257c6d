/**
 * Every proposed fix is proved: for each failing finding of every scenario bundle whose fix changes a
 * resource, what-if applies that fix to the snapshot; the finding must be resolved and no new error or
 * warning may appear. A fix that fails this is a bug in the fix.
 *
 * Where the simulation cannot decide honestly, the test says so rather than passing quietly: a finding whose
 * rule reads what controllers or node agents wrote (istiod's status, istio-cni's redirection, a sidecar the
 * injector added) stays as captured until a new capture, and must land in `needsCapture` with the commands
 * to collect. Fixes that change no resource (restart, upgrade, read the logs) have no change to apply; their
 * rules are listed so that a fix gaining or losing its change is noticed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/bundle/types.js';
import { findingName } from '../../src/compare/match.js';
import { baselineOf, whatIf } from '../../src/compare/what-if.js';
import { readParsedFiles } from '../../src/pipeline.js';
import { BUILTIN_RULES } from '../../src/rules/index.js';
import { ROOT } from '../helpers.js';

const SCENARIOS = join(ROOT, 'samples', 'scenarios');
const expected = JSON.parse(readFileSync(join(SCENARIOS, 'expected.json'), 'utf8')) as Record<string, string[]>;

/**
 * Findings whose fix is right but whose disappearance only a new capture can show, and why:
 * WP011 the Gateway's status stays "Waiting for controller" until an istiod reconciles it;
 * WP013 istiod's listener condition (Accepted False) was written for the old listener;
 * WP015 ztunnel's table lists the client with PROTOCOL TCP until istio-cni redirects it;
 * WP017 sidecar pods keep their sidecar until they are restarted.
 * WP024 istiod's WaypointAccepted=False (TargetNotFound) was written for the old targetRef.
 */
const CONFIRMED_BY_CAPTURE = new Set(['WP011', 'WP013', 'WP015', 'WP017', 'WP024']);

/** Rules whose scenario findings' fixes change no resource: diagnostics, restarts, upgrades, or a choice only the user can make. */
const NO_CHANGE = new Set([
  'WP002', 'WP003', 'WP014', 'WP016', 'WP020', 'WP033', 'WP035', 'WP036',
  'WP037', 'WP038', 'WP039', 'WP040', 'WP041', 'WP042', 'WP043', 'WP044',
]);

describe('what-if proves every proposed fix of every scenario', () => {
  it.each(Object.keys(expected))('%s', async (name) => {
    const { files } = await readParsedFiles(join(SCENARIOS, name), DEFAULT_LIMITS);
    const before = baselineOf(files, BUILTIN_RULES);
    const failing = before.findings.filter((f) => f.status === 'fail');
    expect(failing.length).toBeGreaterThan(0);
    for (const f of failing) {
      const id = findingName(f);
      const changes = f.fix?.changes;
      if (!changes) {
        expect(f.ruleId.startsWith('IST') || NO_CHANGE.has(f.ruleId), `${id}: its fix carries no change`).toBe(true);
        continue;
      }
      expect(NO_CHANGE.has(f.ruleId), `${id} has a change: take it off NO_CHANGE`).toBe(false);
      const result = whatIf(files, BUILTIN_RULES, changes, before);
      const newProblems = result.introduced.filter((x) => x.severity !== 'info').map((x) => x.name);
      expect(newProblems, `${id}: its fix introduces`).toEqual([]);
      if (CONFIRMED_BY_CAPTURE.has(f.ruleId)) {
        const pending = result.needsCapture.find((x) => x.name === id);
        expect(pending, `${id} should wait for a new capture`).toBeDefined();
        expect(pending!.collect.length).toBeGreaterThan(0);
      } else {
        expect(result.resolved.map((x) => x.name), `${id}: its fix does not resolve it`).toContain(id);
      }
    }
  });

  it('never calls resolved or introduced what rests on observations of what the change touches', async () => {
    const { files } = await readParsedFiles(join(SCENARIOS, 'wp005-service-waypoint-workload-only'), DEFAULT_LIMITS);
    const before = baselineOf(files, BUILTIN_RULES);
    const f = before.findings.find((x) => x.ruleId === 'WP005')!;
    const result = whatIf(files, BUILTIN_RULES, f.fix!.changes!, before);
    expect(result.resolved.map((x) => x.name)).toEqual(['WP005:default/reviews']);
    // The Service is now expected at its waypoint, but ztunnel's table and the waypoint's Envoy dump were captured before.
    const pending = result.needsCapture.map((x) => `${x.name}:${x.simulated}`);
    expect(pending).toEqual(expect.arrayContaining(['WP040:default/reviews:introduced', 'WP044:default/reviews:introduced']));
    expect(result.needsCapture.find((x) => x.ruleId === 'WP040')!.collect).toEqual(['istioctl proxy-config all <waypoint-pod> -n <namespace> -o json']);
    expect(result.bindings).toEqual([{ kind: 'Service', namespace: 'default', name: 'reviews', before: { state: 'traffic-type-unsupported', expected: 'None', observed: 'None' }, after: { state: 'bound', expected: 'reviews-svc-waypoint', observed: 'None' } }]);
  });

  it('takes a created waypoint as istiod would make it, and says so', async () => {
    const { files } = await readParsedFiles(join(SCENARIOS, 'wp001-missing-waypoint'), DEFAULT_LIMITS);
    const before = baselineOf(files, BUILTIN_RULES);
    const f = before.findings.find((x) => x.ruleId === 'WP001')!;
    expect(f.fix!.changes).toEqual([{ op: 'create', object: { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'ratings-waypoint', namespace: 'default' }, spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] } } }]);
    const result = whatIf(files, BUILTIN_RULES, f.fix!.changes!, before);
    expect(result.assumptions).toEqual([expect.stringMatching(/^Gateway default\/ratings-waypoint is created and istiod makes it ready/)]);
    expect(result.bindings.find((b) => b.name === 'ratings')?.after).toMatchObject({ state: 'bound', expected: 'ratings-waypoint' });
  });
});
