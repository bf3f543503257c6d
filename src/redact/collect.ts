/**
 * Finds the names a bundle holds, by meaning: which fields of Kubernetes and Istio objects are
 * names (and of what), which table columns, which log fields, and the shapes Istio builds from
 * names (`outbound|80||reviews.default.svc.cluster.local`, `ns[default]-policy[x]-rule[0]`,
 * `spiffe://td/ns/default/sa/x`, Envoy node ids, ztunnel uids). What it finds is what the rewriter
 * replaces everywhere; what it does not find is kept, so this errs on the side of finding.
 */
import { load as loadYaml, loadAll as loadAllYaml } from 'js-yaml';
import { kubectlListItems } from '../parse/kube-stream.js';
import { readTable } from '../parse/tabwriter.js';
import { splitLines } from '../text/decode.js';
import type { NameKind } from './map.js';
import { KEEP_VALUES_OF_LABEL, type KeepList } from './vocabulary.js';
import { headerColumns } from './table-headers.js';

const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;
const SUFFIX = '[bcdfghjklmnpqrstvwxz2456789]';
const REPLICASET_POD = new RegExp(`^(.+)-(${SUFFIX}{6,10})-(${SUFFIX}{5})$`);
const GENERATED_SUFFIX = new RegExp(`^(.+)-(${SUFFIX}{5})$`);
const REPLICASET = new RegExp(`^(.+)-(${SUFFIX}{6,10})$`);

const KIND_OF_OBJECT: Record<string, NameKind | 'pod' | 'replicaset'> = {
  Namespace: 'namespace', Service: 'service', ServiceEntry: 'service', Pod: 'pod', ReplicaSet: 'replicaset', Deployment: 'workload', StatefulSet: 'workload',
  DaemonSet: 'workload', Job: 'workload', CronJob: 'workload', WorkloadEntry: 'workload', WorkloadGroup: 'workload', ServiceAccount: 'serviceaccount', Node: 'node', Gateway: 'gateway',
  AuthorizationPolicy: 'policy', PeerAuthentication: 'policy', RequestAuthentication: 'policy', NetworkPolicy: 'policy', HTTPRoute: 'route', GRPCRoute: 'route',
  TCPRoute: 'route', TLSRoute: 'route', VirtualService: 'route', DestinationRule: 'route', EndpointSlice: 'pod',
};

/** Fields that hold a name wherever they appear (Kubernetes objects, Envoy node metadata, ztunnel dumps). */
const NAME_FIELDS: Record<string, NameKind | 'pod' | 'host'> = {
  namespace: 'namespace', NAMESPACE: 'namespace', namespaces: 'namespace', serviceAccountName: 'serviceaccount', serviceAccount: 'serviceaccount',
  SERVICE_ACCOUNT: 'serviceaccount', nodeName: 'node', node: 'node', NODE_NAME: 'node', workloadName: 'workload', WORKLOAD_NAME: 'workload',
  canonicalName: 'workload', NAME: 'pod', host: 'host', hosts: 'host', hostname: 'host', hostnames: 'host', gateways: 'gateway', podName: 'pod', pod: 'pod',
  cluster: 'cluster', context: 'cluster', serviceName: 'service', subset: 'name',
};

/** Objects whose `name` is a reference to another object. */
const REFERENCE_PARENTS = new Set(['parentRefs', 'backendRefs', 'targetRef', 'targetRefs', 'ownerReferences', 'involvedObject', 'scaleTargetRef', 'regarding', 'related', 'subsets', 'destination']);
const LABEL_MAPS = new Set(['labels', 'matchLabels', 'selector', 'nodeSelector', 'LABELS', 'annotations']);

export class NameCollector {
  /** Each name with the most telling kind it was seen as. */
  readonly names = new Map<string, NameKind>();

  constructor(private readonly keep: KeepList, private readonly rank: (kind: NameKind) => number) {}

  add(value: unknown, kind: NameKind | 'pod' | 'replicaset' | 'host'): void {
    if (typeof value !== 'string') return;
    const v = value.trim().replace(/^\*\./, '');
    if (v === '' || v === '*' || v.length > 253 || (kind !== 'cluster' && this.keep.has(v))) return;
    if (kind === 'host') return this.addHost(v);
    // A dotted object name is a CRD's, an APIService's or an Event's: schema, or named after its object.
    if (v.includes('.') && kind !== 'cluster') return kind === 'service' ? this.addHost(v) : undefined;
    if (kind === 'pod') return this.addPod(v);
    if (kind === 'replicaset') return this.addReplicaSet(v);
    if (kind === 'cluster' && !DNS_LABEL.test(v)) {
      // A kubectl context such as arn:aws:eks:region:account:cluster/name: every word of it.
      for (const word of v.split(/[^A-Za-z0-9-]+/)) if (word.length >= 3 && (!this.keep.has(word) || /^\d{6,}$/.test(word))) this.put(word, 'cluster');
      return;
    }
    if (v.includes('/') && kind !== 'cluster') {
      const [ns, name] = v.split('/', 2) as [string, string];
      if (kind === 'gateway' || kind === 'policy') this.add(ns, 'namespace');
      return this.add(name, kind);
    }
    if (!DNS_LABEL.test(v) || this.keep.has(v) || this.keep.isComponentWord(v.split('-')[0]!)) return;
    this.put(v, kind);
  }

  private put(v: string, kind: NameKind): void {
    const known = this.names.get(v);
    if (known === undefined || this.rank(kind) < this.rank(known)) this.names.set(v, kind);
  }

  /** `<workload>-<replicaset hash>-<id>`, `<daemonset>-<id>`, `<statefulset>-<n>`: each part on its own. */
  addPod(name: string): void {
    const m = REPLICASET_POD.exec(name) ?? GENERATED_SUFFIX.exec(name);
    // An Event names a ReplicaSet's pods' owner as `<workload>-<hash>` too.
    if (!m) return REPLICASET.test(name) ? this.addReplicaSet(name) : this.add(name.replace(/-\d+$/, ''), 'workload');
    this.add(m[1], 'workload');
    for (const part of m.slice(2)) if (part && !this.keep.has(part)) this.put(part, 'hash');
  }

  private addReplicaSet(name: string): void {
    const m = REPLICASET.exec(name.replace(/-$/, ''));
    if (!m) return this.add(name.replace(/-$/, ''), 'workload');
    this.add(m[1], 'workload');
    if (!this.keep.has(m[2]!)) this.put(m[2]!, 'hash');
  }

  /** `name.ns.svc.<domain>` is a service and a namespace; another host is its labels, its top-level domain kept. */
  addHost(host: string): void {
    // Legacy waypoint chain names are `<fqdn>-http` / `<fqdn>-tcp`.
    const h = host.replace(/^\*\./, '').replace(/:\d+$/, '').replace(/\.$/, '').replace(/\.svc\.(.+)-(?:http|tcp)$/, '.svc.$1');
    if (/^[\d.]+$/.test(h) || h.includes(':') || h === '*') return;
    const svc = /^(?:([a-z0-9-]+)\.)?([a-z0-9-]+)\.svc(?:\.(.+))?$/i.exec(h);
    if (svc) {
      if (svc[1]) this.add(svc[1], 'service');
      this.add(svc[2], 'namespace');
      if (svc[3] && svc[3] !== 'cluster.local') for (const label of svc[3].split('.')) this.add(label, 'host');
      return;
    }
    const labels = h.split('.');
    if (labels.length === 1) return this.add(h, 'service');
    if (labels.length === 2 && this.names.get(labels[1]!) === 'namespace') {
      this.add(labels[0], 'service');
      return;
    }
    labels.slice(0, -1).forEach((label) => DNS_LABEL.test(label) && !this.keep.has(label) && !this.keep.isComponentWord(label.split('-')[0]!) && this.put(label, 'host'));
  }

  /** Everything this file says: its structure when it has one, its tables, its log fields, its shapes. */
  file(path: string, text: string): void {
    this.path(path);
    this.shapes(text);
    const trimmed = text.trimStart();
    // A kubectl List is walked item by item (as `items` of the List would be), never built whole.
    if (kubectlListItems(text, (item) => this.walk(item, 'items', undefined))) {
      // its envelope (apiVersion, kind List, metadata) names nothing
    } else if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      for (const doc of jsonDocuments(text)) this.walk(doc, '', undefined);
    } else if (/^(?:apiVersion|kind|items|metadata|spec|- apiVersion):/m.test(text)) {
      try {
        for (const doc of loadAllYaml(text)) this.walk(doc, '', undefined);
      } catch {
        // Not YAML after all; its shapes and words were still read.
      }
    }
    this.tables(text);
    this.logFields(text);
  }

  /** `config-dumps/<ns>/<pod>.json`, `logs/<ns>/<pod>.log`, `proxies/<ns>/<pod>/...`, `ztunnel/<ns>/<pod>/`. */
  private path(path: string): void {
    const m = /(?:^|\/)(?:config-dumps|logs|proxies|ztunnel|istio)\/([^/]+)\/([^/]+?)(?:\.json|\.log|\.txt)?(?:\/|$)/.exec(path);
    if (m) {
      this.add(m[1], 'namespace');
      this.add(m[2], 'pod');
    }
    const bundle = /(?:^|\/)waypoint-bundle-(.+)-\d{8}T\d{6}Z(?:\/|$)/.exec(path);
    if (bundle) this.add(bundle[1], 'cluster');
  }

  private shapes(text: string): void {
    for (const m of text.matchAll(/(?<![a-z0-9-])(?:([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)|\*)\.([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)\.svc\b(?:\.((?:[a-z0-9-]+\.)*[a-z0-9-]+))?/gi)) this.addHost(`${m[1] ?? 'x'}.${m[2]}.svc${m[3] ? `.${m[3]}` : ''}`.replace(/^x\./, ''));
    for (const m of text.matchAll(/(?:spiffe:\/\/([a-z0-9.-]+))?\/ns\/([a-z0-9-]+)\/sa\/([a-z0-9.-]+)/gi)) {
      if (m[1] && m[1] !== 'cluster.local') this.addHost(m[1]);
      this.add(m[2], 'namespace');
      this.add(m[3], 'serviceaccount');
    }
    for (const m of text.matchAll(/ns\[([^\]\s"]+)\]-policy\[([^\]\s"]+)\]/g)) {
      this.add(m[1], 'namespace');
      this.add(m[2], 'policy');
    }
    for (const m of text.matchAll(/(?:outbound|inbound|inbound-vip)\|\d*\|([^|\s"]*)\|([^\s"|,;]+)/g)) {
      this.add(m[1], 'name');
      this.addHost(m[2]!);
    }
    for (const m of text.matchAll(/(?:sidecar|router|waypoint|ztunnel)~[^~\s"]*~([a-z0-9-]+)\.([a-z0-9-]+)~/g)) {
      this.add(m[1], 'pod');
      this.add(m[2], 'namespace');
    }
    for (const m of text.matchAll(/\/\/(Pod|Service|WorkloadEntry|ServiceEntry)\/([a-z0-9-]+)\/([a-z0-9.-]+)/g)) {
      this.add(m[2], 'namespace');
      this.add(m[3], m[1] === 'Pod' ? 'pod' : m[1] === 'Service' ? 'service' : 'workload');
    }
    for (const m of text.matchAll(/namespaces\/([a-z0-9-]+)(?:\/([a-z]+)\/([a-z0-9.-]+))?/g)) {
      this.add(m[1], 'namespace');
      if (m[3]) this.add(m[3], m[2] === 'pods' ? 'pod' : m[2] === 'services' ? 'service' : m[2] === 'gateways' ? 'gateway' : 'workload');
    }
    for (const m of text.matchAll(/trustDomain:\s*"?([a-z0-9.-]+)/gi)) if (m[1] !== 'cluster.local') this.addHost(m[1]!);
  }

  private walk(node: unknown, key: string, object: Record<string, unknown> | undefined): void {
    if (Array.isArray(node)) {
      for (const item of node) this.walk(item, key, object);
      return;
    }
    if (node === null || typeof node !== 'object') {
      this.field(key, node, object);
      return;
    }
    const obj = node as Record<string, unknown>;
    if (typeof obj['kind'] === 'string' && obj['metadata'] && typeof obj['metadata'] === 'object') this.kubeObject(obj);
    if (Array.isArray(obj['workloadIps'])) this.add(obj['name'], 'pod');
    if (Array.isArray(obj['vips'])) this.add(obj['name'], 'service');
    if (typeof obj['scope'] === 'string' && 'action' in obj) this.add(obj['name'], 'policy');
    if (REFERENCE_PARENTS.has(key)) this.add(obj['name'], KIND_OF_OBJECT[obj['kind'] as string] ?? (key === 'backendRefs' ? 'service' : 'name'));
    for (const [k, v] of Object.entries(obj)) {
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) this.keep.addSchemaWord(k);
      if (LABEL_MAPS.has(k) && v && typeof v === 'object' && !Array.isArray(v)) this.labels(v as Record<string, unknown>, k === 'annotations');
      else this.walk(v, k, obj);
    }
  }

  private field(key: string, value: unknown, object: Record<string, unknown> | undefined): void {
    const kind = NAME_FIELDS[key];
    if (!kind || typeof value !== 'string') return;
    // `cluster` is a kubectl context's cluster (manifest, kubeconfig), not an Envoy cluster name.
    if (kind === 'cluster' && (value.includes('|') || !object || !('context' in object || 'collector' in object))) return;
    if (key === 'node' && value.includes('~')) return;
    this.add(value, kind);
  }

  private kubeObject(obj: Record<string, unknown>): void {
    const md = obj['metadata'] as Record<string, unknown>;
    const kind = KIND_OF_OBJECT[obj['kind'] as string] ?? 'name';
    if (obj['kind'] === 'Event' && typeof md['name'] === 'string') this.add(md['name'].split('.')[0], 'pod');
    else this.add(md['name'], kind);
    this.add(md['namespace'], 'namespace');
    if (typeof md['generateName'] === 'string') this.add(md['generateName'], obj['kind'] === 'Pod' ? 'replicaset' : 'workload');
    for (const ref of Array.isArray(md['ownerReferences']) ? (md['ownerReferences'] as Record<string, unknown>[]) : []) this.add(ref['name'], KIND_OF_OBJECT[ref['kind'] as string] ?? 'workload');
    const spec = obj['spec'] as Record<string, unknown> | undefined;
    if (spec && typeof spec === 'object' && Array.isArray(spec['containers'])) for (const c of spec['containers'] as Record<string, unknown>[]) this.add(c['name'], 'workload');
  }

  private labels(map: Record<string, unknown>, annotations: boolean): void {
    for (const [k, v] of Object.entries(map)) {
      if (typeof v !== 'string' || KEEP_VALUES_OF_LABEL.test(k)) continue;
      if (annotations) {
        if (k === 'kubectl.kubernetes.io/last-applied-configuration' || k === 'sidecar.istio.io/status') {
          try { this.walk(k.startsWith('kubectl') ? JSON.parse(v) : loadYaml(v), '', undefined); } catch { /* not JSON: its words are still rewritten */ }
        } else if (DNS_LABEL.test(v)) this.add(v, 'name');
        continue;
      }
      if (k === 'pod-template-hash') { if (!this.keep.has(v)) this.put(v, 'hash'); }
      else if (k === 'kubernetes.io/hostname') this.add(v, 'node');
      else if (k === 'istio.io/use-waypoint' || k === 'gateway.networking.k8s.io/gateway-name') this.add(v, 'gateway');
      else if (k === 'istio.io/use-waypoint-namespace' || k === 'kubernetes.io/metadata.name') this.add(v, 'namespace');
      else if (k === 'statefulset.kubernetes.io/pod-name') this.add(v, 'pod');
      else this.add(v, /(?:^|\/)(?:app|name|instance|canonical-name)$/.test(k) ? 'workload' : 'name');
    }
  }

  private tables(text: string): void {
    const lines = splitLines(text);
    for (const { index, kinds } of headerColumns(lines)) {
      const { table } = readTable(lines, index, '');
      for (const row of table.rows) {
        for (const [label, kind] of Object.entries(kinds)) {
          const cell = row.cells[label];
          if (!cell) continue;
          if (kind === 'pod.namespace') {
            const m = /^([a-z0-9-]+)\.([a-z0-9-]+)$/.exec(cell);
            if (m) { this.add(m[1], 'pod'); this.add(m[2], 'namespace'); }
            else this.add(cell, 'pod');
          } else for (const v of cell.split(',')) this.add(v, kind);
        }
      }
    }
  }

  /** ztunnel's `src.workload=x dst.namespace="y" dst.service=z.ns.svc.cluster.local`. */
  private logFields(text: string): void {
    for (const m of text.matchAll(/(?:^|[\s{,])"?([a-z_]+(?:\.[a-z_]+)*)"?[=:] ?"?([A-Za-z0-9][A-Za-z0-9.-]*)/g)) {
      const key = m[1]!;
      const last = key.split('.').pop()!;
      if (last === 'workload' || key === 'pod_name' || key === 'pod') this.add(m[2], 'pod');
      else if (last === 'namespace' || key.endsWith('_namespace')) this.add(m[2], 'namespace');
      else if (last === 'service' || key.endsWith('_service') || key === 'authority' || key.endsWith('_service_name')) this.add(m[2], 'host');
      else if (last === 'waypoint') this.add(m[2], 'gateway');
      else if (key.endsWith('_workload') || key.endsWith('_app') || key.endsWith('canonical_service')) this.add(m[2], 'workload');
    }
  }
}

/** One JSON document, or several concatenated (`proxy-status -o json` prints one per istiod). */
function jsonDocuments(text: string): unknown[] {
  try {
    return [JSON.parse(text)];
  } catch {
    const docs: unknown[] = [];
    for (const part of text.split(/(?<=\})\s*(?=\{)/)) {
      try { docs.push(JSON.parse(part)); } catch { /* one bad part does not hide the others */ }
    }
    return docs;
  }
}
