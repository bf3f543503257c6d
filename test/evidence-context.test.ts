/** Lines around each evidence line: copied from the files read, within bounds, counted as the parsers count. */
import { describe, expect, it } from 'vitest';
import { CONTEXT_FINDINGS_PER_RULE, CONTEXT_MAX_FILE, ContextTexts } from '../src/evidence-context.js';
import type { Finding } from '../src/rules/types.js';
import { decodeText } from '../src/text/decode.js';
import { jsonReport, sample } from './cli/run.js';

const finding = (file: string, line?: number): Finding => ({ ruleId: 'WP001', severity: 'error', status: 'fail', title: 't', message: 'm', evidence: [{ file, ...(line ? { line } : {}) }] });

describe('evidence context', () => {
  it('takes three lines either side, clipped at the file\'s ends, as the parsers number lines (CRLF, BOM)', () => {
    const texts = new ContextTexts();
    texts.offer('a.yaml', decodeText(Buffer.from('\ufeffl1\r\nl2\r\nl3\r\nl4\r\nl5\r\nl6\r\nl7\r\nl8\r\n')));
    const [top, middle, end, beyond] = [finding('a.yaml', 1), finding('a.yaml', 5), finding('a.yaml', 8), finding('a.yaml', 9)];
    texts.annotate([top!, middle!, end!, beyond!]);
    expect(top!.evidence[0]!.context).toEqual({ first: 1, lines: ['l1', 'l2', 'l3', 'l4'] });
    expect(middle!.evidence[0]!.context).toEqual({ first: 2, lines: ['l2', 'l3', 'l4', 'l5', 'l6', 'l7', 'l8'] });
    expect(end!.evidence[0]!.context).toEqual({ first: 5, lines: ['l5', 'l6', 'l7', 'l8'] });
    expect(beyond!.evidence[0]!.context).toBeUndefined();
  });

  it('gives context to the first findings of each rule only: a rule firing for thousands repeats the same proof', () => {
    const texts = new ContextTexts();
    texts.offer('a.yaml', 'l1\nl2\nl3\n');
    const many = Array.from({ length: CONTEXT_FINDINGS_PER_RULE + 5 }, () => finding('a.yaml', 2));
    const other: Finding = { ...finding('a.yaml', 2), ruleId: 'WP026' };
    texts.annotate([...many, other]);
    expect(many.filter((f) => f.evidence[0]!.context).length).toBe(CONTEXT_FINDINGS_PER_RULE);
    expect(many.at(-1)!.evidence[0]!.context).toBeUndefined();
    expect(other.evidence[0]!.context).toEqual({ first: 1, lines: ['l1', 'l2', 'l3'] });
  });

  it('keeps no file over the per-file limit, and cuts long lines', () => {
    const texts = new ContextTexts();
    texts.offer('big.log', 'x\n'.repeat(CONTEXT_MAX_FILE));
    texts.offer('wide.json', `${'y'.repeat(1000)}\n`);
    const [big, wide] = [finding('big.log', 1), finding('wide.json', 1)];
    texts.annotate([big!, wide!]);
    expect(big!.evidence[0]!.context).toBeUndefined();
    expect(wide!.evidence[0]!.context!.lines[0]).toBe(`${'y'.repeat(300)}…`);
  });

  it('reaches the JSON report: the label line of WP001 on the broken sample, in its place', async () => {
    const { report } = await jsonReport<{ findings: Finding[] }>(sample('bookinfo-broken'));
    const label = report.findings.find((f) => f.ruleId === 'WP001')!.evidence[0]!;
    expect(label.context!.lines[label.line! - label.context!.first]).toBe('                    "istio.io/use-waypoint": "ratings-waypoint",');
  });
});
