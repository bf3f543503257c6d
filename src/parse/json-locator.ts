/**
 * Where a JSON path of a parsed document is in its text, for evidence: one forward scan of the text finds
 * the offsets of the values that lead to records, and a Locator turns a path into a file line and a safe
 * excerpt (never certificate text). Used by the ztunnel dump reader, whose records cite their JSON paths.
 */
import type { TextLines } from '../text/lines.js';
import { yamlListItemOffsets } from './kube-lines.js';
import { excerpt, type ParseInput } from './parser.js';
import type { Diagnostic, Provenance } from './types.js';

export function memberPath(parent: string, key: string): string {
  const ident = /^[A-Za-z_$][\w$]*$/.test(key);
  if (parent === '') return ident ? key : `[${JSON.stringify(key)}]`;
  return ident ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

export function elementPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

/** Members whose line is the one to cite for the object that holds them. */
const ANCHORS = new Set(['name', 'identity', 'serialNumber', 'serial_number', 'src']);
/** Members below the top two levels that hold records (certificates, connections). */
const STRUCTURAL = new Set(['certChain', 'rootCerts', 'ca_cert', 'cert_chain', 'connections', 'inbound', 'outbound']);
const MAX_CONTAINER_DEPTH = 5;
const MAX_ANCHOR_DEPTH = 6;

interface Frame {
  arr: boolean;
  /** Undefined below the depth whose paths are recorded. */
  path: string | undefined;
  depth: number;
  index: number;
  key: string;
  keyAt: number;
  expectKey: boolean;
}

/**
 * One forward pass over the JSON text: by path, the offset of the values of the first two levels
 * and of the containers below them that lead to records (for a member, the offset of its key),
 * and of their ANCHORS members.
 * Strings are skipped with indexOf. Text that is not the parsed document only costs lines.
 */
export function scanJsonOffsets(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const stack: Frame[] = [];
  const n = text.length;
  // A pasted command line may precede the document.
  let i = text.search(/^[ \t]*[[{]/m);
  if (i < 0) return out;

  const enter = (at: number, container: boolean): { path: string | undefined; depth: number } => {
    const parent = stack[stack.length - 1];
    if (!parent) return { path: '', depth: 0 };
    const depth = parent.depth + 1;
    if (parent.path === undefined) return { path: undefined, depth };
    // Scalars too near the top (`"workloads": "x"`, `services[0]: null`), for the line of a diagnostic.
    const scalar = !container && (depth <= 2 || (!parent.arr && depth <= MAX_ANCHOR_DEPTH && ANCHORS.has(parent.key)));
    // Below the top two levels, only the containers that lead to records: list elements
    // (`by_host[h][0]`, `certChain[1]`) and the few members on the way to them.
    const wanted = container && depth <= MAX_CONTAINER_DEPTH && (depth <= 2 || parent.arr || STRUCTURAL.has(parent.key));
    if (!wanted && !scalar) return { path: undefined, depth };
    const path = parent.arr ? elementPath(parent.path, parent.index) : memberPath(parent.path, parent.key);
    out.set(path, parent.arr ? at : parent.keyAt);
    return { path: container ? path : undefined, depth };
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 123 /* { */ || c === 91 /* [ */) {
      const { path, depth } = enter(i, true);
      stack.push({ arr: c === 91, path, depth, index: 0, key: '', keyAt: -1, expectKey: true });
      i++;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      stack.pop();
      if (stack.length === 0) break;
      i++;
    } else if (c === 44 /* , */) {
      const top = stack[stack.length - 1];
      if (top?.arr) top.index++;
      else if (top) top.expectKey = true;
      i++;
    } else if (c === 34 /* " */) {
      const end = stringEnd(text, i);
      if (end < 0) break;
      const top = stack[stack.length - 1];
      if (top && !top.arr && top.expectKey) {
        top.key = decodeKey(text, i, end);
        top.keyAt = i;
        top.expectKey = false;
      } else {
        enter(i, false);
      }
      i = end + 1;
    } else if (c === 32 || c === 10 || c === 13 || c === 9 || c === 58 /* : */) {
      i++;
    } else {
      // A number, true, false or null.
      enter(i, false);
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 44 || d === 93 || d === 125 || d === 32 || d === 10 || d === 13 || d === 9) break;
        i++;
      }
    }
  }
  return out;
}

/** The offset of the quote that closes the string opened at `start`, or -1. */
function stringEnd(text: string, start: number): number {
  let j = text.indexOf('"', start + 1);
  while (j !== -1) {
    let backslashes = 0;
    for (let k = j - 1; text.charCodeAt(k) === 92; k--) backslashes++;
    if (backslashes % 2 === 0) return j;
    j = text.indexOf('"', j + 1);
  }
  return -1;
}

function decodeKey(text: string, start: number, end: number): string {
  const raw = text.slice(start + 1, end);
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(text.slice(start, end + 1)) as string;
  } catch {
    return raw;
  }
}

/** A line shown as evidence: not a lone bracket, not a whole minified document, never certificate text. */
function safeExcerpt(line: string): string | undefined {
  const t = line.trim();
  if (t.length < 3 || t.length > 240) return undefined;
  if (/"pem"|-----BEGIN|PRIVATE KEY/i.test(t)) return undefined;
  return excerpt(t);
}

/** Provenance by JSON path, the offsets found in one scan made on first use. */
export class Locator {
  private offsets: Map<string, number> | undefined;
  private lines: TextLines | undefined;

  /** `yaml`: the document is ztunnel's YAML local config; its list items are located, not JSON members. */
  constructor(private readonly input: ParseInput, private readonly yaml = false) {}

  source(path: string, anchor?: string): Provenance {
    const source: Provenance = { file: this.input.file, path };
    const line = this.line(path, anchor);
    if (line !== undefined) {
      source.line = line + 1;
      const text = safeExcerpt(this.lines!.get(line));
      if (text !== undefined) source.excerpt = text;
    }
    return source;
  }

  /** The 0-based line of `path` (of its `anchor` member when it has one). */
  private line(path: string, anchor: string | undefined): number | undefined {
    this.offsets ??= this.yaml ? yamlListItemOffsets(this.input.index, ['workloads', 'services', 'policies']) : scanJsonOffsets(this.input.text);
    const at = (anchor !== undefined ? this.offsets.get(memberPath(path, anchor)) : undefined) ?? this.offsets.get(path);
    if (at === undefined) return undefined;
    this.lines ??= this.input.index;
    return this.lines.lineOf(at);
  }

  diagnostic(path: string, message: string): Diagnostic {
    const line = path === '' ? undefined : this.line(path, undefined);
    return { file: this.input.file, ...(line !== undefined ? { line: line + 1 } : {}), message: `${path || 'document'}: ${message}` };
  }
}
