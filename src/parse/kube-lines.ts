/**
 * Where the objects of a `kubectl get -o yaml|json` file are in its text: the documents of multi-document YAML,
 * and the first line of each item of a List or array, in kubectl's YAML and pretty JSON (strings and escapes
 * respected), so every object's evidence cites its own lines.
 */
import type { TextLines } from '../text/lines.js';

/** A half-open 0-based line range [start, end). */
export interface LineRange {
  start: number;
  end: number;
}

/** Splits multi-document YAML at `---` lines, keeping each document's first line for provenance. */
export function yamlDocuments(lines: TextLines): { text: string; range: LineRange }[] {
  const { text } = lines;
  const docs: { text: string; range: LineRange }[] = [];
  let start = 0;
  const push = (end: number) => {
    const body = text.slice(lines.offsetOf(start), lines.offsetOf(end));
    if (/^[ \t]*[^\s#]/m.test(body)) docs.push({ text: body, range: { start, end } });
  };
  // Separators found by one regex over the text: no line of a large file is split out on the way.
  for (const m of text.matchAll(/^(?:---(?:[ \t].*)?|\.\.\.)$/gm)) {
    const line = lines.lineOf(m.index);
    push(line);
    start = line + 1;
  }
  push(lines.length);
  return docs;
}

/**
 * Offsets of the items of top-level block sequences, as JSON paths (`workloads[3]` -> offset of its
 * `- ` line): provenance for YAML documents that are not Kubernetes objects (ztunnel's local config).
 */
export function yamlListItemOffsets(lines: TextLines, keys: readonly string[]): Map<string, number> {
  const offsets = new Map<string, number>();
  const whole = { start: 0, end: lines.length };
  for (const key of keys) {
    yamlSequenceItemLines(lines, whole, key).forEach((line, i) => offsets.set(`${key}[${i}]`, lines.offsetOf(line)));
  }
  return offsets;
}

/** 0-based lines where each item of `key:`'s block sequence starts (kubectl: `- ` at column 0, or indented). */
export function yamlSequenceItemLines(lines: TextLines, range: LineRange, key: string): number[] {
  const { text } = lines;
  const from = lines.offsetOf(range.start);
  const to = lines.offsetOf(range.end);
  const keyLine = new RegExp(`^${key}:[ \\t]*$`, 'gm');
  keyLine.lastIndex = from;
  const found = keyLine.exec(text);
  if (!found || found.index >= to) return [];
  const first = /^([ ]*)- /m.exec(text.slice(found.index, Math.min(to, found.index + 4096)));
  if (!first) return [];
  const indent = first[1]!.length;
  // The block ends at the first line indented less than its items (or, at indent 0, a key line).
  const endOfBlock = new RegExp(indent === 0 ? '^[^\\s#-]' : `^ {0,${indent - 1}}[^\\s#]`, 'gm');
  endOfBlock.lastIndex = found.index + found[0].length;
  const blockEnd = Math.min(to, endOfBlock.exec(text)?.index ?? to);
  const item = new RegExp(`^ {${indent}}- `, 'gm');
  item.lastIndex = found.index;
  const starts: number[] = [];
  let line = lines.lineOf(found.index);
  let lineOffset = found.index;
  for (let m = item.exec(text); m && m.index < blockEnd; m = item.exec(text)) {
    line += countNewlines(text, lineOffset, m.index);
    lineOffset = m.index;
    starts.push(line);
  }
  return starts;
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * kubectl's pretty JSON opens each item with a `{` alone on a line, one indent deeper than
 * `"items": [`. One regex finds those lines; if their count is not the item count, the caller
 * falls back to the exact scanner below.
 */
export function prettyJsonItemLines(lines: TextLines, count: number): number[] | undefined {
  const { text } = lines;
  const items = /^( *)"items": \[\n( +)\{$/m.exec(text);
  if (!items || items[2]!.length <= items[1]!.length) return undefined;
  const starts: number[] = [];
  const open = new RegExp(`^ {${items[2]!.length}}\\{$`, 'gm');
  open.lastIndex = items.index;
  let line = lines.lineOf(items.index);
  let offset = items.index;
  for (let m = open.exec(text); m; m = open.exec(text)) {
    line += countNewlines(text, offset, m.index);
    offset = m.index;
    starts.push(line);
  }
  return starts.length === count ? starts : undefined;
}

/** 0-based lines of the items of a top-level YAML sequence (`- ` at column 0). */
export function topLevelYamlItemLines(lines: TextLines, range: LineRange): number[] {
  const starts: number[] = [];
  for (let i = range.start; i < range.end; i++) if (lines.get(i).startsWith('- ')) starts.push(i);
  return starts;
}

/** 0-based lines where the elements of a top-level JSON array start (strings and escapes respected). */
export function topLevelJsonElementLines(lines: TextLines, range: LineRange): number[] {
  const { text } = lines;
  const starts: number[] = [];
  let depth = 0;
  let line = range.start;
  const end = lines.offsetOf(range.end);
  for (let i = lines.offsetOf(range.start); i < end; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10 /* \n */) line++;
    else if (ch === 34 /* " */) {
      for (i++; i < end; i++) {
        const c = text.charCodeAt(i);
        if (c === 92 /* \\ */) i++;
        else if (c === 34) break;
        else if (c === 10) line++;
      }
    } else if (ch === 123 /* { */ || ch === 91 /* [ */) {
      if (depth === 1) starts.push(line);
      depth++;
    } else if (ch === 125 /* } */ || ch === 93 /* ] */) depth--;
  }
  return starts;
}

/** Scans JSON text (strings and escapes respected) for the start lines of `key`'s array elements at depth 1. */
export function jsonArrayElementLines(lines: TextLines, range: LineRange, key: string): number[] {
  const { text } = lines;
  const starts: number[] = [];
  let depth = 0;
  let line = range.start;
  let lastKey = '';
  let arrayKeyAtDepth1 = '';
  const end = lines.offsetOf(range.end);
  for (let i = lines.offsetOf(range.start); i < end; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10 /* \n */) {
      line++;
    } else if (ch === 34 /* " */) {
      const start = i + 1;
      for (i++; i < end; i++) {
        const c = text.charCodeAt(i);
        if (c === 92 /* \\ */) i++;
        else if (c === 34) break;
        else if (c === 10) line++;
      }
      if (depth === 1) lastKey = text.slice(start, i);
    } else if (ch === 123 /* { */ || ch === 91 /* [ */) {
      if (depth === 1 && ch === 91) arrayKeyAtDepth1 = lastKey;
      if (depth === 2 && arrayKeyAtDepth1 === key) starts.push(line);
      depth++;
    } else if (ch === 125 /* } */ || ch === 93 /* ] */) {
      depth--;
    }
  }
  return starts;
}
