/**
 * `istioctl proxy-status -o json|yaml` (1.30+): one xDS DiscoveryResponse per istiod, printed one
 * after another WITHOUT a separator. Each ClientConfig resource is one proxy with a status per type.
 */
import yaml from 'js-yaml';
import { isRecord } from './kube.js';
import type { FileParser } from './parser.js';
import { splitProxyName, parseXdsCell } from './proxy-status.js';
import type { Diagnostic, ParseResult, ProxyStatusRow } from './types.js';

const CLIENT_CONFIG = 'type.googleapis.com/envoy.service.status.v3.ClientConfig';

/** Short names as istioctl prints them; an unknown type keeps its full URL, as istioctl does. */
const TYPE_NAMES: Record<string, string> = {
  'envoy.config.cluster.v3.Cluster': 'CDS',
  'envoy.config.listener.v3.Listener': 'LDS',
  'envoy.config.route.v3.RouteConfiguration': 'RDS',
  'envoy.config.endpoint.v3.ClusterLoadAssignment': 'EDS',
  'envoy.config.core.v3.TypedExtensionConfig': 'ECDS',
  'envoy.extensions.transport_sockets.tls.v3.Secret': 'SDS',
  'istio.workload.Address': 'WDS',
  'istio.security.Authorization': 'WADS',
  'istio.networking.nds.v1.NameTable': 'NDS',
};

export function xdsTypeName(typeUrl: string): string {
  return TYPE_NAMES[typeUrl.replace(/^type\.googleapis\.com\//, '')] ?? typeUrl;
}

function isDiscoveryResponse(doc: unknown): boolean {
  return isRecord(doc) && (doc['typeUrl'] === CLIENT_CONFIG || (Array.isArray(doc['resources']) && isRecord(doc['controlPlane'])));
}

/** The YAML form: each document starts again at `controlPlane:` (keys are sorted), with no `---`. */
function yamlDocuments(text: string): string[] {
  return text.split(/^(?=controlPlane:)/m).filter((d) => d.trim() !== '');
}

export const proxyStatusJsonParser: FileParser = {
  kind: 'proxy-status-json',
  detect: ({ json, head, text }) => {
    if (json !== undefined) return (Array.isArray(json) ? json.length > 0 && json.every(isDiscoveryResponse) : isDiscoveryResponse(json)) ? 0 : -1;
    return head.some((l) => l.startsWith('controlPlane:')) && text.includes(CLIENT_CONFIG) ? 0 : -1;
  },
  parse({ file, json, text, index }): ParseResult {
    const diagnostics: Diagnostic[] = [];
    let docs: unknown[] = [];
    if (json !== undefined) {
      docs = Array.isArray(json) ? json : [json];
    } else {
      for (const doc of yamlDocuments(text)) {
        try {
          docs.push(yaml.load(doc, { schema: yaml.CORE_SCHEMA }));
        } catch (err) {
          diagnostics.push({ file, line: index.lineOf(text.indexOf(doc)) + 1, message: `YAML document could not be parsed: ${(err as Error).message.split('\n')[0]}` });
        }
      }
    }
    const rows: ProxyStatusRow[] = [];
    // Lines of each proxy's node id, found in one forward pass over the text.
    let searchFrom = 0;
    docs.forEach((doc, d) => {
      if (!isRecord(doc)) return;
      const istiod = istiodId(doc['controlPlane']);
      const resources = Array.isArray(doc['resources']) ? doc['resources'] : [];
      resources.forEach((resource: unknown, r) => {
        if (!isRecord(resource) || !isRecord(resource['node'])) {
          diagnostics.push({ file, message: `document ${d + 1}: resources[${r}] has no node; skipped` });
          return;
        }
        const node = resource['node'];
        const metadata = isRecord(node['metadata']) ? node['metadata'] : {};
        const id = typeof node['id'] === 'string' ? node['id'] : '';
        // Envoy node ids look like `router~10.244.1.5~waypoint-x.default~default.svc.cluster.local`.
        const proxy = id.includes('~') ? (id.split('~')[2] ?? id) : id;
        const at = text.indexOf(id, searchFrom);
        if (at >= 0) searchFrom = at + id.length;
        const row: ProxyStatusRow = {
          proxy,
          ...splitProxyName(proxy),
          cluster: typeof metadata['CLUSTER_ID'] === 'string' ? metadata['CLUSTER_ID'] : '',
          istiod,
          version: typeof metadata['ISTIO_VERSION'] === 'string' ? metadata['ISTIO_VERSION'] : '',
          xds: {},
          source: { file, ...(at >= 0 ? { line: index.lineOf(at) + 1 } : {}), path: `${docs.length > 1 ? `[${d}].` : ''}resources[${r}]` },
        };
        if (!row.namespace && typeof metadata['NAMESPACE'] === 'string') row.namespace = metadata['NAMESPACE'];
        for (const c of Array.isArray(resource['genericXdsConfigs']) ? resource['genericXdsConfigs'] : []) {
          if (!isRecord(c) || typeof c['typeUrl'] !== 'string') continue;
          row.xds![xdsTypeName(c['typeUrl'])] = parseXdsCell(typeof c['configStatus'] === 'string' ? c['configStatus'] : 'UNKNOWN');
        }
        rows.push(row);
      });
    });
    return { records: { proxyStatus: rows }, diagnostics, summary: `${rows.length} proxies from ${docs.length} istiod${docs.length === 1 ? '' : 's'}` };
  },
};

function istiodId(controlPlane: unknown): string {
  if (!isRecord(controlPlane) || typeof controlPlane['identifier'] !== 'string') return '';
  try {
    const id = JSON.parse(controlPlane['identifier']) as unknown;
    return isRecord(id) && typeof id['ID'] === 'string' ? id['ID'] : '';
  } catch {
    return '';
  }
}
