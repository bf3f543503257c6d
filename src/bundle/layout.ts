/**
 * What a file's path says about it, beyond its content: which pod it was taken from. Content always
 * decides a file's kind; the path only adds context, for the layouts known by name (an
 * `istioctl bug-report` archive, our own bundles) — docs/BUG-REPORT.md §1.3 and §7.
 */
export interface PathContext {
  /** The pod whose proxy, log or dump this is. */
  pod?: { namespace: string; name: string };
  /** The layout the path belongs to, when it matches one known by name. */
  layout?: 'bug-report' | 'waypoint-bundle' | 'must-gather' | 'troubleshoot';
  /** A file whose role only its place in our own layout tells: a command's stderr. */
  role?: 'stderr';
}

const PATTERNS: { layout: PathContext['layout']; re: RegExp; ns: number; pod: number }[] = [
  // bug-report: proxies/<ns>/<pod>/..., istio/<ns>/<istiod-pod>/..., operator/<ns>/<pod>/...
  { layout: 'bug-report', re: /(?:^|\/)(?:proxies|istio|operator)\/([^/]+)\/([^/]+)\/[^/]/, ns: 1, pod: 2 },
  // our bundles: <kind>/<ns>/<pod>[.<ext>] or <kind>/<ns>/<pod>/<file> (docs/bundle-format.md)
  { layout: 'waypoint-bundle', re: /(?:^|\/)(?:logs|config-dumps|ztunnel)\/([^/]+)\/([^/.]+)(?:[./]|$)/, ns: 1, pod: 2 },
  // troubleshoot: cluster-resources/pods/logs/<ns>/<pod>/<container>.log (docs/support-bundles.md)
  { layout: 'troubleshoot', re: /(?:^|\/)cluster-resources\/pods\/logs\/([^/]+)\/([^/]+)\/[^/]+$/, ns: 1, pod: 2 },
  // must-gather (oc adm inspect): namespaces/<ns>/pods/<pod>/<container>/<container>/logs/current.log, .../config_dump_proxy.json
  { layout: 'must-gather', re: /(?:^|\/)namespaces\/([^/]+)\/pods\/([^/]+)\/(?:[^/]+\/[^/]+\/logs\/|config_dump|proxy_stats)/, ns: 1, pod: 2 },
];

export function pathContext(path: string): PathContext {
  if (/(?:^|\/)stderr\/\d+\.txt$/.test(path)) return { layout: 'waypoint-bundle', role: 'stderr' };
  for (const p of PATTERNS) {
    const m = p.re.exec(path);
    if (m) return { layout: p.layout, pod: { namespace: m[p.ns]!, name: m[p.pod]! } };
  }
  const cni = /(?:^|\/)cni\/([^/]+)\/cni\.log$/.exec(path);
  if (cni) return { layout: 'bug-report', pod: { namespace: '', name: cni[1]! } };
  return {};
}
