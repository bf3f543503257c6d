/**
 * `istioctl analyze` text output of every era: `<Level> [<CODE>][ [cluster]][ (<origin>)] <message>`,
 * level `Warn` (≤1.7) or `Warning`, origin `Kind ns/name[ file:line]` (≥1.12) or `Kind name.ns` (≤1.11),
 * plus the `✔ No validation issues ...` / `Error: Analyzers found issues ...` / `See https://...` lines.
 */
import yaml from 'js-yaml';
import { isRecord } from './kube.js';
import { excerpt, type FileParser } from './parser.js';
import { isCommandLine, isElision } from './tabwriter.js';
import type { AnalyzeLevel, AnalyzeMessage, Diagnostic, ParseResult } from './types.js';

const MESSAGE = /^(Error|Warning|Warn|Info) \[(IST\d{4})\](?: \[([^\]]+)\])?(?: \(([^)]*)\))? (.*)$/;
const SUMMARY_LINE = /^(✔ |No validation issues found|Error: Analyzers found issues|See https?:\/\/.* for more information|\s+- \S)/;

/** Kinds whose objects have no namespace, so a legacy `Kind a.b` origin is a dotted name, not name.ns. */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'GatewayClass', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding',
  'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'MeshConfig', 'MeshNetworks',
]);

export function parseOrigin(text: string): AnalyzeMessage['origin'] {
  const [kind = '', id = '', ...rest] = text.trim().split(/\s+/);
  const origin: NonNullable<AnalyzeMessage['origin']> = { kind, name: id };
  const slash = id.indexOf('/');
  if (slash > 0) {
    origin.namespace = id.slice(0, slash);
    origin.name = id.slice(slash + 1);
  } else if (!CLUSTER_SCOPED.has(kind) && id.lastIndexOf('.') > 0) {
    const dot = id.lastIndexOf('.');
    origin.namespace = id.slice(dot + 1);
    origin.name = id.slice(0, dot);
  }
  if (rest.length > 0) origin.reference = rest.join(' ');
  return origin;
}

export function matchAnalyzeLine(line: string): RegExpExecArray | null {
  return MESSAGE.exec(line);
}

export const analyzeTextParser: FileParser = {
  kind: 'analyze',
  detect: ({ head }) => head.findIndex((l) => MESSAGE.test(l) || /^✔ No validation issues found/.test(l)),
  parse({ file, lines }): ParseResult {
    const messages: AnalyzeMessage[] = [];
    const diagnostics: Diagnostic[] = [];
    lines.forEach((line, i) => {
      if (line.trim() === '' || isCommandLine(line) || isElision(line) || SUMMARY_LINE.test(line)) return;
      const m = MESSAGE.exec(line);
      if (!m) {
        diagnostics.push({ file, line: i + 1, message: `not an istioctl analyze message: ${excerpt(line).slice(0, 80)}` });
        return;
      }
      const message: AnalyzeMessage = {
        level: (m[1] === 'Warn' ? 'Warning' : m[1]) as AnalyzeLevel,
        code: m[2]!,
        message: m[5]!,
        source: { file, line: i + 1, excerpt: excerpt(line) },
      };
      if (m[3]) message.cluster = m[3];
      if (m[4]) message.origin = parseOrigin(m[4]);
      messages.push(message);
    });
    const clean = messages.length === 0 && lines.some((l) => l.startsWith('✔'));
    return {
      records: { analyzeMessages: messages },
      diagnostics,
      summary: clean ? 'no validation issues' : `${messages.length} messages`,
    };
  },
};

function isAnalyzeMessage(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && typeof value['code'] === 'string' && /^IST\d{4}$/.test(value['code']) && typeof value['message'] === 'string';
}

/** The `-o yaml` form starts with `- code: IST0101`-like list items whose keys are sorted. */
function looksLikeAnalyzeYaml(head: string[]): boolean {
  return head.some((l) => /^- code: IST\d{4}\s*$/.test(l)) && head.some((l) => /^\s+level: (Error|Warning|Info)\s*$/.test(l));
}

/** `istioctl analyze -o json|yaml`: a list of `{code, documentationUrl, level, message, origin, reference?, cluster?}`. */
export const analyzeJsonParser: FileParser = {
  kind: 'analyze-json',
  detect: ({ json, head, file }) => {
    if (json !== undefined) {
      if (!Array.isArray(json)) return -1;
      // An empty list is what a clean `-o json` run prints; only the file name can say it was analyze.
      return (json.length > 0 ? json.every(isAnalyzeMessage) : /analy[sz]e/i.test(file)) ? 0 : -1;
    }
    return looksLikeAnalyzeYaml(head) ? 0 : -1;
  },
  parse({ file, json, text, index }): ParseResult {
    const diagnostics: Diagnostic[] = [];
    let list: unknown = json;
    if (list === undefined) {
      try {
        list = yaml.load(text, { schema: yaml.CORE_SCHEMA });
      } catch (err) {
        return { records: {}, diagnostics: [{ file, message: `YAML could not be parsed: ${(err as Error).message.split('\n')[0]}` }], summary: 'unreadable' };
      }
    }
    const messages: AnalyzeMessage[] = [];
    let searchFrom = 0;
    (Array.isArray(list) ? list : []).forEach((item: unknown, i) => {
      if (!isAnalyzeMessage(item)) {
        diagnostics.push({ file, message: `[${i}] is not an analyze message; skipped` });
        return;
      }
      const code = item['code'] as string;
      const at = text.indexOf(code, searchFrom);
      if (at >= 0) searchFrom = at + code.length;
      const level = item['level'] === 'Warn' ? 'Warning' : item['level'];
      const message: AnalyzeMessage = {
        level: (level === 'Error' || level === 'Warning' || level === 'Info' ? level : 'Info') as AnalyzeLevel,
        code,
        message: item['message'] as string,
        source: { file, path: `[${i}]`, ...(at >= 0 ? { line: index.lineOf(at) + 1, excerpt: excerpt(index.get(index.lineOf(at))) } : {}) },
      };
      if (typeof item['origin'] === 'string' && item['origin'] !== '') message.origin = parseOrigin(item['origin']);
      if (message.origin && typeof item['reference'] === 'string' && item['reference'] !== '') message.origin.reference = item['reference'];
      if (typeof item['cluster'] === 'string' && item['cluster'] !== '') message.cluster = item['cluster'];
      messages.push(message);
    });
    return { records: { analyzeMessages: messages }, diagnostics, summary: messages.length ? `${messages.length} messages` : 'no validation issues' };
  },
};
