/**
 * An `istioctl bug-report` archive (samples/bug-report.tar.gz, the broken bookinfo cluster as Istio
 * 1.28's bug-report tool lays it out) goes into the same snapshot as our own bundles, so the same
 * rules fire from its cluster dumps, ztunnel dumps and istiod's syncz.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../src/bundle/types.js';
import { buildSnapshot } from '../src/model/build.js';
import { analyzeBundle, readParsedFiles } from '../src/pipeline.js';
import { BUILTIN_RULES } from '../src/rules/index.js';
import { ROOT } from './helpers.js';

const ARCHIVE = join(ROOT, 'samples', 'bug-report.tar.gz');

describe('istioctl bug-report archives', () => {
  it('recognizes each file of the layout by content, with the pod its path names', async () => {
    const { files, summary } = await readParsedFiles(ARCHIVE, DEFAULT_LIMITS);
    expect(summary.format).toBe('tar.gz');
    const kind = (suffix: string) => files.find((f) => f.file.endsWith(suffix))?.kind;
    expect(kind('/versions')).toBe('istioctl-version');
    expect(kind('/analyze/allNamespaces/allNamespaces')).toBe('analyze');
    expect(kind('/cluster/k8s-resources')).toBe('kube-resources');
    expect(kind('/cluster/crs')).toBe('kube-resources');
    expect(kind('/debug/syncz')).toBe('istiod-syncz');
    // istiod's own view of ambient: not mistaken for what a ztunnel holds.
    expect(kind('/debug/ambientz')).toBe('unknown');
    const waypointDump = files.find((f) => /proxies\/default\/waypoint-[^/]+\/config_dump\?include_eds$/.test(f.file))!;
    expect(waypointDump.kind).toBe('envoy-config-dump');
    expect(waypointDump.context.pod).toEqual({ namespace: 'default', name: waypointDump.records.envoyConfigs![0]!.node!.pod });
    const ztunnelDumps = files.filter((f) => /proxies\/istio-system\/ztunnel-[^/]+\/config_dump$/.test(f.file));
    expect(ztunnelDumps.length).toBeGreaterThanOrEqual(1);
    expect(ztunnelDumps.every((f) => f.kind === 'ztunnel-config-dump' && f.diagnostics.length === 0)).toBe(true);
    expect(files.filter((f) => f.file.endsWith('istio-proxy.log')).every((f) => f.kind === 'envoy-log' || f.kind === 'ztunnel-log')).toBe(true);
    // Secrets are a table without data in the default mode; they are never read as objects.
    expect(kind('/cluster/secrets')).toBe('unknown');
  });

  it('maps into the snapshot: objects, the ztunnel view, sync state, versions', async () => {
    const { files } = await readParsedFiles(ARCHIVE, DEFAULT_LIMITS);
    const snapshot = buildSnapshot(files);
    for (const capture of ['kube:Service', 'kube:Pod', 'kube:Namespace', 'kube:Gateway', 'kube:GatewayClass', 'ztunnel-workloads', 'ztunnel-services', 'proxy-status', 'analyze', 'envoy-config', 'versions', 'logs']) {
      expect(snapshot.captured.has(capture as never), capture).toBe(true);
    }
    const ratings = snapshot.ztunnel.serviceByName.get('default/ratings');
    expect(ratings?.waypoint).toBe('None');
    const reviews = snapshot.ztunnel.serviceByName.get('default/reviews');
    expect(reviews?.waypoint).toBe('reviews-svc-waypoint');
    const waypointRow = [...snapshot.proxyStatus.byPod.values()].find((r) => r.pod.startsWith('waypoint-'))!;
    expect(waypointRow.xds!['CDS']!.status).toMatch(/^STALE/);
    expect(snapshot.records.versions[0]!.client).toBe('1.28.1');
  });

  it('fires the same rules as the equivalent waypoint-collect bundle', async () => {
    const result = await analyzeBundle(ARCHIVE, { limits: DEFAULT_LIMITS, rules: BUILTIN_RULES });
    const failing = result.findings.filter((f) => f.status === 'fail').map((f) => f.ruleId).sort();
    // The sample's HTTPRoute sends ingress traffic to productpage, whose namespace uses a waypoint, without
    // istio.io/ingress-use-waypoint: a real fourth finding of that cluster (WP018). With that bypass, productpage's
    // waypoint policy has no ztunnel guard behind it: WP026, at info level. The namespace waypoint's access log
    // shows productpage-viewer refusing notsleep twice: WP042, at info level (a policy doing its job).
    expect(failing).toEqual(['WP001', 'WP004', 'WP018', 'WP026', 'WP037', 'WP042']);
    expect(result.findings.find((f) => f.ruleId === 'WP026')!.severity).toBe('info');
    const denials = result.findings.filter((f) => f.ruleId === 'WP042');
    expect(denials.map((f) => [f.severity, f.message])).toEqual([['info', expect.stringMatching(/denied 2 of 16 requests .*\(rbac_access_denied_matched_policy\[none\]\)/)]]);
    expect(denials[0]!.evidence).toHaveLength(2);
    for (const e of denials[0]!.evidence) expect(`${e.file}:${e.excerpt}`).toMatch(/proxies\/default\/waypoint-hxzdgnszt2-m5q8z\/istio-proxy\.log:.* 403 - rbac_access_denied_matched_policy\[none\]/);
    expect(result.counts.inconclusive).toBe(0);
    const wp037 = result.findings.find((f) => f.ruleId === 'WP037')!;
    expect(wp037.evidence[0]!.file).toMatch(/debug\/syncz$/);
  });
});
