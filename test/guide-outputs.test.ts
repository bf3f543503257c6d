/**
 * The istio.io guide "Troubleshoot issues with waypoints" (content/en/docs/ambient/usage/troubleshoot-
 * waypoint/index.md in istio/istio.io), its four output blocks copied as they stand on the page
 * (indented in a list, `$` lines, `...` elisions) into samples/guide-outputs: the bundle a customer
 * brings who followed the guide by hand. The report must answer the guide's questions from them.
 */
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../src/report/html.js';
import { analyzeBundle, type AnalysisResult } from '../src/pipeline.js';
import { DEFAULT_LIMITS } from '../src/bundle/types.js';
import { BUILTIN_RULES } from '../src/rules/index.js';
import { sample } from './cli/run.js';
import { validateReport } from './report/schema.js';

const result: AnalysisResult = await analyzeBundle(sample('guide-outputs'), { limits: DEFAULT_LIMITS, rules: BUILTIN_RULES });

describe("the guide's own outputs, pasted", () => {
  it('reads all four outputs', () => {
    expect(result.files.map((f) => [f.path, f.kind])).toEqual([
      ['analyze.txt', 'analyze'],
      ['proxy-status.txt', 'proxy-status'],
      ['ztunnel-service.txt', 'ztunnel-services'],
      ['ztunnel-workload.txt', 'ztunnel-workloads'],
    ]);
    expect(result.diagnostics).toEqual([]);
  });

  it('shows every service and pod with the waypoint ztunnel uses, its expected one unknown without labels', () => {
    const rows = result.bindings.map((b) => [b.kind, b.name, b.observed, b.expected, b.state]);
    expect(rows).toEqual([
      ['Pod', 'bookinfo-gateway-istio-7c57fc4647-wjqvm', 'None', '', 'observed-only'],
      ['Pod', 'details-v1-698d88b-wwsnv', 'None', '', 'observed-only'],
      ['Pod', 'productpage-v1-675fc69cf-fp65z', 'None', '', 'observed-only'],
      ['Pod', 'ratings-v1-6484c4d9bb-crjtt', 'None', '', 'observed-only'],
      ['Pod', 'reviews-svc-waypoint-c49f9f569-b492t', 'None', '', 'observed-only'],
      ['Pod', 'reviews-v1-5b5d6494f4-nrvfx', 'None', '', 'observed-only'],
      ['Pod', 'reviews-v2-5b667bcbf8-gj7nz', 'reviews-v2-pod-waypoint', '', 'observed-only'],
      ['Service', 'bookinfo-gateway-istio', 'waypoint', '', 'observed-only'],
      ['Service', 'details', 'waypoint', '', 'observed-only'],
      ['Service', 'kubernetes', 'waypoint', '', 'observed-only'],
      ['Service', 'productpage', 'waypoint', '', 'observed-only'],
      ['Service', 'ratings', 'waypoint', '', 'observed-only'],
      ['Service', 'reviews', 'reviews-svc-waypoint', '', 'observed-only'],
    ]);
    expect(result.bindings.every((b) => b.agrees === undefined)).toBe(true);
  });

  it('finds the three waypoints and their pods, inferred from names, the ingress gateway not among them', () => {
    expect(result.waypoints.map((w) => [w.namespace, w.name, w.inferred, w.proxies.map((p) => [p.pod, p.synced])])).toEqual([
      ['default', 'reviews-svc-waypoint', true, [['reviews-svc-waypoint-c49f9f569-b492t', true]]],
      ['default', 'reviews-v2-pod-waypoint', true, [['reviews-v2-pod-waypoint-7f5dbd597-7zzw7', true]]],
      ['default', 'waypoint', true, [['waypoint-6f7b665c89-6hppr', true]]],
    ]);
    const svcWaypoint = result.waypoints[0]!;
    expect(svcWaypoint.evidence[0]).toMatchObject({ via: 'ztunnel WAYPOINT column', source: { file: 'ztunnel-service.txt', line: 11 } });
    expect(svcWaypoint.proxies[0]!.sync).toBe('synced with istiod-795d55fc6d-vqtjx');
  });

  it('decides WP037 from proxy-status alone: every waypoint synced, RDS/ECDS NOT SENT being normal', () => {
    expect(result.rules.find((r) => r.id === 'WP037')).toMatchObject({ outcome: 'pass' });
    expect(result.rules.find((r) => r.id === 'IST')).toMatchObject({ outcome: 'pass' });
    expect(result.counts).toMatchObject({ error: 0, warning: 0 });
  });

  it('says once what would decide the rest: the Kubernetes objects with one command, the logs, the waypoint\'s Envoy config', () => {
    expect(result.notChecked.map((g) => g.id)).toEqual(['kubernetes-objects', 'logs', 'envoy-config']);
    expect(result.notChecked[1]!.rules).toEqual(['WP042', 'WP043', 'WP044']);
    expect(result.notChecked[2]!.rules).toEqual(['WP040', 'WP041']);
    const objects = result.notChecked[0]!;
    expect(objects.commands).toHaveLength(1);
    expect(objects.commands[0]).toMatch(/^kubectl get \S*gateways\.gateway\.networking\.k8s\.io,\S*namespaces,pods,\S*services\S* -A -o yaml$/);
    for (const id of ['WP001', 'WP002', 'WP003', 'WP004', 'WP005', 'WP006', 'WP007', 'WP008', 'WP009', 'WP010', 'WP011', 'WP012', 'WP013', 'WP014', 'WP015', 'WP016', 'WP017', 'WP018', 'WP019', 'WP021', 'WP023', 'WP039']) {
      expect([...objects.rules, ...objects.alternativeFor], id).toContain(id);
    }
    expect(result.counts.notChecked).toBe(result.rules.filter((r) => r.outcome === 'not-checked').length);
    // Rule-specific doubts stay findings: istiod's own version is not on the page.
    expect(result.findings.map((f) => [f.ruleId, f.status])).toEqual([['WP038', 'inconclusive']]);
  });

  it('writes a valid JSON report and an HTML report that shows all of it', () => {
    expect(validateReport(JSON.parse(JSON.stringify({ schemaVersion: 1, ...result })))).toEqual([]);
    const html = renderHtml(result);
    expect(html).toContain('inferred from names');
    expect(html).toContain('reviews-v2-pod-waypoint-7f5dbd597-7zzw7');
    expect(html).toContain('labels not captured');
    expect(html.match(/kubectl get \S*gateways\.gateway\.networking\.k8s\.io/g)).toHaveLength(1);
    expect(html).not.toContain('No Service or Pod in the bundle asks for a waypoint');
  });
});
