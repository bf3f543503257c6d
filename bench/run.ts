/**
 * `npm run bench`: parse speed on large generated captures, against the floor the design names
 * (JSON.parse of the same bytes) and js-yaml alone. Numbers are printed, never asserted: speed goals
 * live here, not in timed tests.
 */
import { performance } from 'node:perf_hooks';
import yaml from 'js-yaml';
import { parseFile } from '../src/parse/index.js';
import { buildSnapshot } from '../src/model/build.js';
import { runRules } from '../src/rules/engine.js';
import { BUILTIN_RULES } from '../src/rules/index.js';

const PODS = Number(process.env['BENCH_PODS'] ?? 20_000);

function pod(i: number) {
  const ns = `team-${i % 50}`;
  const name = `app-${i}-7c4bbf97db-${(i * 7919).toString(36).slice(0, 5)}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      annotations: { 'ambient.istio.io/redirection': 'enabled' },
      creationTimestamp: '2026-11-20T10:00:00Z',
      labels: { app: `app-${i % 300}`, 'pod-template-hash': '7c4bbf97db', ...(i % 10 === 0 ? { 'istio.io/use-waypoint': 'waypoint' } : {}) },
      name,
      namespace: ns,
      ownerReferences: [{ apiVersion: 'apps/v1', blockOwnerDeletion: true, controller: true, kind: 'ReplicaSet', name: `app-${i}-7c4bbf97db`, uid: '2b9f3c1e-0d4b-4c55-9a77-1f2e3d4c5b6a' }],
      resourceVersion: String(100000 + i),
      uid: `0c1d2e3f-4a5b-6c7d-8e9f-${String(i).padStart(12, '0')}`,
    },
    spec: {
      containers: [{ image: 'docker.io/istio/examples-bookinfo-ratings-v1:1.20.2', imagePullPolicy: 'IfNotPresent', name: 'app', ports: [{ containerPort: 9080, protocol: 'TCP' }], resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' }],
      nodeName: `node-${i % 40}`,
      serviceAccountName: `app-${i % 300}`,
    },
    status: {
      conditions: [{ lastTransitionTime: '2026-11-20T10:00:05Z', status: 'True', type: 'Ready' }],
      phase: 'Running',
      podIP: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    },
  };
}

function time<T>(label: string, bytes: number, fn: () => T): T {
  globalThis.gc?.();
  const before = process.memoryUsage().heapUsed;
  const start = performance.now();
  const result = fn();
  const ms = performance.now() - start;
  const heap = (process.memoryUsage().heapUsed - before) / 1024 ** 2;
  console.log(`${label.padEnd(44)} ${(bytes / 1024 ** 2).toFixed(1).padStart(6)} MB ${ms.toFixed(0).padStart(7)} ms ${(bytes / 1024 ** 2 / (ms / 1000)).toFixed(1).padStart(7)} MB/s  heap +${heap.toFixed(0)} MB`);
  return result;
}

const items = Array.from({ length: PODS }, (_, i) => pod(i));
const list = { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } };
const json = Buffer.from(JSON.stringify(list, null, 4));
const yamlText = Buffer.from(yaml.dump(list, { lineWidth: -1, noRefs: true }));
const header = ['NAMESPACE', 'POD NAME', 'ADDRESS', 'NODE', 'WAYPOINT', 'PROTOCOL'];
const rows = items.map((p) => [p.metadata.namespace, p.metadata.name, p.status.podIP, p.spec.nodeName, 'None', 'HBONE']);
const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
const table = Buffer.from([header, ...rows].map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]! + 1))).join('')).join('\n'));

console.log(`${PODS} pods; node ${process.version}`);
time('floor: JSON.parse of the pods List', json.length, () => JSON.parse(json.toString('utf8')));
time('floor: js-yaml load of the pods List', yamlText.length, () => yaml.load(yamlText.toString('utf8'), { schema: yaml.CORE_SCHEMA }));
const fromJson = time('parseFile: kubectl get pods -o json', json.length, () => parseFile('pods.json', json));
time('parseFile: kubectl get pods -o yaml', yamlText.length, () => parseFile('pods.yaml', yamlText));
const zw = time('parseFile: ztunnel-config workload table', table.length, () => parseFile('zw.txt', table));
time('snapshot + rules over pods and table', json.length, () => runRules(BUILTIN_RULES, buildSnapshot([fromJson, zw])));
