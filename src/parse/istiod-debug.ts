/**
 * istiod's `/debug/syncz` (bug-report `istio/<ns>/<istiod>/debug/syncz`): the xDS sync state of every
 * connected proxy, as `istioctl proxy-status` computes it (legacy StatusWriter: sent vs acked nonce).
 */
import { isRecord } from './kube.js';
import type { FileParser } from './parser.js';
import { splitProxyName } from './proxy-status.js';
import { xdsTypeName } from './proxy-status-json.js';
import type { Diagnostic, ParseResult, ProxyStatusRow, XdsTypeStatus } from './types.js';

/** The flat fields of istiod ≤1.22 (and still present later), by short type. */
const FLAT_TYPES: Record<string, string> = { cluster: 'CDS', listener: 'LDS', route: 'RDS', endpoint: 'EDS', extensionconfig: 'ECDS' };

/** istioctl's `xdsStatus`: nothing sent, sent and acked, never acked, or acked an older nonce. */
export function syncStatus(sent: unknown, acked: unknown, lastError?: unknown): XdsTypeStatus {
  if (typeof lastError === 'string' && lastError !== '') return { status: 'ERROR' };
  if (typeof sent !== 'string' || sent === '') return { status: 'NOT SENT' };
  if (sent === acked) return { status: 'SYNCED' };
  if (typeof acked !== 'string' || acked === '') return { status: 'STALE (Never Acknowledged)' };
  return { status: 'STALE' };
}

function isSyncEntry(value: unknown): boolean {
  return isRecord(value) && typeof value['proxy'] === 'string' && ('cluster_sent' in value || 'resources' in value || 'proxy_type' in value || 'istio_version' in value);
}

export const istiodSynczParser: FileParser = {
  kind: 'istiod-syncz',
  detect: ({ json }) => (Array.isArray(json) && json.length > 0 && json.every(isSyncEntry) ? 0 : -1),
  parse({ file, json, context }): ParseResult {
    const diagnostics: Diagnostic[] = [];
    const rows: ProxyStatusRow[] = [];
    const istiod = context?.pod ? `${context.pod.name}` : '';
    (json as unknown[]).forEach((entry, i) => {
      if (!isRecord(entry)) return;
      const proxy = entry['proxy'] as string;
      const xds: Record<string, XdsTypeStatus> = {};
      const resources = isRecord(entry['resources']) ? entry['resources'] : undefined;
      if (resources) {
        for (const [typeUrl, r] of Object.entries(resources)) {
          if (isRecord(r)) xds[xdsTypeName(typeUrl)] = syncStatus(r['sent'], r['acked'], r['lastError']);
        }
      } else {
        for (const [prefix, type] of Object.entries(FLAT_TYPES)) {
          if (`${prefix}_sent` in entry || `${prefix}_acked` in entry) xds[type] = syncStatus(entry[`${prefix}_sent`], entry[`${prefix}_acked`]);
        }
      }
      rows.push({
        proxy,
        ...splitProxyName(proxy),
        cluster: typeof entry['cluster_id'] === 'string' ? entry['cluster_id'] : '',
        istiod,
        version: typeof entry['istio_version'] === 'string' ? entry['istio_version'] : typeof entry['proxy_version'] === 'string' ? entry['proxy_version'] : '',
        xds,
        ...(typeof entry['proxy_type'] === 'string' ? { proxyType: entry['proxy_type'] } : {}),
        source: { file, line: 1, path: `[${i}]` },
      });
    });
    return { records: { proxyStatus: rows }, diagnostics, summary: `sync state of ${rows.length} proxies${istiod ? ` at ${istiod}` : ''}` };
  },
};
