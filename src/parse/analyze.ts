/**
 * `istioctl analyze` text output of every era: `<Level> [<CODE>][ [cluster]][ (<origin>)] <message>`,
 * level `Warn` (≤1.7) or `Warning`, origin `Kind ns/name[ file:line]` (≥1.12) or `Kind name.ns` (≤1.11),
 * plus the `✔ No validation issues ...` / `Error: Analyzers found issues ...` / `See https://...` lines.
 */
import yaml from 'js-yaml';
import { isRecord } from './kube.js';
import { excerpt, type FileParser } from './parser.js';
import { commandIntent, isCommandLine, isElision } from './paste.js';
import type { AnalyzeLevel, AnalyzeMessage, Diagnostic, ParseResult } from './types.js';

/**
 * `<Level> [<CODE>][ [cluster]][ (<origin>)] <message>`; pasted copies also glue the origin to the
 * code (`[IST0101](VirtualService/default/x)`) or drop the space before `[`.
 */
const MESSAGE = /^(Error|Warning|Warn|Info) ?\[(IST\d{4})\](?: ?\[([^\]]+)\])?(?: ?\(([^)]*)\))?(?:\s+(.*?))?\s*$/;
const SUMMARY_LINE = /^(✔ |No validation issues found|Error: Analyzers found issues|See https?:\/\/.* for more information|\s+- \S)/;
/** Markdown left around a pasted message: a list bullet or number, backticks, bold. */
const MARKDOWN_AROUND = /^\s*(?:[-*+]\s+|\d+[.)]\s+)?(?:`|\*\*)?|(?:`|\*\*)?\s*$/g;

/** Kinds whose objects have no namespace, so a legacy `Kind a.b` origin is a dotted name, not name.ns. */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'GatewayClass', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding',
  'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'MeshConfig', 'MeshNetworks',
]);

/** `Kind ns/name[ file:line]` (1.12+), `Kind name.ns` (≤1.11), `Kind name` (cluster-scoped), or glued `Kind/ns/name`. */
export function parseOrigin(text: string): AnalyzeMessage['origin'] {
  let [kind = '', id = '', ...rest] = text.trim().split(/\s+/);
  const glued = /^([A-Z][A-Za-z]*)\/(.+)$/.exec(kind);
  if (glued) {
    if (id) rest.unshift(id);
    [, kind = '', id = ''] = glued;
  }
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

/** A message line with the markdown a paste left around it removed. */
export function matchAnalyzeLine(line: string): RegExpExecArray | null {
  return MESSAGE.exec(line) ?? (/[`*]|^\s*(?:[-+]|\d+[.)])\s/.test(line) ? MESSAGE.exec(line.replace(MARKDOWN_AROUND, '')) : null);
}

export const analyzeTextParser: FileParser = {
  kind: 'analyze',
  // A clean run prints its ✔ line on stderr and nothing on stdout: under an `istioctl analyze` command line, empty output is a clean analysis.
  detect: ({ head, command }) => {
    const at = head.findIndex((l) => matchAnalyzeLine(l) !== null || /^✔ No validation issues found/.test(l));
    return at === -1 && command !== undefined && commandIntent(command).kind === 'analyze' ? 0 : at;
  },
  parse({ file, lines }): ParseResult {
    const messages: AnalyzeMessage[] = [];
    const diagnostics: Diagnostic[] = [];
    // A message wrapped over several lines (by a terminal, a chat tool, a wiki) continues on the next
    // line when its line was long and stopped mid-sentence, or when the next line is indented.
    let open: AnalyzeMessage | undefined;
    let previous = '';
    lines.forEach((line, i) => {
      if (line.trim() === '' || isCommandLine(line) || isElision(line) || SUMMARY_LINE.test(line)) {
        open = undefined;
        return;
      }
      const m = matchAnalyzeLine(line);
      if (!m) {
        const wrapped = open && ((previous.length >= 60 && !/[.!?]["'`]?\s*$/.test(previous)) || /^\s/.test(line));
        if (wrapped) {
          open!.message = `${open!.message} ${line.trim()}`.trim();
          previous = line;
        } else {
          open = undefined;
          diagnostics.push({ file, line: i + 1, message: `not an istioctl analyze message: ${excerpt(line).slice(0, 80)}` });
        }
        return;
      }
      previous = line;
      const message: AnalyzeMessage = {
        level: (m[1] === 'Warn' ? 'Warning' : m[1]) as AnalyzeLevel,
        code: m[2]!,
        message: m[5] ?? '',
        source: { file, line: i + 1, excerpt: excerpt(line) },
      };
      if (m[3]) message.cluster = m[3];
      if (m[4]) message.origin = parseOrigin(m[4]);
      messages.push(message);
      open = message;
    });
    const clean = lines.some((l) => l.startsWith('✔'));
    return {
      records: { analyzeMessages: messages },
      diagnostics,
      summary: messages.length > 0 ? `${messages.length} messages` : clean ? 'no validation issues' : 'no validation issues (empty output)',
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
