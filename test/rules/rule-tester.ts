/**
 * A RuleTester in the spirit of ESLint's: each case is a small bundle (files in the real capture
 * formats), `valid` cases must produce no failing finding, `invalid` cases exactly the findings listed.
 */
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../../src/model/build.js';
import type { ClusterSnapshot } from '../../src/model/snapshot.js';
import { runRule } from '../../src/rules/engine.js';
import type { Finding, Rule } from '../../src/rules/types.js';
import { parseText } from '../helpers.js';

export type Files = Record<string, string>;

export interface ExpectedFinding {
  /** `Kind namespace/name` of the subject, or undefined for findings without one. */
  subject?: string;
  status?: Finding['status'];
  message?: RegExp;
  /** `file:line` locations that must all be among the evidence. */
  evidence?: string[];
  /** `file:line` locations of the evidence against it (a contradicted finding); none when absent. */
  against?: string[];
}

export interface RuleTests {
  valid: { name: string; files: Files }[];
  invalid: { name: string; files: Files; findings: ExpectedFinding[] }[];
}

export function snapshotOf(files: Files): ClusterSnapshot {
  return buildSnapshot(Object.entries(files).map(([path, text]) => parseText(path, text)));
}

function subjectText(f: Finding): string | undefined {
  return f.subject ? `${f.subject.kind} ${f.subject.namespace ? `${f.subject.namespace}/` : ''}${f.subject.name}` : undefined;
}

export function ruleTester(rule: Rule, tests: RuleTests): void {
  describe(`${rule.meta.id}: ${rule.meta.title}`, () => {
    for (const c of tests.valid) {
      it(`valid: ${c.name}`, () => {
        const findings = runRule(rule, snapshotOf(c.files)).filter((f) => f.status === 'fail');
        expect(findings.map((f) => f.message)).toEqual([]);
      });
    }
    for (const c of tests.invalid) {
      it(`invalid: ${c.name}`, () => {
        const findings = runRule(rule, snapshotOf(c.files));
        expect(findings.map((f) => ({ subject: subjectText(f), status: f.status }))).toEqual(
          c.findings.map((e) => ({ subject: e.subject, status: e.status ?? 'fail' })),
        );
        c.findings.forEach((expected, i) => {
          const actual = findings[i]!;
          if (expected.message) expect(actual.message).toMatch(expected.message);
          const locations = actual.evidence.map((e) => `${e.file}:${e.line ?? ''}`);
          for (const loc of expected.evidence ?? []) expect(locations).toContain(loc);
          expect((actual.against ?? []).map((e) => `${e.file}:${e.line ?? ''}`), 'evidence against').toEqual(expected.against ?? []);
          if (actual.status === 'fail') {
            expect(actual.evidence.length, 'a failing finding needs evidence').toBeGreaterThan(0);
            expect(actual.fix?.text, 'a failing finding needs a fix').toBeTruthy();
          }
        });
      });
    }
  });
}

/** Kubernetes objects as `kubectl get -o yaml` prints a List, from compact descriptions. */
export function kubeList(items: object[]): string {
  return yaml.dump({ apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } }, { lineWidth: -1 });
}

export function namespace(name: string, labels: Record<string, string> = {}): object {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { labels: { 'kubernetes.io/metadata.name': name, ...labels }, name } };
}

export function service(ns: string, name: string, labels: Record<string, string> = {}): object {
  return { apiVersion: 'v1', kind: 'Service', metadata: { labels: { app: name, ...labels }, name, namespace: ns }, spec: { clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 9080 }] } };
}

export function pod(ns: string, name: string, labels: Record<string, string> = {}): object {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { labels, name, namespace: ns }, spec: { containers: [{ name: 'app' }] },
    status: { conditions: [{ type: 'Ready', status: 'True' }], phase: 'Running' },
  };
}

export function waypoint(ns: string, name: string, labels: Record<string, string> = {}, gatewayClassName = 'istio-waypoint', allowedFrom?: 'All' | 'Same'): object {
  const listener = { name: 'mesh', port: 15008, protocol: 'HBONE', ...(allowedFrom ? { allowedRoutes: { namespaces: { from: allowedFrom } } } : {}) };
  return {
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { labels, name, namespace: ns },
    spec: { gatewayClassName, listeners: [listener] },
    status: { addresses: [{ type: 'Hostname', value: `${name}.${ns}.svc.cluster.local` }] },
  };
}

export function gatewayClass(name: string, labels: Record<string, string> = {}): object {
  return { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { labels, name }, spec: { controllerName: 'istio.io/mesh-controller' } };
}

export function waypointPod(ns: string, gateway: string, name: string): object {
  return pod(ns, name, { 'gateway.networking.k8s.io/gateway-name': gateway, 'gateway.istio.io/managed': 'istio.io-mesh-controller' });
}

/**
 * A waypoint pod written by hand or by another tool: the Ready condition's status as given, unquoted
 * (`True`, `true`, `yes` are YAML 1.1 booleans to Kubernetes, which still means `"True"`).
 */
export function handWrittenWaypointPodYaml(name: string, readyStatus: string, gateway = 'waypoint'): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: default
  labels:
    gateway.networking.k8s.io/gateway-name: ${gateway}
    gateway.istio.io/managed: istio.io-mesh-controller
spec:
  containers:
  - name: istio-proxy
status:
  phase: Running
  conditions:
  - type: Ready
    status: ${readyStatus}
`;
}

/** An ambient namespace: `istio.io/dataplane-mode: ambient`, plus any labels (a use-waypoint). */
export function ambientNamespace(name: string, labels: Record<string, string> = {}): object {
  return namespace(name, { 'istio.io/dataplane-mode': 'ambient', ...labels });
}

/** A Service with a selector and ports, as kubectl prints it. */
export function appService(ns: string, name: string, labels: Record<string, string> = {}, ports: object[] = [{ name: 'http', port: 9080, protocol: 'TCP', targetPort: 9080 }]): object {
  return { apiVersion: 'v1', kind: 'Service', metadata: { labels: { app: name, ...labels }, name, namespace: ns }, spec: { clusterIP: '10.96.0.20', ports, selector: { app: name }, type: 'ClusterIP' } };
}

/** A running, ready pod that istio-cni redirected into ambient. */
export function ambientPod(ns: string, name: string, labels: Record<string, string>): object {
  return { ...pod(ns, name, labels) as Record<string, unknown>, metadata: { annotations: { 'ambient.istio.io/redirection': 'enabled' }, labels, name, namespace: ns } };
}

/** An AuthorizationPolicy from its spec, with optional status conditions. */
export function authorizationPolicy(ns: string, name: string, spec: object, conditions: object[] = []): object {
  return { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace: ns }, spec, ...(conditions.length ? { status: { conditions } } : {}) };
}

/** A parentRef or backendRef as users write them (`group` omitted unless given). */
export type RefSpec = { kind?: string; group?: string; name: string; namespace?: string; port?: number };

/**
 * An HTTPRoute (or GRPCRoute) as the API server returns it: parentRefs with the API server's defaults filled
 * in unless `asWritten`, and Istio's `status.parents` entry per parent when `accepted` conditions are given.
 */
export function httpRoute(ns: string, name: string, parents: RefSpec[], backends: RefSpec[], status: object[] = [], kind = 'HTTPRoute'): object {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1', kind, metadata: { name, namespace: ns },
    spec: { parentRefs: parents, rules: [{ backendRefs: backends.map((b) => ({ group: '', kind: 'Service', weight: 1, ...b })) }] },
    ...(status.length ? { status: { parents: status } } : {}),
  };
}

/** One `status.parents` entry written by Istio's controller. */
export function routeParentStatus(parent: RefSpec, conditions: { type: string; status: string; reason: string; message?: string }[]): object {
  return { conditions: conditions.map((c) => ({ lastTransitionTime: '2025-10-14T09:24:18Z', observedGeneration: 1, ...c })), controllerName: 'istio.io/gateway-controller', parentRef: parent };
}
