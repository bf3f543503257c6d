/**
 * The two ends of a trace, from what the user typed: `--from NS/POD` and `--to SERVICE[.NS][:PORT]`,
 * a Service's FQDN, or `IP:PORT` (a Service VIP or a pod IP). Resolved against the bundle's objects,
 * then ztunnel's tables, so a bundle of pasted tables can be traced too.
 */
import { InputError } from '../errors.js';
import { servicePorts } from '../model/routes.js';
import { getObject, objectsOf, objectKey, type ClusterSnapshot } from '../model/snapshot.js';
import type { KubeObject, ZtunnelService, ZtunnelWorkload } from '../parse/types.js';

export interface Source {
  namespace: string;
  name: string;
  pod?: KubeObject;
  ztunnel?: ZtunnelWorkload;
}

export interface Destination {
  /** Addressed by a Service's VIP (service traffic) or a pod's IP (workload traffic). */
  by: 'service' | 'pod';
  namespace: string;
  name: string;
  port?: number;
  service?: KubeObject;
  ztunnelService?: ZtunnelService;
  pod?: KubeObject;
  ztunnelWorkload?: ZtunnelWorkload;
  /** What the user typed, for messages. */
  as: string;
}

export function resolveSource(snapshot: ClusterSnapshot, from: string): Source {
  const m = /^([a-z0-9.-]+)\/([a-z0-9.-]+)$/i.exec(from.trim());
  if (!m) throw new InputError(`--from '${from}' is not NAMESPACE/POD`);
  const [namespace, name] = [m[1]!, m[2]!];
  const pod = getObject(snapshot, 'Pod', namespace, name);
  const ztunnel = snapshot.ztunnel.workloadByPod.get(objectKey(namespace, name));
  if (!pod && !ztunnel) throw new InputError(`--from ${namespace}/${name}: the bundle has no such pod (neither in its Pods nor in ztunnel's workloads)`);
  return { namespace, name, ...(pod ? { pod } : {}), ...(ztunnel ? { ztunnel } : {}) };
}

export function resolveDestination(snapshot: ClusterSnapshot, to: string, defaultNamespace: string): Destination {
  const text = to.trim();
  const ip = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d+)$/.exec(text) ?? /^\[([0-9a-f:]+)\]:(\d+)$/i.exec(text);
  if (ip) return byAddress(snapshot, ip[1]!, Number(ip[2]), text);
  const m = /^([a-z0-9-]+)(?:\.([a-z0-9-]+))?(?:\.svc(?:\.[a-z0-9.-]+)?)?(?::(\d+))?$/i.exec(text);
  if (!m) throw new InputError(`--to '${to}' is not SERVICE[.NAMESPACE][:PORT] or IP:PORT`);
  const [name, namespace = defaultNamespace] = [m[1]!, m[2]];
  const port = m[3] ? Number(m[3]) : undefined;
  const service = getObject(snapshot, 'Service', namespace, name) ?? getObject(snapshot, 'ServiceEntry', namespace, name);
  const ztunnelService = snapshot.ztunnel.serviceByName.get(objectKey(namespace, name));
  if (!service && !ztunnelService) throw new InputError(`--to ${name}.${namespace}: the bundle has no such Service (neither in its Services nor in ztunnel's services)`);
  return { by: 'service', namespace, name, port: port ?? firstPort(service), ...(service ? { service } : {}), ...(ztunnelService ? { ztunnelService } : {}), as: text };
}

function firstPort(service: KubeObject | undefined): number | undefined {
  const p = service ? servicePorts(service)[0] : undefined;
  return p ? Number(p['port'] ?? p['number']) : undefined;
}

function byAddress(snapshot: ClusterSnapshot, ip: string, port: number, as: string): Destination {
  for (const s of objectsOf(snapshot, 'Service')) {
    const ips = [s.spec['clusterIP'], ...(Array.isArray(s.spec['clusterIPs']) ? s.spec['clusterIPs'] : [])].map(String);
    if (ips.includes(ip)) return { by: 'service', namespace: s.namespace ?? '', name: s.name, port, service: s, ...zService(snapshot, s.namespace ?? '', s.name), as };
  }
  for (const row of snapshot.records.ztunnelServices) {
    if (row.vip.split(',').some((v) => v.replace(/^[^/]*\//, '') === ip)) return { by: 'service', namespace: row.namespace, name: row.name, port, ztunnelService: row, as };
  }
  for (const p of objectsOf(snapshot, 'Pod')) {
    const ips = [p.status['podIP'], ...(Array.isArray(p.status['podIPs']) ? p.status['podIPs'].map((x) => (x as Record<string, unknown>)['ip']) : [])].map(String);
    if (ips.includes(ip)) return { by: 'pod', namespace: p.namespace ?? '', name: p.name, port, pod: p, ...zWorkload(snapshot, p.namespace ?? '', p.name), as };
  }
  for (const row of snapshot.records.ztunnelWorkloads) {
    if (row.address.split(',').includes(ip)) return { by: 'pod', namespace: row.namespace, name: row.name, port, ztunnelWorkload: row, as };
  }
  throw new InputError(`--to ${as}: no Service VIP or pod IP ${ip} in the bundle`);
}

function zService(snapshot: ClusterSnapshot, ns: string, name: string): { ztunnelService?: ZtunnelService } {
  const row = snapshot.ztunnel.serviceByName.get(objectKey(ns, name));
  return row ? { ztunnelService: row } : {};
}

function zWorkload(snapshot: ClusterSnapshot, ns: string, name: string): { ztunnelWorkload?: ZtunnelWorkload } {
  const row = snapshot.ztunnel.workloadByPod.get(objectKey(ns, name));
  return row ? { ztunnelWorkload: row } : {};
}
