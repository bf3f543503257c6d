/**
 * Deep-link ids of the report: every finding and inventory row has one, so a ticket can point at
 * `report.html#WP004-default-reviews-v2`. Captured names may hold anything, so each part is reduced
 * to characters that are safe in an id and a URL fragment.
 */
import type { Finding } from './rules/types.js';

/** Characters an id keeps; anything else becomes `_` (a hostile name cannot break out of the attribute or the fragment). */
const UNSAFE = /[^A-Za-z0-9_.-]/g;

export function anchorId(...parts: (string | undefined)[]): string {
  return parts.filter((p): p is string => p !== undefined && p !== '').map((p) => p.replace(UNSAFE, '_')).join('-');
}

/** A Service row: `svc-default-reviews`; a ServiceEntry row: `se-default-httpbin-ext`. */
export const serviceAnchor = (namespace: string, name: string, kind = 'Service') => anchorId(kind === 'ServiceEntry' ? 'se' : 'svc', namespace, name);
export const podAnchor = (namespace: string, name: string) => anchorId('pod', namespace, name);
export const waypointAnchor = (namespace: string, name: string) => anchorId('wp', namespace, name);
export const namespaceAnchor = (namespace: string) => anchorId('ns', namespace);

/**
 * Each finding's id: `WP004-default-reviews-v2` (rule, subject namespace, subject name), `WP042-3` without a
 * subject; a second finding of the same rule on the same subject gets `-2`, and so on.
 */
export function findingAnchors(findings: readonly Finding[]): string[] {
  const seen = new Map<string, number>();
  return findings.map((f, i) => {
    const base = f.subject ? anchorId(f.ruleId, f.subject.namespace, f.subject.name) : anchorId(f.ruleId, String(i + 1));
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}-${n}`;
  });
}
