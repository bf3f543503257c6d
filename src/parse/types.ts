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
  | 'proxy-status'
  | 'analyze'
  | 'kube-resources'
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
  source: Provenance;
}

export interface ZtunnelService {
  namespace: string;
  name: string;
  vip: string;
  waypoint: string;
  /** `healthy/total` since 1.23, absent before. */
  endpoints?: { healthy: number; total: number };
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
}

/** A status condition as istiod and the Gateway API write them (`istio.io/WaypointBound`, `Programmed`, ...). */
export interface KubeCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  source: Provenance;
}

export interface ParsedRecords {
  ztunnelWorkloads: ZtunnelWorkload[];
  ztunnelServices: ZtunnelService[];
  proxyStatus: ProxyStatusRow[];
  analyzeMessages: AnalyzeMessage[];
  kubeObjects: KubeObject[];
}

/** What one parser returns for one file. */
export interface ParseResult {
  records: Partial<ParsedRecords>;
  diagnostics: Diagnostic[];
  /** Resource kinds this file is known to have captured, even when it listed none (an empty List). */
  capturedKinds?: string[];
  /** A one-line description for the inventory, e.g. "12 workloads (Istio 1.24+ columns)". */
  summary: string;
}
