/** Other support tools' own files, as their sources write them (docs/support-bundles.md). */
import { describe, expect, it } from 'vitest';
import { parseText } from '../helpers.js';

describe("support tools' own files", () => {
  it.each([
    ['version.yaml', 'apiVersion: troubleshoot.sh/v1beta2\nkind: SupportBundle\nmetadata:\n  creationTimestamp: null\nspec:\n  versionNumber: v0.133.0\n', 'troubleshoot support-bundle v0.133.0 (its version.yaml)'],
    ['analysis.json', JSON.stringify([{ name: 'cluster-version', labels: {}, insight: { name: 'cluster-version', primary: 'OK' }, severity: 'debug', analyzerSpec: '' }], null, 4), 'troubleshoot analysis: 1 analyzer results'],
    ['execution-data/summary.txt', '========= Collectors summary ==========\ncluster-resources : 120ms\n', 'troubleshoot execution summary (collector durations)'],
    ['must-gather.logs', '[must-gather      ] OUT 2025-10-14T09:28:04.123456789Z Using must-gather plug-in image: quay.io/x\n', "oc adm must-gather's own log"],
    ['timestamp', '2025-10-14 09:28:04.123456789 +0000 UTC m=+0.298765432\n2025-10-14 09:28:12.987654321 +0000 UTC m=+8.123456789\n', 'must-gather timestamp (start and end)'],
    ['version', 'openshift-service-mesh/must-gather\n3.1.0\n', 'must-gather image version file (3.1.0)'],
    ['event-filter.html', '<!doctype html>\n<html lang="en"><head><title>Events</title></head><body></body></html>\n', "must-gather's event page (HTML)"],
    ['run-host/ps-info.json', '{"command":"/usr/local/bin/istioctl proxy-status","exitCode":"0","error":"","outputDir":"","input":"","env":[]}', 'troubleshoot run collector: `/usr/local/bin/istioctl proxy-status` exited 0'],
  ])('%s is known', (file, text, summary) => {
    const parsed = parseText(file, text);
    expect([parsed.kind, parsed.summary, parsed.diagnostics]).toEqual(['support-tool-file', summary, []]);
  });

  it('takes a troubleshoot run collector that failed for a failed capture', () => {
    const parsed = parseText('run-host/ps-info.json', '{"command":"istioctl proxy-status","exitCode":"1","error":"Error: unable to find any Istiod instances\\n","outputDir":"","input":"","env":[]}');
    expect(parsed.records.captureErrors).toEqual([{ command: 'istioctl proxy-status', message: 'Error: unable to find any Istiod instances', source: { file: 'run-host/ps-info.json', line: 1 } }]);
  });

  it('lists an empty file as empty, not as unrecognized', () => {
    expect(parseText('previous.log', '')).toMatchObject({ kind: 'empty', summary: 'empty file' });
  });
});
