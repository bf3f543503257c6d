/**
 * Istio's MeshConfig as a bare YAML file (what `istioctl analyze --meshConfigFile` takes, and the
 * `mesh` key of the `istio` ConfigMap saved on its own), and MeshNetworks. ConfigMaps holding it
 * are Kubernetes objects and go through the kube parser.
 */
import yaml from 'js-yaml';
import { isRecord } from './kube.js';
import type { FileParser } from './parser.js';
import type { KubeObject, ParseResult, Provenance } from './types.js';

/** Top-level MeshConfig / MeshNetworks fields common enough to recognize the file by. */
const MESH_KEYS = /^(defaultConfig|accessLogFile|accessLogEncoding|accessLogFormat|enableTracing|enableAutoMtls|rootNamespace|trustDomain|outboundTrafficPolicy|extensionProviders|defaultProviders|meshMTLS|networks|ingressControllerMode|defaultServiceExportTo|discoverySelectors):/;

export const meshConfigParser: FileParser = {
  kind: 'mesh-config',
  detect: ({ json, head }) => {
    if (json !== undefined) return -1;
    const keys = head.filter((l) => /^[a-zA-Z]+:/.test(l));
    // No apiVersion/kind: not a Kubernetes object; most top-level keys are MeshConfig's.
    return keys.length > 0 && !keys.some((l) => /^(apiVersion|kind):/.test(l)) && keys.some((l) => MESH_KEYS.test(l)) ? 0 : -1;
  },
  parse({ file, text }): ParseResult {
    try {
      const config = yaml.load(text, { schema: yaml.CORE_SCHEMA });
      if (!isRecord(config)) return { records: {}, diagnostics: [{ file, line: 1, message: 'mesh config is not a mapping' }], summary: 'unreadable' };
      return { records: { meshConfigs: [{ config, source: { file, line: 1 } }] }, diagnostics: [], summary: `mesh config: ${Object.keys(config).join(', ')}` };
    } catch (err) {
      const line = ((err as { mark?: { line?: number } }).mark?.line ?? 0) + 1;
      return { records: {}, diagnostics: [{ file, line, message: `mesh config could not be parsed: ${(err as Error).message.split('\n')[0]}` }], summary: 'unreadable' };
    }
  },
};

/**
 * The MeshConfig inside an `istio` (or `istio-<revision>`) ConfigMap, which `kubectl get configmap`
 * captures hold as the YAML string `data.mesh`; undefined for any other object or unreadable YAML.
 */
export function meshConfigOfConfigMap(object: KubeObject): { config: Record<string, unknown>; source: Provenance } | undefined {
  if (object.kind !== 'ConfigMap' || !/^istio(-.+)?$/.test(object.name)) return undefined;
  const data = isRecord(object.spec['data']) ? object.spec['data'] : undefined;
  const mesh = data?.['mesh'];
  if (typeof mesh !== 'string') return undefined;
  try {
    const config = yaml.load(mesh, { schema: yaml.CORE_SCHEMA });
    return isRecord(config) ? { config, source: object.source } : undefined;
  } catch {
    return undefined;
  }
}
