/**
 * What redaction keeps: words that carry Istio's or Kubernetes' meaning (a diagnosis reads them) and
 * names that identify nothing about a customer (`istio-system`, `default`, the Gateway `waypoint`
 * that `istioctl waypoint apply` names by default). A value on this list is never given a pseudonym.
 */

/** Namespaces every cluster has; `--keep` adds more. */
export const WELL_KNOWN_NAMESPACES = ['default', 'istio-system', 'kube-system', 'kube-public', 'kube-node-lease', 'istio-ingress', 'istio-egress', 'local-path-storage'];

/** Istio's and Kubernetes' own values, as they appear in labels, tables and dumps. */
const ISTIO_VALUES = [
  // istio.io/use-waypoint, waypoint-for, dataplane-mode, ztunnel's WAYPOINT column
  'waypoint', 'none', 'None', 'NA', 'all', 'service', 'services', 'workload', 'workloads', 'ambient', 'sidecar', 'enabled', 'disabled',
  'istio', 'istiod', 'ztunnel', 'istio-cni', 'istio-proxy', 'istio-init', 'istio-validation', 'istio-waypoint', 'istio-remote', 'istio-east-west',
  'istio-ingressgateway', 'istio-egressgateway', 'istio-gateway', 'istio-envoy', 'istio-token', 'istio-data', 'istio-podinfo', 'istio-ca-root-cert',
  'istio-ca-crl', 'istio-sidecar-injector', 'istio-reader-service-account', 'istiod-service-account', 'ztunnel-config', 'istio.io-mesh-controller',
  'istio.io-gateway-controller', 'istio-mesh-controller', 'istio-gateway-controller', 'discovery', 'mesh', 'latest', 'kubernetes', 'Kubernetes',
  'kube-dns', 'coredns', 'metrics-server', 'apiserver', 'kube-apiserver', 'install-cni', 'local-storage', 'local-path-provisioner-service-account', 'metrics-server-deployment', 'local-path-provisioner', 'traefik', 'svclb-traefik', 'cluster', 'local', 'svc', 'cluster.local',
  'true', 'false', 'True', 'False', 'Unknown', 'http', 'https', 'http2', 'grpc', 'grpc-web', 'tcp', 'tls', 'udp', 'mongo', 'mysql', 'redis',
  'hbone', 'HBONE', 'TCP', 'UDP', 'HTTP', 'HTTPS', 'GRPC', 'TLS', 'mtls', 'tls-passthrough', 'status-port', 'metrics', 'healthz', 'linux', 'amd64', 'arm64',
  'ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName', 'PreferClose', 'REDIRECT', 'TPROXY', 'Same', 'All', 'Selector', 'FromNamespaces',
  'Allow', 'Deny', 'ALLOW', 'DENY', 'AUDIT', 'CUSTOM', 'Global', 'Namespace', 'WorkloadSelector', 'Healthy', 'Unhealthy', 'Running', 'Pending',
  'Succeeded', 'Failed', 'Ready', 'Programmed', 'Accepted', 'ResolvedRefs', 'WaypointBound', 'istio.io/WaypointBound', 'Inbound', 'Outbound',
  'inbound', 'outbound', 'inbound-vip', 'passthrough', 'PassthroughCluster', 'BlackHoleCluster', 'InboundPassthroughCluster', 'main_internal',
  'connect_originate', 'connect_terminate', 'encap', 'virtualInbound', 'virtualOutbound', 'agent', 'xds-grpc', 'sds-grpc', 'zipkin', 'prometheus_stats',
  'pod', 'pods', 'ns', 'sa', 'proxy', 'envoy', 'default-token', 'kube-root-ca.crt', 'router', 'gateway', 'ingress', 'egress', 'client', 'server', 'canary', 'stable', 'prod', 'primary', 'remote', 'network', 'ISTIO_MUTUAL', 'STRICT',
  'PERMISSIVE', 'DISABLE', 'SIMPLE', 'MUTUAL', 'ROUND_ROBIN', 'LEAST_REQUEST', 'EDS', 'STATIC', 'STRICT_DNS', 'ORIGINAL_DST', 'LOGICAL_DNS',
];

/** A label key whose values are Istio's or Kubernetes' vocabulary, not the customer's names. */
export const KEEP_VALUES_OF_LABEL = /^(?:istio\.io\/(?:rev|dataplane-mode|waypoint-for|tag)|gateway\.istio\.io\/.*|sidecar\.istio\.io\/.*|security\.istio\.io\/.*|ambient\.istio\.io\/.*|networking\.istio\.io\/.*|service\.istio\.io\/canonical-revision|topology\.istio\.io\/.*|kubernetes\.io\/(?:os|arch)|node\.kubernetes\.io\/.*|beta\.kubernetes\.io\/.*|pod-template-generation|controller-revision-hash|gateway\.networking\.k8s\.io\/gateway-class-name|app\.kubernetes\.io\/(?:managed-by|version|component|part-of)|install\.operator\.istio\.io\/.*|operator\.istio\.io\/.*|helm\.sh\/chart|version)$/;

/** Values that are versions, numbers, durations or flags rather than names. */
const NOT_A_NAME = /^(?:v\d+(?:(?:alpha|beta)\d*)?|\d[\d.]*(?:[a-z]{1,2})?|[0-9a-f]{7,}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|.{0,1})$/;

export class KeepList {
  private readonly words: Set<string>;

  constructor(extra: readonly string[] = []) {
    this.words = new Set([...WELL_KNOWN_NAMESPACES, ...ISTIO_VALUES, ...extra]);
  }

  /** Words the bundle uses as keys (JSON/YAML field names) are its schema: never pseudonyms. */
  addSchemaWord(word: string): void {
    this.words.add(word);
  }

  has(value: string): boolean {
    return this.words.has(value) || NOT_A_NAME.test(value) || this.words.has(value.toLowerCase());
  }

  /** Names of Istio's and Kubernetes' own components (`istiod-canary`, `kube-proxy-x`) keep their own words. */
  isComponentWord(segment: string): boolean {
    return /^(?:istio.*|kube|k8s|ztunnel|envoy|coredns)$/.test(segment);
  }
}
