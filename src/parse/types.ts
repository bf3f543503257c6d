/**
 * What parsers produce: typed records, each carrying where it came from, plus diagnostics for
 * whatever could not be read. Parsers know nothing of rules; they never throw on content.
 */

/** Where a fact was read: a file and 1-based line, and for JSON the path inside the document. */
export interface Provenance {
  file: string;
  line?: number;
  /** JSON path such as `items[3]` or `configs[2].dynamic_listeners[5]`. */
  path?: string;
  /** The source line (trimmed, capped), so a report can show the evidence without the file. */
  excerpt?: string;
}

export interface Diagnostic {
  file: string;
  line?: number;
  message: string;
}

/** The kinds of file the sniffer recognizes. `unknown` files are listed, not errors. */
export type FileKind =
  | 'ztunnel-workloads'
  | 'ztunnel-services'
  | 'ztunnel-policies'
  | 'ztunnel-certificates'
  | 'ztunnel-connections'
  | 'ztunnel-all'
  | 'ztunnel-config-dump'
  | 'proxy-status'
  | 'proxy-status-json'
  /** `istioctl proxy-status <pod>`: istiod's config compared with one proxy's. */
  | 'proxy-status-diff'
  | 'istiod-syncz'
  | 'analyze'
  | 'analyze-json'
  | 'waypoint-list'
  | 'istioctl-version'
  /** `kubectl version` (text, JSON or YAML): the kubectl client's and the API server's versions. */
  | 'kubectl-version'
  | 'envoy-config-dump'
  | 'proxy-config-table'
  | 'kube-resources'
  | 'mesh-config'
  | 'bundle-manifest'
  | 'command-stderr'
  /** An error printed where an output was expected (`Error: unable to find any Istiod instances`). */
  | 'command-error'
  /** A paste of several outputs, each under its own command line; see the file's parts. */
  | 'several-outputs'
  /** Another support tool's file about itself (troubleshoot's version.yaml, must-gather.logs, ...). */
  | 'support-tool-file'
  | 'empty'
  | 'envoy-log'
  | 'ztunnel-log'
  | 'log'
  | 'unknown';

export interface ZtunnelWorkload {
  namespace: string;
  name: string;
  /** Comma-joined IPs (1.24+) or the single IP of older versions; may be a hostname. */
  address: string;
  node: string;
  /** `None`, `NA` or the waypoint's service name. */
  waypoint: string;
  /** `HBONE` or `TCP`; empty when the capture had no PROTOCOL column. */
  protocol: string;
  /** From config dumps: `waypoint.destination` as ztunnel holds it (`ns/hostname` or `network/ip`). */
  waypointDestination?: string;
  /** From config dumps. */
  uid?: string;
  serviceAccount?: string;
  source: Provenance;
}

export interface ZtunnelService {
  namespace: string;
  name: string;
  vip: string;
  waypoint: string;
  /** `healthy/total` since 1.23, absent before. */
  endpoints?: { healthy: number; total: number };
  /** From config dumps: the service's hostname and raw `waypoint.destination`. */
  hostname?: string;
  waypointDestination?: string;
  source: Provenance;
}

/** One xDS type's state for a proxy, from a per-type column (≤1.26 default, 1.27+ `-v 1`). */
export interface XdsTypeStatus {
  /** Normalized: `SYNCED`, `NOT SENT`, `STALE`, `STALE (Never Acknowledged)`, `ERROR`, `IGNORED`, `UNKNOWN`. */
  status: string;
  /** The age istiod reported, e.g. `6m40s`, when the cell carried one. */
  age?: string;
}

export interface ProxyStatusRow {
  /** As printed: `<pod>.<namespace>` for Kubernetes proxies. */
  proxy: string;
  pod: string;
  namespace: string;
  cluster: string;
  istiod: string;
  version: string;
  /** Per-type states keyed by short type (`CDS`, `LDS`, ...); absent in the 1.27+ default table. */
  xds?: Record<string, XdsTypeStatus>;
  /** From the 1.27+ `SUBSCRIBED TYPES` column: how many and which types the proxy subscribes. */
  subscribed?: { count: number; types: string[] };
  /** From istiod's syncz: `sidecar`, `router`, `waypoint`, `ztunnel`. */
  proxyType?: string;
  source: Provenance;
}

export type AnalyzeLevel = 'Error' | 'Warning' | 'Info';

export interface AnalyzeMessage {
  level: AnalyzeLevel;
  code: string;
  /** The resource the message is about; absent for mesh-wide messages. */
  origin?: { kind: string; namespace?: string; name: string; reference?: string };
  cluster?: string;
  message: string;
  source: Provenance;
}

/** A Kubernetes or Istio object as read from `kubectl get -o yaml|json`; spec/status kept as data. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: Record<string, unknown>;
  status: Record<string, unknown>;
  source: Provenance;
  /** Where each `istio.io/*` / gateway label was written, for precise evidence. */
  labelSources: Record<string, Provenance>;
  /** `status.conditions`, each with the line of its `type`. */
  conditions: KubeCondition[];
  /**
   * Where each top-level `spec` key was written (`selector`, `targetRefs`, `parentRefs`, `rules`,
   * `ports`...), for configuration kinds only (not Pods or Deployments, whose specs are long).
   */
  specSources?: Record<string, Provenance>;
}

/** A status condition as istiod and the Gateway API write them (`istio.io/WaypointBound`, `Programmed`, ...). */
export interface KubeCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  source: Provenance;
}

/** `istioctl ztunnel-config policy` rows, or policies of a ztunnel config dump. */
export interface ZtunnelPolicy {
  namespace: string;
  name: string;
  /** `Allow`, `Deny`, ... as istioctl prints them. */
  action: string;
  /** `Global`, `Namespace` or `WorkloadSelector`. */
  scope: string;
  /** From dumps only: how many rules the policy kept after ztunnel dropped what it cannot enforce. */
  rules?: number;
  dryRun?: boolean;
  source: Provenance;
}

/** One certificate of a ztunnel (table row or dump entry). Never holds key or certificate material. */
export interface ZtunnelCertificate {
  /** The identity, e.g. `spiffe://cluster.local/ns/default/sa/bookinfo-reviews`. */
  name: string;
  /** `Leaf`, `Intermediate`, `Root`, `CA`, `Cert Chain` or `NA`. */
  type: string;
  /** `Available`, `Initializing`, `Unavailable`. */
  status: string;
  /** As istioctl computed it when the capture was made; absent for dumps. */
  valid?: boolean;
  serial: string;
  notAfter: string;
  notBefore: string;
  source: Provenance;
}

/** `istioctl ztunnel-config connections` rows. */
export interface ZtunnelConnection {
  /** `pod.namespace`. */
  workload: string;
  direction: string;
  local: string;
  remote: string;
  remoteTarget: string;
  protocol: string;
  source: Provenance;
}

/** `istioctl waypoint list` rows. */
export interface WaypointListRow {
  namespace: string;
  name: string;
  revision: string;
  /** As printed; istioctl prints `none` when the label is absent (the effective value is then `service`). */
  trafficType: string;
  programmed: string;
  source: Provenance;
}

/** `istioctl version` (text or `-o json`): which component runs which version. */
export interface IstioVersionInfo {
  client?: string;
  /** One per istiod (`meshVersion`), e.g. `{ component: 'pilot', revision: 'default', version: '1.26.2' }`. */
  controlPlane: { component: string; revision?: string; version: string }[];
  /** Data plane versions: per proxy from JSON, or aggregated counts from text. */
  dataPlane: { id?: string; type?: string; version: string; count?: number }[];
  source: Provenance;
}

/** `kubectl version`: the client's and the API server's gitVersion (`v1.30.2`), as far as printed. */
export interface KubernetesVersionInfo {
  client?: string;
  server?: string;
  source: Provenance;
}

/**
 * An Envoy config dump of one proxy (`istioctl proxy-config all -o json`, a bug-report `config_dump`),
 * reduced as soon as it is parsed to what rules need. No key or certificate material is kept.
 */
export interface EnvoyConfigSummary {
  /** From the bootstrap node: `waypoint~10.244.1.5~waypoint-6f7b-6hppr.default~default.svc.cluster.local` (`sidecar~`, `router~` for others). */
  node?: { id: string; type?: string; pod?: string; namespace?: string; istioVersion?: string };
  listeners: EnvoyListener[];
  clusters: { name: string; type?: string; source: Provenance }[];
  /** Route configurations of the RoutesConfigDump (RDS-served, and static ones); waypoints inline theirs in the listeners. */
  routeConfigs: EnvoyRouteConfig[];
  secrets: { name: string; validFrom?: string; expires?: string; serial?: string; source: Provenance }[];
  /** EDS: per cluster, its endpoints and how many of them Envoy may send to. */
  endpoints: EnvoyEndpoints[];
  /** ECDS: extension configs istiod sent (WasmPlugins, telemetry filters). */
  ecdsFilters: { name: string; type?: string; source: Provenance }[];
  source: Provenance;
}

/** A ClusterLoadAssignment reduced: `healthy` counts HEALTHY and UNKNOWN (Envoy sends to both), not UNHEALTHY, DRAINING, TIMEOUT, DEGRADED. */
export interface EnvoyEndpoints {
  cluster: string;
  healthy: number;
  total: number;
  source: Provenance;
}

export interface EnvoyListener {
  name: string;
  /** `0.0.0.0:15008`, or the internal listener name for `main_internal`. */
  address?: string;
  filterChains: EnvoyFilterChain[];
  source: Provenance;
}

export interface EnvoyFilterChain {
  /** `inbound-vip|9080|http|reviews.default.svc.cluster.local`, `direct-tcp`, ... */
  name: string;
  /** Network or HTTP filter names in order (`envoy.filters.network.http_connection_manager`, ...). */
  filters: string[];
  /** Policy names of RBAC filters, e.g. `ns[default]-policy[deny-ratings]-rule[0]`. */
  rbacPolicies: string[];
  /** The HCM's RDS route config name, when routes are not inline. */
  rdsRouteConfig?: string;
  /** Inline route config of the HCM (waypoints). */
  routeConfig?: EnvoyRouteConfig;
  source: Provenance;
}

export interface EnvoyRouteConfig {
  name: string;
  virtualHosts: { name: string; domains: string[]; routes: string[] }[];
  source: Provenance;
}

/** One request line of an Envoy access log (Istio's default text format, or JSON). */
export interface AccessLogEntry {
  time?: string;
  method?: string;
  path?: string;
  code: number;
  /** Envoy response flags, `-` when none (`UH`, `NR`, `UF,URX`, ...). */
  flags: string;
  /** `%RESPONSE_CODE_DETAILS%`, e.g. `rbac_access_denied_matched_policy[ns[x]-policy[y]-rule[0]]`. */
  details: string;
  authority?: string;
  upstreamHost?: string;
  upstreamCluster?: string;
  routeName?: string;
  durationMs?: number;
  source: Provenance;
}

/** A ztunnel log line of interest (access records, errors), with its key=value fields. */
export interface ZtunnelLogEntry {
  time?: string;
  level: string;
  /** `access connection complete`, `error`, ... the text before the fields. */
  message: string;
  fields: Record<string, string>;
  /** The `error="..."` field, when present. */
  error?: string;
  source: Provenance;
}

/**
 * What a log file held, kept small: counts over every line, plus a bounded sample of the lines rules
 * care about (failed requests, errors), so a 1 GB log costs a few MB.
 */
export interface LogSummary {
  file: string;
  kind: 'envoy-log' | 'ztunnel-log' | 'log';
  lines: number;
  byLevel: Record<string, number>;
  accessEntries: AccessLogEntry[];
  ztunnelEntries: ZtunnelLogEntry[];
  /** Access lines by response code (all of them, not only the sampled). */
  byCode: Record<string, number>;
  /** Entries dropped once the sample was full. */
  truncated: number;
  /** Envoy access lines counted over the whole log (not sampled); absent for logs without access lines. */
  accessStats?: AccessLogStats;
  /** ztunnel access and error lines counted over the whole log; absent for logs without them. */
  ztunnelStats?: ZtunnelLogStats;
}

/** A count and the first few lines that show it (file:line with the excerpt), for a finding to quote. */
export interface CountedExamples {
  count: number;
  examples: Provenance[];
}

/**
 * Envoy access lines of one log, counted over every line so a finding can say "412 of 9,310 requests"
 * on a 1 GB log. Keys are bounded: each record keeps the first `LOG_STATS_MAX_KEYS` keys it meets, and
 * counts every later key under `(other)` (so it holds at most LOG_STATS_MAX_KEYS + 1 keys). Examples are
 * the first 3 lines of a key, in line order.
 */
export interface AccessLogStats {
  /** Access lines (HTTP and TCP). */
  requests: number;
  /** First and last %START_TIME% seen, in line order, as printed (a line pasted without its start time has none). */
  firstTime?: string;
  lastTime?: string;
  /** Lines with a response code below 400 and no response flag: requests the proxy served. */
  served: number;
  /** By response flag, each flag of `UF,URX` counted once (long names such as `NoHealthyUpstream` as their short ones); lines without flags are not counted. */
  byFlag: Record<string, CountedExamples>;
  /** By %RESPONSE_CODE_DETAILS% of lines with code >= 400 or a flag (`route_not_found`, `no_healthy_upstream`, ...; `-` when the format has no details). */
  byDetails: Record<string, CountedExamples>;
  /** RBAC denials by the matched policy (`ns[default]-policy[deny-all]-rule[0]`, or `none` when no ALLOW policy matched). */
  rbacDenied: Record<string, CountedExamples>;
  /**
   * By %UPSTREAM_CLUSTER% (`inbound-vip|9080|http|reviews.default.svc.cluster.local`; `-` when none). `failed`:
   * code >= 400, or code 0 (TCP) with a flag; `example`: the first failed line, or the first line while none failed.
   */
  byCluster: Record<string, { requests: number; failed: number; example: Provenance }>;
  /** By %ROUTE_NAME% (`default`, `default.reviews.0`; `-` when none); `failed` and `example` as for `byCluster`. */
  byRoute: Record<string, { requests: number; failed: number; example: Provenance }>;
}

/** ztunnel `access` lines of one log, grouped by where the connection went; keys bounded as in AccessLogStats. */
export interface ZtunnelLogStats {
  /**
   * Access lines that end a connection (`connection complete`, `connection failed`, ...). `connection opened`
   * (debug level, logged when a connection starts; its `connection complete` follows) is not counted again.
   */
  connections: number;
  /**
   * Keyed `direction|dst.service|dst.workload|dst port` (missing values empty), e.g.
   * `outbound|reviews.default.svc.cluster.local|waypoint-7b9c-x2x|15008`.
   */
  flows: Record<string, ZtunnelFlow>;
  /**
   * Lines with an `error` field (access records or not), by the error text with addresses, their ports and
   * long numbers or ids masked (`no healthy upstream: <ip>:<n>`); short numbers stay (`http status: 503`,
   * `connection timed out, maybe a NetworkPolicy is blocking HBONE port 15008`).
   */
  errors: Record<string, CountedExamples>;
}

/**
 * The connections of one flow: described by its first line (other lines of the flow may come from other
 * sources or addresses; `(other)` describes none). `failed`: lines with an `error` field or at level error.
 * `examples`: the first 3 lines, except that the first failed line takes the last place when none of them failed.
 */
export interface ZtunnelFlow {
  direction?: string;
  srcWorkload?: string;
  srcIdentity?: string;
  dstService?: string;
  dstWorkload?: string;
  /** `dst.addr` (where ztunnel connected: a waypoint or pod on 15008, or the pod port). */
  dstAddr?: string;
  /** `dst.hbone_addr` (what was asked for inside the tunnel: the service VIP or pod IP and port). */
  hboneAddr?: string;
  count: number;
  failed: number;
  examples: Provenance[];
}

/** A row of an `istioctl proxy-config cluster|listener|route|endpoint|secret` table, kept as cells. */
export interface ProxyConfigRow {
  table: 'cluster' | 'listener' | 'route' | 'endpoint' | 'secret';
  cells: Record<string, string>;
  source: Provenance;
}

export interface ParsedRecords {
  ztunnelWorkloads: ZtunnelWorkload[];
  ztunnelServices: ZtunnelService[];
  ztunnelPolicies: ZtunnelPolicy[];
  ztunnelCertificates: ZtunnelCertificate[];
  ztunnelConnections: ZtunnelConnection[];
  proxyStatus: ProxyStatusRow[];
  analyzeMessages: AnalyzeMessage[];
  kubeObjects: KubeObject[];
  waypointList: WaypointListRow[];
  versions: IstioVersionInfo[];
  kubernetesVersions: KubernetesVersionInfo[];
  envoyConfigs: EnvoyConfigSummary[];
  logs: LogSummary[];
  proxyConfigRows: ProxyConfigRow[];
  meshConfigs: { config: Record<string, unknown>; source: Provenance }[];
  manifests: (BundleManifest & { source: Provenance })[];
  stderr: { file: string; text: string }[];
  /** Errors printed instead of an output: a capture that was tried and failed. */
  captureErrors: CaptureError[];
}

/** A command that printed an error where its output should be, as a paste or a saved file shows it. */
export interface CaptureError {
  /** The command, when the paste shows it (`istioctl proxy-status`). */
  command?: string;
  /** The error's first lines. */
  message: string;
  source: Provenance;
}

/** One command of a waypoint-collect run, as manifest.json records it. */
export interface CollectedCommand {
  argv: string[];
  file: string;
  exitCode: number | null;
  durationMs: number;
  bytes: number;
  timedOut: boolean;
  stderrFile: string | null;
  skipped?: string;
}

/** manifest.json of a waypoint-collect bundle (schemas/manifest.schema.json). */
export interface BundleManifest {
  schemaVersion: number;
  collector: { name: string; version: string };
  startedAt: string;
  finishedAt: string;
  context: string;
  cluster?: string;
  versions?: Record<string, string>;
  namespaces: string[];
  options?: Record<string, unknown>;
  redactions: Record<string, number>;
  interrupted: boolean;
  commands: CollectedCommand[];
}

/** What one parser returns for one file. */
export interface ParseResult {
  /** The file's kind when the parser reads several (tables of a `zc all`, kinds of log). */
  kind?: FileKind;
  records: Partial<ParsedRecords>;
  diagnostics: Diagnostic[];
  /** Resource kinds this file is known to have captured, even when it listed none (an empty List). */
  capturedKinds?: string[];
  /**
   * Records this file holds only some of: rows elided with `...`, or an output filtered by `| grep`.
   * What such a capture does not list may still exist, so no rule may read its absence as a fact.
   */
  incomplete?: (keyof ParsedRecords)[];
  /** A one-line description for the inventory, e.g. "12 workloads (Istio 1.24+ columns)". */
  summary: string;
}
