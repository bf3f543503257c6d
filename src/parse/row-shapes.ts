/**
 * Reading a table row whose spacing was lost. Chat tools and doc sites collapse runs of spaces, people
 * re-indent or hand-edit tables: then the header's offsets no longer cut the row. What still holds
 * is each column's value shape (an IP, `SYNCED (6m40s)`, `HBONE`, `3/3`, a version), so the row's
 * whitespace-separated tokens are assigned to columns by shape. Every possible assignment is found;
 * a row is read only when exactly one exists, and reported when two readings are really possible.
 */

export interface ColumnShape {
  /** What the whole cell (its tokens joined by one space) must match. */
  value: RegExp;
  /** How many whitespace-separated tokens a value may have (`NOT SENT (5m)` has 3). Default 1. */
  maxTokens?: number;
  /** Whether tabwriter may print the cell empty (an empty NODE, a headless service's VIP). */
  optional?: boolean;
  /**
   * Empty in principle, filled in practice (every Envoy subscribes to CDS, LDS, EDS and RDS): when a
   * row reads several ways, readings that leave such a column empty while another fills it lose.
   */
  rarelyEmpty?: boolean;
}

/** A column's shape by its header label; undefined means any single token. */
export type ShapeOf = (label: string) => ColumnShape | undefined;

/** Kubernetes names are lower case (pods, namespaces, nodes, services; ServiceEntry hosts may start with `*`). */
const NAME = /^[a-z0-9*][-a-z0-9._*:]*$/;
const IPV4 = '\\d{1,3}(?:\\.\\d{1,3}){3}';
const IPV6 = '[0-9a-fA-F]*:[0-9a-fA-F:.]+';
const IP = `(?:${IPV4}|${IPV6})`;
const ADDRESSES = new RegExp(`^(?:${IP}(?:,${IP})*|[a-z0-9][-a-z0-9.]*)$`);
/** Go's HumanDuration and friends: `78s`, `6m40s`, `4h`, `2d3h`, `3y`, or istioctl's older `100%`. */
const AGE = '(?:\\d+(?:\\.\\d+)?(?:y|d|h|m|s|ms)){1,3}|\\d+%|Never Acknowledged';
const XDS_WORD = '(?:SYNCED|NOT SENT|NOT_SENT|STALE|ERROR|IGNORED|UNKNOWN)';
const ISTIOD = /^(?:[a-z0-9][-a-z0-9._]*|<external>)$/;

/** The shapes of every column istioctl prints, by header label. */
const SHAPES: Record<string, ColumnShape> = {
  NAMESPACE: { value: NAME },
  NAME: { value: NAME },
  'POD NAME': { value: NAME },
  'SERVICE NAME': { value: NAME },
  'POLICY NAME': { value: NAME },
  'CERTIFICATE NAME': { value: /^(?:spiffe:\/\/\S+|[a-z0-9][-\w./:]*|ROOTCA|default)$/ },
  // Before 1.24 the column held only the first IP; 1.24's ADDRESS falls back to the hostname.
  IP: { value: new RegExp(`^${IP}(?:,${IP})*$`), optional: true, rarelyEmpty: true },
  ADDRESS: { value: ADDRESSES },
  'POD IP': { value: new RegExp(`^${IP}$`) },
  'WORKLOAD IP': { value: new RegExp(`^${IP}$`) },
  'L7 SUPPORT': { value: /^(?:true|false)$/ },
  NETWORK: { value: new RegExp(`^(?!${IP}$)[-\\w.]+$`), optional: true },
  NODE: { value: NAME, optional: true },
  WAYPOINT: { value: /^(?:None|NA|[a-z0-9][-a-z0-9.]*)$/ },
  PROTOCOL: { value: /^(?:HBONE|TCP|Hbone|Tcp|HTTP|HTTP2|GRPC|TLS|DOUBLE_HBONE)$/ },
  'SERVICE VIP': { value: new RegExp(`^${IP}(?:,${IP})*$`), optional: true },
  ENDPOINTS: { value: /^\d+\/\d+$/ },
  ACTION: { value: /^(?:Allow|Deny|Audit|Custom|ALLOW|DENY|AUDIT|CUSTOM)$/ },
  SCOPE: { value: /^(?:Global|Namespace|WorkloadSelector)$/ },
  TYPE: { value: /^(?:Leaf|Intermediate|Root|NA|CA|Cert Chain)$/, maxTokens: 2 },
  STATUS: { value: /^(?:Available|Initializing|Unavailable)$/ },
  'VALID CERT': { value: /^(?:true|false)$/ },
  'SERIAL NUMBER': { value: /^(?:[0-9a-fA-F]+|NA)$/ },
  'NOT AFTER': { value: /^(?:\d{4}-\d\d-\d\dT\S+|NA)$/ },
  'NOT BEFORE': { value: /^(?:\d{4}-\d\d-\d\dT\S+|NA)$/ },
  WORKLOAD: { value: NAME },
  DIRECTION: { value: /^(?:Inbound|Outbound)$/ },
  LOCAL: { value: /^\S+:\d+$/ },
  REMOTE: { value: /^\S+:\d+$/ },
  'REMOTE TARGET': { value: NAME, optional: true },
  PROXY: { value: NAME },
  CLUSTER: { value: new RegExp(`^(?!${XDS_WORD}$|NOT$)[^\\s()]+$`), optional: true },
  ISTIOD: { value: ISTIOD },
  PILOT: { value: ISTIOD },
  VERSION: { value: /^(?:\d+\.\d+[\w.+*-]*|unknown|<unknown>)$/i, optional: true },
  'SUBSCRIBED TYPES': { value: /^\d+(?: \([^\s()]+\))?$/, maxTokens: 2 },
  REVISION: { value: NAME },
  'TRAFFIC TYPE': { value: /^(?:service|workload|all|none)$/i },
  PROGRAMMED: { value: /^(?:True|False|Unknown)$/ },
};

/** Per-xDS-type columns of proxy-status: `SYNCED`, `SYNCED (6m40s)`, `NOT SENT`, `STALE (Never Acknowledged)`, or empty. */
export const XDS_STATUS: ColumnShape = {
  value: new RegExp(`^${XDS_WORD}(?: \\((?:${AGE})\\)){0,2}$`),
  maxTokens: 5,
  optional: true,
};

/** CDS, LDS, EDS and RDS: empty only for a proxy that subscribes to none of them. */
export const XDS_CORE_STATUS: ColumnShape = { ...XDS_STATUS, rarelyEmpty: true };

/** The shape of any column istioctl prints; the xDS type columns of proxy-status are named by the caller. */
export function knownShape(label: string): ColumnShape | undefined {
  return SHAPES[label];
}

const ANY_TOKEN: ColumnShape = { value: /^\S+$/ };

export type Alignment =
  | { kind: 'one'; cells: Record<string, string> }
  /** The row reads in several ways: the first two, for the message. */
  | { kind: 'ambiguous'; readings: Record<string, string>[] }
  | { kind: 'none' };

/**
 * Assigns `tokens` to `labels` by shape: each column takes 1..maxTokens tokens (0 when optional)
 * whose joined text matches its shape. With `cut`, the row may end early (a line cut at a width):
 * the columns it never reached are left out of the cells.
 */
export function alignTokens(tokens: readonly string[], labels: readonly string[], shapeOf: ShapeOf, cut = false): Alignment {
  const shapes = labels.map((l) => shapeOf(l) ?? ANY_TOKEN);
  const readings: string[][] = [];
  const cells: string[] = [];
  // Depth-first over (token, column); a handful of readings is all a verdict needs.
  const walk = (t: number, c: number): void => {
    if (readings.length >= MAX_READINGS) return;
    if (c === labels.length || (cut && t === tokens.length && c > 0)) {
      if (t === tokens.length) readings.push(cells.slice(0, c));
      return;
    }
    const shape = shapes[c]!;
    if (shape.optional) {
      cells[c] = '';
      walk(t, c + 1);
    }
    const most = Math.min(shape.maxTokens ?? 1, tokens.length - t);
    for (let n = 1; n <= most; n++) {
      const value = tokens.slice(t, t + n).join(' ');
      if (!shape.value.test(value)) continue;
      cells[c] = value;
      walk(t + n, c + 1);
    }
  };
  walk(0, 0);
  const toCells = (values: string[]) => Object.fromEntries(values.map((v, k) => [labels[k]!, v]));
  const emptiedRarely = (r: string[]) => r.filter((v, k) => v === '' && shapes[k]!.rarelyEmpty).length;
  const fewest = Math.min(...readings.map(emptiedRarely));
  const best = readings.filter((r) => emptiedRarely(r) === fewest);
  if (best.length === 0) return { kind: 'none' };
  if (best.length === 1) return { kind: 'one', cells: toCells(best[0]!) };
  return { kind: 'ambiguous', readings: best.slice(0, 2).map(toCells) };
}

const MAX_READINGS = 16;

/** Whether every cell cut at the header's offsets has its column's shape (an empty cell only where allowed). */
export function cellsFitShapes(cells: Record<string, string>, shapeOf: ShapeOf): boolean {
  for (const [label, value] of Object.entries(cells)) {
    const shape = shapeOf(label);
    if (!shape) continue;
    if (value === '' ? !shape.optional : !shape.value.test(value.replace(/\s+/g, ' '))) return false;
  }
  return true;
}

/** A row's whitespace-separated tokens; markdown table pipes are not values. */
export function rowTokens(text: string): string[] {
  return text.trim().split(/\s+/).filter((t) => t !== '' && t !== '|');
}

/** The cells where two readings differ, for a message: `NODE=None, WAYPOINT=HBONE`. */
export function describeReading(reading: Record<string, string>, other: Record<string, string>): string {
  const labels = Object.keys(reading).filter((l) => reading[l] !== other[l]);
  return labels.map((l) => `${l}=${reading[l] === '' ? '(empty)' : reading[l]}`).join(', ');
}
