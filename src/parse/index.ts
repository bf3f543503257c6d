/**
 * Sniffing and parsing: decides each file's kind from its content (the path is only a hint for
 * empty Lists) and hands it to that kind's parser. Every file is decoded and parsed exactly once.
 */
import { decodeText, splitLines } from '../text/decode.js';
import { analyzeJsonParser, analyzeTextParser } from './analyze.js';
import { bugReportVersionsParser, istioctlVersionParser } from './istioctl-version.js';
import { istiodSynczParser } from './istiod-debug.js';
import { proxyConfigTable, waypointListTable } from './istioctl-tables.js';
import { envoyConfigDumpParser } from './envoy-config-dump.js';
import { jsonErrorLine, parseJsonSequence } from './json.js';
import { kubeResourceParser } from './kube.js';
import { logParser } from './logs.js';
import { manifestParser, stderrParser } from './manifest.js';
import { meshConfigParser } from './mesh-config.js';
import { pathContext, type PathContext } from '../bundle/layout.js';
import { TextLines } from '../text/lines.js';
import { HEAD_LINES, type FileParser, type ParseInput } from './parser.js';
import { proxyStatusTable } from './proxy-status.js';
import { proxyStatusJsonParser } from './proxy-status-json.js';
import { tableParser } from './tables.js';
import type { Diagnostic, FileKind, ParseResult } from './types.js';
import { ZTUNNEL_TABLES } from './ztunnel-config.js';
import { ztunnelDumpParser } from './ztunnel-dump.js';

/** Every parser the sniffer tries; the one whose content starts earliest in the file wins. */
export const PARSERS: readonly FileParser[] = [
  manifestParser,
  stderrParser,
  kubeResourceParser,
  envoyConfigDumpParser,
  ztunnelDumpParser,
  // One parser for every istioctl table: a file may hold several (`ztunnel-config all`).
  tableParser('ztunnel-all', [...ZTUNNEL_TABLES, proxyStatusTable, waypointListTable, proxyConfigTable], 'ztunnel-all'),
  proxyStatusJsonParser,
  analyzeTextParser,
  analyzeJsonParser,
  istioctlVersionParser,
  bugReportVersionsParser,
  istiodSynczParser,
  meshConfigParser,
  logParser,
];

export interface ParsedFile extends ParseResult {
  file: string;
  kind: FileKind;
  bytes: number;
  /** What the path said about the file (the pod it came from). */
  context: PathContext;
}

export function parseFile(file: string, data: Buffer, context: PathContext = pathContext(file)): ParsedFile {
  const base = { file, bytes: data.length, context };
  const text = decodeText(data);
  let lines: string[] | undefined;
  let index: TextLines | undefined;
  const input: ParseInput = {
    file,
    text,
    context,
    head: headLines(text, HEAD_LINES),
    get lines() {
      return (lines ??= splitLines(text));
    },
    get index() {
      return (index ??= new TextLines(text));
    },
  };
  const jsonProblems: Diagnostic[] = [];
  // Docs and tickets paste the command first: `$ istioctl pc cluster x -o json` then the JSON.
  const jsonText = text.slice(commandLinesEnd(text));
  if (/^\s*[[{]/.test(jsonText)) {
    try {
      input.json = JSON.parse(jsonText);
    } catch (err) {
      const sequence = parseJsonSequence(jsonText);
      if (sequence) input.json = sequence;
      // Not necessarily an error: a YAML flow mapping can start with `{`/`[` too; said if nothing reads it.
      else jsonProblems.push({ file, line: jsonErrorLine(text, err, text.length - jsonText.length), message: `looks like JSON but could not be parsed: ${(err as Error).message}` });
    }
  }
  const parser = sniff(input);
  if (!parser) {
    // Said only here: a JSON-per-line log also starts with `{` and is not one JSON document.
    return { ...base, kind: 'unknown', records: {}, diagnostics: jsonProblems, summary: jsonProblems.length ? 'unreadable JSON' : 'not recognized' };
  }
  try {
    const { kind, ...result } = parser.parse(input);
    return { ...base, kind: kind ?? parser.kind, ...result };
  } catch (err) {
    // Parsers must not throw on content; if one does, the file is reported rather than the run lost.
    return {
      ...base,
      kind: parser.kind,
      records: {},
      diagnostics: [{ file, message: `internal error while parsing as ${parser.kind}: ${(err as Error).message}` }],
      summary: 'parser failed',
    };
  }
}

/** Offset just past leading `$ command` lines (and their `\` continuation lines). */
function commandLinesEnd(text: string): number {
  let offset = 0;
  while (text.startsWith('$ ', offset)) {
    let end = text.indexOf('\n', offset);
    while (end !== -1 && text[end - 1] === '\\') end = text.indexOf('\n', end + 1);
    if (end === -1) return text.length;
    offset = end + 1;
  }
  return offset;
}

export function headLines(text: string, count: number): string[] {
  let end = 0;
  for (let n = 0; n < count && end !== -1; n++) end = text.indexOf('\n', end + (n > 0 ? 1 : 0));
  return splitLines(end === -1 ? text : text.slice(0, end + 1));
}

/** The parser whose format starts earliest in the file (a `zc all` file opens with its workload table). */
function sniff(input: ParseInput): FileParser | undefined {
  let best: { parser: FileParser; start: number } | undefined;
  for (const parser of PARSERS) {
    const start = parser.detect(input);
    if (start >= 0 && (!best || start < best.start)) best = { parser, start };
  }
  return best?.parser;
}
