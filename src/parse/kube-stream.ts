/**
 * A large `kubectl get ... -A -o json|yaml` List read line by line as the archive streams, one item at a time:
 * neither the file's text nor its whole object tree is ever held, only the item being read and the objects
 * already reduced to what rules need (kube-keep.ts). The forms are kubectl's own:
 * - JSON (json.MarshalIndent, four spaces a level): `{`, `    "apiVersion": ...`, `    "items": [`, then each
 *   item from a line of eight spaces and `{` to one of eight spaces and `}` or `},` (a JSON string holds no raw
 *   newline, so such lines are always structure), then `    ],` and the List's kind and metadata;
 * - YAML: `apiVersion: v1`, `items:`, each item from a line starting `- ` at column 0, then `kind: List`.
 * Each item goes through the same toKubeObject as a whole file's, with the file's line numbers (WindowLines),
 * so records and evidence are the same as kube.ts would give. Anything else is left to the whole-file parsers.
 */
import { WindowLines } from '../text/lines.js';
import { KEEP_OF } from './kube-keep.js';
import { readKubeYaml } from './kube-yaml.js';
import { kubeParseResult, toKubeObject } from './kube.js';
import type { Diagnostic, KubeObject, ParseResult } from './types.js';
import { loadKubeYaml } from './yaml.js';

export type KubeListForm = 'json' | 'yaml';

/** Which streamable form the first lines of a file are in, if any. */
export function kubeListForm(head: readonly string[]): KubeListForm | undefined {
  const at = head.findIndex((l) => l.trim() !== '');
  if (at === -1) return undefined;
  const [a = '', b = '', c = '', d = ''] = head.slice(at);
  if (a === '{' && /^ {4}"apiVersion": "[^"]*",$/.test(b) && /^ {4}"items": \[$/.test(c) && d === '        {') return 'json';
  if (/^apiVersion: \S+$/.test(a) && b === 'items:' && c.startsWith('- ')) return 'yaml';
  return undefined;
}

type Phase = 'head' | 'items' | 'tail';

/** Feed it every line of the file in order (`line`), then `finish`. */
export class KubeListStream {
  private phase: Phase = 'head';
  private lineNo = -1;
  private item: string[] = [];
  private itemStart = 0;
  private items = 0;
  private listKind: string | undefined;
  private readonly objects: KubeObject[] = [];
  private readonly diagnostics: Diagnostic[] = [];
  private unexpected = false;

  /**
   * `onItem`: each item's whole value, unreduced, instead of KubeObjects (the redactor reads every field; it
   * still never holds more than one item's tree).
   */
  constructor(private readonly file: string, private readonly form: KubeListForm, private readonly onItem?: (value: unknown) => void) {}

  line(text: string): void {
    this.lineNo++;
    if (this.form === 'json') this.jsonLine(text);
    else this.yamlLine(text);
  }

  finish(): ParseResult {
    if (this.item.length > 0) {
      if (this.form === 'yaml') this.flushYaml();
      else this.diagnostics.push({ file: this.file, line: this.itemStart + 1, message: 'the List ends inside this item; it was not read' });
    }
    const sawList = this.listKind !== undefined || this.items > 0;
    return kubeParseResult(this.file, this.objects, sawList, this.diagnostics);
  }

  private jsonLine(text: string): void {
    if (this.phase === 'head') {
      if (text === '    "items": [') this.phase = 'items';
      return;
    }
    if (this.phase === 'tail') {
      this.listKind ??= /^ {4}"kind": "(\w*List)",?$/.exec(text)?.[1];
      return;
    }
    if (this.item.length === 0) {
      if (text === '        {') {
        this.item.push(text);
        this.itemStart = this.lineNo;
      } else if (/^ {4}\],?$/.test(text)) this.phase = 'tail';
      else this.unexpectedLine(text);
      return;
    }
    const close = /^ {8}\},?$/.test(text);
    this.item.push(close ? '        }' : text);
    if (close) this.flushJson();
  }

  private flushJson(): void {
    const text = this.item.join('\n');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      this.diagnostics.push({ file: this.file, line: this.itemStart + 1, message: `item could not be parsed as JSON (${(err as Error).message.replace(/\s+/g, ' ')}); skipped` });
    }
    if (value !== undefined) this.take(value, text);
    this.item = [];
  }

  private yamlLine(text: string): void {
    if (this.phase === 'head') {
      if (text === 'items:') this.phase = 'items';
      return;
    }
    if (this.phase === 'tail') {
      this.listKind ??= /^kind: (\w*List)$/.exec(text)?.[1];
      return;
    }
    if (text.startsWith('- ')) {
      this.flushYaml();
      this.item.push(text);
      this.itemStart = this.lineNo;
    } else if (text === '' || text.startsWith(' ')) {
      if (this.item.length > 0) this.item.push(text);
      else if (text !== '') this.unexpectedLine(text);
    } else {
      this.flushYaml();
      this.phase = 'tail';
      this.listKind ??= /^kind: (\w*List)$/.exec(text)?.[1];
    }
  }

  private flushYaml(): void {
    if (this.item.length === 0) return;
    const original = this.item.join('\n');
    // The item as a document of its own: the sequence's `- ` and its two-space indent removed.
    const document = this.item.map((l) => l.slice(2)).join('\n');
    let value: unknown;
    try {
      value = readKubeYaml(document, this.onItem ? undefined : KEEP_OF) ?? loadKubeYaml(document);
    } catch (err) {
      const mark = (err as { mark?: { line?: number } }).mark;
      this.diagnostics.push({ file: this.file, line: this.itemStart + 1 + (mark?.line ?? 0), message: `YAML item could not be parsed: ${(err as Error).message.split('\n')[0]}` });
    }
    if (value !== undefined && value !== null) this.take(value, original);
    this.item = [];
  }

  private take(value: unknown, text: string): void {
    if (this.onItem) {
      this.items++;
      this.onItem(value);
    } else this.add(value, text);
  }

  private add(value: unknown, text: string): void {
    const lines = new WindowLines(text, this.itemStart);
    const range = { start: this.itemStart, end: this.itemStart + this.item.length };
    const object = toKubeObject(value, this.file, lines, range, `items[${this.items}]`, this.diagnostics);
    this.items++;
    if (object) this.objects.push(object);
  }

  /** Said once per file: one stray line usually means many. */
  private unexpectedLine(text: string): void {
    if (this.unexpected) return;
    this.unexpected = true;
    this.diagnostics.push({ file: this.file, line: this.lineNo + 1, message: `unexpected line between the List's items ("${text.trim().slice(0, 60)}"); lines up to the next item were skipped` });
  }
}

/**
 * The items of a kubectl List already in memory, handed on one at a time and unreduced (true), or nothing when the text is not
 * in a streamable form (then false): the whole tree of a 70 MB List is never built.
 */
export function kubectlListItems(text: string, onItem: (value: unknown) => void): boolean {
  const head: string[] = [];
  for (let at = 0, n = 0; n < 8 && at < text.length; n++) {
    const end = text.indexOf('\n', at);
    head.push(text.slice(at, end === -1 ? text.length : end));
    if (end === -1) break;
    at = end + 1;
  }
  const form = kubeListForm(head);
  if (!form) return false;
  const stream = new KubeListStream('', form, onItem);
  let at = 0;
  while (at < text.length) {
    const end = text.indexOf('\n', at);
    stream.line(text.slice(at, end === -1 ? text.length : end).replace(/\r$/, ''));
    if (end === -1) break;
    at = end + 1;
  }
  stream.finish();
  return true;
}
