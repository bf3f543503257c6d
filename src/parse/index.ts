/**
 * Sniffing and parsing: decides each file's kind from its content (the path is only a hint for
 * empty Lists) and hands it to that kind's parser. Every file is decoded and parsed exactly once.
 */
import { decodeText, splitLines } from '../text/decode.js';
import { analyzeTextParser } from './analyze.js';
import { kubeResourceParser } from './kube.js';
import { TextLines } from '../text/lines.js';
import { HEAD_LINES, type FileParser, type ParseInput } from './parser.js';
import { proxyStatusParser } from './proxy-status.js';
import type { Diagnostic, FileKind, ParseResult } from './types.js';
import { ztunnelServiceParser, ztunnelWorkloadParser } from './ztunnel-config.js';

/** Every parser the sniffer tries; the one whose content starts earliest in the file wins. */
export const PARSERS: readonly FileParser[] = [
  kubeResourceParser,
  ztunnelServiceParser,
  ztunnelWorkloadParser,
  proxyStatusParser,
  analyzeTextParser,
];

export interface ParsedFile extends ParseResult {
  file: string;
  kind: FileKind;
  bytes: number;
}

export function parseFile(file: string, data: Buffer): ParsedFile {
  const base = { file, bytes: data.length };
  const text = decodeText(data);
  let lines: string[] | undefined;
  let index: TextLines | undefined;
  const input: ParseInput = {
    file,
    text,
    head: headLines(text, HEAD_LINES),
    get lines() {
      return (lines ??= splitLines(text));
    },
    get index() {
      return (index ??= new TextLines(text));
    },
  };
  const diagnostics: Diagnostic[] = [];
  if (/^\s*[[{]/.test(text)) {
    try {
      input.json = JSON.parse(text);
    } catch (err) {
      // Not necessarily an error: a YAML flow mapping or a table can start with `{`/`[` too.
      diagnostics.push({ file, line: jsonErrorLine(text, err), message: `looks like JSON but could not be parsed: ${(err as Error).message}` });
    }
  }
  const parser = sniff(input);
  if (!parser) {
    return { ...base, kind: 'unknown', records: {}, diagnostics, summary: diagnostics.length ? 'unreadable JSON' : 'not recognized' };
  }
  try {
    const result = parser.parse(input);
    return { ...base, kind: parser.kind, ...result };
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

function headLines(text: string, count: number): string[] {
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

function jsonErrorLine(text: string, err: unknown): number | undefined {
  const m = /position (\d+)/.exec((err as Error).message);
  if (!m) return undefined;
  const pos = Number(m[1]);
  let line = 1;
  for (let i = 0; i < pos && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
