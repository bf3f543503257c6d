/** Which columns of istioctl's and kubectl's tables hold names, and of what. */
import { headerLabels, isHeaderCandidate } from '../parse/tabwriter.js';
import type { NameKind } from './map.js';

export type ColumnKind = NameKind | 'pod' | 'host' | 'pod.namespace';

const COLUMN_KINDS: Record<string, ColumnKind> = {
  NAMESPACE: 'namespace', 'POD NAME': 'pod', 'SERVICE NAME': 'service', 'POLICY NAME': 'policy', NODE: 'node', WAYPOINT: 'gateway', ISTIOD: 'pod',
  WORKLOAD: 'pod.namespace', 'SERVICE FQDN': 'host', HOST: 'host', HOSTS: 'host', HOSTNAME: 'host', GATEWAY: 'gateway', GATEWAYS: 'gateway', 'SERVICE ACCOUNT': 'serviceaccount',
};

/** Headers of tables, with the name columns each holds. `NAME` is a pod in proxy-status, else an object. */
export function headerColumns(lines: readonly string[]): { index: number; kinds: Record<string, ColumnKind> }[] {
  const found: { index: number; kinds: Record<string, ColumnKind> }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!isHeaderCandidate(line) || !/^\s*[A-Z][A-Z ()_./-]*$/.test(line)) continue;
    const labels = headerLabels(line);
    if (labels.length < 2) continue;
    const kinds: Record<string, ColumnKind> = {};
    for (const label of labels) if (COLUMN_KINDS[label]) kinds[label] = COLUMN_KINDS[label]!;
    if (labels.includes('NAME')) kinds['NAME'] = labels.includes('ISTIOD') || labels.includes('CDS') || labels.includes('SUBSCRIBED TYPES') ? 'pod.namespace' : labels.includes('TRAFFIC TYPE') ? 'gateway' : labels.includes('READY') && labels.includes('RESTARTS') ? 'pod' : 'name';
    if (Object.keys(kinds).length) found.push({ index: i, kinds });
  }
  return found;
}
