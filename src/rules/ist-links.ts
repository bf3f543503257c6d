/**
 * `istioctl analyze` messages that say what one of our rules says, about the same object: the IST
 * finding is folded into the WP finding as evidence rather than shown twice. IST0171 (a status
 * condition is false) carries istiod's own verdict on waypoint bindings and Gateways.
 */
import type { Finding } from './types.js';

export const IST_LINKS: Record<string, readonly string[]> = {
  IST0171: ['WP001', 'WP002', 'WP005', 'WP006', 'WP008', 'WP009', 'WP011', 'WP012', 'WP013', 'WP014', 'WP019', 'WP024', 'WP028', 'WP031', 'WP033'],
  IST0134: ['WP019'],
  IST0166: ['WP021', 'WP027'],
  IST0173: ['WP036'],
  IST0174: ['WP036'],
  IST0118: ['WP034'],
};

function subjectKey(f: Finding): string | undefined {
  return f.subject ? `${f.subject.kind}/${f.subject.namespace ?? ''}/${f.subject.name}` : undefined;
}

export function linkAnalyzeFindings(findings: Finding[]): Finding[] {
  const bySubject = new Map<string, Finding[]>();
  for (const f of findings) {
    const key = subjectKey(f);
    if (key && f.status === 'fail' && f.ruleId.startsWith('WP')) bySubject.set(key, [...(bySubject.get(key) ?? []), f]);
  }
  return findings.filter((ist) => {
    const links = IST_LINKS[ist.ruleId];
    const key = subjectKey(ist);
    if (!links || !key || ist.status !== 'fail') return true;
    const target = bySubject.get(key)?.find((f) => links.includes(f.ruleId));
    if (!target) return true;
    target.evidence.push(...ist.evidence.map((e) => ({ ...e, note: `istioctl analyze ${ist.ruleId}: ${ist.message}` })));
    return false;
  });
}
