/**
 * Sniffing and parsing: decides each file's kind from its content (the path is only a hint for
 * empty Lists) and hands it to that kind's parser. Every file is decoded and parsed exactly once.
 */
import { decodeText, splitLines } from '../text/decode.js';
import { commandErrorParser } from './command-error.js';
import { headerlessTableParser } from './headerless.js';
import { emptyFileParser, supportToolParser } from './support-tools.js';
import { cleanPaste, commandIntent, PASTE_BYTES, splitAtCommands, stripCommonPrefix, type PasteSegment } from './paste.js';
import { analyzeJsonParser, analyzeTextParser } from './analyze.js';
import { bugReportVersionsParser, istioctlVersionParser } from './istioctl-version.js';
import { istiodSynczParser } from './istiod-debug.js';
import { proxyConfigEndpointTable, proxyConfigTable, waypointListTable } from './istioctl-tables.js';
import { envoyConfigDumpParser } from './envoy-config-dump.js';
import { envoyResourceListParser } from './envoy-extensions.js';
import { jsonErrorLine, parseJsonSequence } from './json.js';
import { kubeResourceParser } from './kube.js';
import { kubectlVersionParser } from './kubectl-version.js';
import { logParser } from './logs.js';
import { manifestParser, stderrParser } from './manifest.js';
import { meshConfigParser } from './mesh-config.js';
import { pathContext, type PathContext } from '../bundle/layout.js';
import { TextLines } from '../text/lines.js';
import { HEAD_LINES, type FileParser, type ParseInput } from './parser.js';
import { proxyStatusTable } from './proxy-status.js';
import { proxyStatusDiffParser } from './proxy-status-diff.js';
import { proxyStatusJsonParser } from './proxy-status-json.js';
import { tableParser } from './tables.js';
import type { Diagnostic, FileKind, ParsedRecords, ParseResult } from './types.js';
import { ZTUNNEL_TABLES } from './ztunnel-config.js';
import { ztunnelDumpParser } from './ztunnel-dump.js';

const TABLES = [...ZTUNNEL_TABLES, proxyStatusTable, waypointListTable, proxyConfigEndpointTable, proxyConfigTable];

/** Every parser the sniffer tries; the one whose content starts earliest wins (the first listed on a tie). */
export const PARSERS: readonly FileParser[] = [
  manifestParser,
  stderrParser,
  emptyFileParser,
  supportToolParser,
  commandErrorParser,
  kubeResourceParser,
  envoyConfigDumpParser,
  envoyResourceListParser,
  ztunnelDumpParser,
  // One parser for every istioctl table: a file may hold several (`ztunnel-config all`).
  tableParser('ztunnel-all', TABLES, 'ztunnel-all'),
  proxyStatusJsonParser,
  proxyStatusDiffParser,
  analyzeTextParser,
  analyzeJsonParser,
  istioctlVersionParser,
  bugReportVersionsParser,
  kubectlVersionParser,
  istiodSynczParser,
  meshConfigParser,
  logParser,
  // Last: rows without a header are only taken for a table when nothing else reads the text.
  headerlessTableParser(TABLES),
];

/** One output of a paste of several, each under its own command line. */
export interface ParsedPart {
  /** 1-based line where the output starts (its command line when there is one). */
  line: number;
  command?: string;
  kind: FileKind;
  summary: string;
}

export interface ParsedFile extends ParseResult {
  file: string;
  kind: FileKind;
  bytes: number;
  /** What the path said about the file (the pod it came from). */
  context: PathContext;
  /** The outputs of a paste of several, in order. */
  parts?: ParsedPart[];
}

export function parseFile(file: string, data: Buffer, context: PathContext = pathContext(file)): ParsedFile {
  const base = { file, bytes: data.length, context };
  const paste = readPaste(decodeText(data));
  if (paste.segments.length === 1) return { ...base, ...parseOutput(file, paste, paste.segments[0]!, context) };
  const parts = paste.segments.map((segment) => ({ segment, result: parseOutput(file, paste, segment, context) }));
  return { ...base, ...mergeParts(parts) };
}

/** A decoded file with the paste damage undone, and the outputs it holds. */
interface Paste {
  text: string;
  /** The cleaned lines, for files small enough to be pastes; large captures are never split whole. */
  lines?: string[];
  segments: PasteSegment[];
}

/** Large captures written by tools are only checked for command lines in front; pastes are cleaned and split. */
function readPaste(text: string): Paste {
  // A JSON document written by a tool (a config dump, `-o json`): no prompt or command line to look for.
  if (text.length > PASTE_BYTES || looksLikeJsonDocument(text)) {
    const first = splitAtCommands(headLines(text, 20), text.length)[0]!;
    return { text, segments: [{ ...first, end: Number.MAX_SAFE_INTEGER }] };
  }
  const original = splitLines(text);
  const lines = cleanPaste(original);
  return { text: lines === original ? text : `${lines.join('\n')}\n`, lines, segments: splitAtCommands(lines, text.length) };
}

function looksLikeJsonDocument(text: string): boolean {
  let a = 0;
  while (a < text.length && /\s/.test(text[a]!)) a++;
  let z = text.length - 1;
  while (z > a && /\s/.test(text[z]!)) z--;
  return (text[a] === '{' && text[z] === '}') || (text[a] === '[' && text[z] === ']');
}

/** Parses one output of a paste (or the whole file): its lines keep their numbers in the file. */
function parseOutput(file: string, paste: Paste, segment: PasteSegment, context: PathContext): ParseResult & { kind: FileKind } {
  const { text, body } = outputText(paste, segment);
  let lines: string[] | undefined;
  let index: TextLines | undefined;
  const input: ParseInput = {
    file,
    text,
    context,
    firstLine: segment.start,
    head: headLines(body, HEAD_LINES),
    get lines() {
      return (lines ??= splitLines(text));
    },
    get index() {
      return (index ??= new TextLines(text));
    },
  };
  if (segment.command !== undefined) input.command = segment.command;
  const jsonProblems: Diagnostic[] = [];
  if (/^\s*[[{]/.test(body)) {
    try {
      input.json = JSON.parse(body);
    } catch (err) {
      const sequence = parseJsonSequence(body);
      if (sequence) input.json = sequence;
      // Not necessarily an error: a YAML flow mapping can start with `{`/`[` too; said if nothing reads it.
      else jsonProblems.push({ file, line: jsonErrorLine(text, err, text.length - body.length), message: `looks like JSON but could not be parsed: ${(err as Error).message}` });
    }
  }
  const parser = sniff(input);
  if (!parser) {
    // The command line says what this is, although nothing in it could be read: say so, where.
    const intended = segment.command !== undefined ? commandIntent(segment.command).kind : undefined;
    const firstContent = input.head.findIndex((l) => l.trim() !== '');
    // Docs show commands followed by shell comments about the next one: those are no output.
    const commentsOnly = paste.lines?.slice(segment.start, segment.end).every((l) => l.trim() === '' || /^\s*#/.test(l));
    if (intended && firstContent !== -1 && !commentsOnly) {
      const line = segment.start + firstContent + 1;
      return { kind: intended, records: {}, diagnostics: [...jsonProblems, { file, line, message: `the output of \`${segment.command}\` could not be read as ${intended}` }], summary: 'not read' };
    }
    // Said only here: a JSON-per-line log also starts with `{` and is not one JSON document.
    const summary = jsonProblems.length ? 'unreadable JSON' : body.trim() === '' ? 'no output' : 'not recognized';
    return { kind: 'unknown', records: {}, diagnostics: jsonProblems, summary };
  }
  try {
    const { kind, ...result } = parser.parse(input);
    // `istioctl ps | grep x`, `istioctl ps --revision canary`: only some of the output.
    if (segment.command !== undefined && commandIntent(segment.command).filtered) {
      result.incomplete = Object.keys(result.records) as (keyof ParsedRecords)[];
    }
    return { kind: kind ?? parser.kind, ...result };
  } catch (err) {
    // Parsers must not throw on content; if one does, the file is reported rather than the run lost.
    return {
      kind: parser.kind,
      records: {},
      diagnostics: [{ file, message: `internal error while parsing as ${parser.kind}: ${(err as Error).message}` }],
      summary: 'parser failed',
    };
  }
}

/**
 * The text a parser sees for one output: the file's lines with every other output blanked, so the
 * numbers a parser gives its records are the file's (`body` is the output alone). The output's own
 * lines lose a common indent, as when a command line sits at column 0 above an indented output.
 */
function outputText(paste: Paste, segment: PasteSegment): { text: string; body: string } {
  if (!paste.lines) {
    if (segment.start === 0) return { text: paste.text, body: paste.text };
    const body = paste.text.slice(offsetOfLine(paste.text, segment.start));
    return { text: '\n'.repeat(segment.start) + body, body };
  }
  const all = paste.lines;
  const own = stripCommonPrefix(all.slice(segment.start, segment.end));
  if (segment.start === 0 && own.length === all.length && own.every((l, i) => l === all[i])) return { text: paste.text, body: paste.text };
  const body = own.length ? `${own.join('\n')}\n` : '';
  return { text: '\n'.repeat(segment.start) + body, body };
}

function offsetOfLine(text: string, line: number): number {
  let offset = 0;
  for (let n = 0; n < line; n++) {
    const next = text.indexOf('\n', offset);
    if (next === -1) return text.length;
    offset = next + 1;
  }
  return offset;
}

/** One file of several outputs: their records together, each output listed as a part. */
function mergeParts(parts: { segment: PasteSegment; result: ParseResult & { kind: FileKind } }[]): Omit<ParsedFile, 'file' | 'bytes' | 'context'> {
  const records: Partial<Record<keyof ParsedRecords, unknown[]>> = {};
  const diagnostics: Diagnostic[] = [];
  const captured = new Set<string>();
  const incomplete = new Set<keyof ParsedRecords>();
  for (const { result } of parts) {
    for (const [key, list] of Object.entries(result.records) as [keyof ParsedRecords, unknown[]][]) {
      const target = (records[key] ??= []);
      for (const r of list) target.push(r);
    }
    diagnostics.push(...result.diagnostics);
    for (const k of result.capturedKinds ?? []) captured.add(k);
    for (const k of result.incomplete ?? []) incomplete.add(k);
  }
  const listed: ParsedPart[] = parts.map(({ segment, result }) => ({
    line: (segment.commandLine ?? segment.start) + 1,
    ...(segment.command !== undefined ? { command: segment.command } : {}),
    kind: result.kind,
    summary: result.summary,
  }));
  const kinds = new Set(listed.map((p) => p.kind).filter((k) => k !== 'unknown'));
  return {
    kind: kinds.size === 0 ? 'unknown' : kinds.size === 1 ? [...kinds][0]! : 'several-outputs',
    records: records as Partial<ParsedRecords>,
    diagnostics,
    ...(captured.size ? { capturedKinds: [...captured] } : {}),
    ...(incomplete.size ? { incomplete: [...incomplete] } : {}),
    summary: `${parts.length} outputs: ${listed.map((p) => `${p.kind} (${p.summary})`).join('; ')}`,
    parts: listed,
  };
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
