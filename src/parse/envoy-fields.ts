/**
 * Reading Envoy's config dumps in either spelling: snake_case (the raw admin `/config_dump`) or
 * protojson camelCase (istioctl's per-type `-o json|yaml`), and finding the line of a named object.
 */
import type { TextLines } from '../text/lines.js';
import { isRecord } from './kube.js';
import { excerpt, type ParseInput } from './parser.js';

export type Rec = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Field access: snake_case or its protojson camelCase form.

const camelCache = new Map<string, string>();

function camel(snake: string): string {
  let c = camelCache.get(snake);
  if (c === undefined) {
    c = snake.replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());
    camelCache.set(snake, c);
  }
  return c;
}

/** The key under which `obj` holds the field `snake` (as written, or camelCased), if any. */
export function keyOf(obj: Rec, snake: string): string | undefined {
  if (Object.hasOwn(obj, snake)) return snake;
  const c = camel(snake);
  return c !== snake && Object.hasOwn(obj, c) ? c : undefined;
}

/** `obj.snake_name`, or `obj.snakeName` when the dump is protojson. */
export function field(obj: Rec, snake: string): unknown {
  const k = keyOf(obj, snake);
  return k === undefined ? undefined : obj[k];
}

export function str(obj: Rec, snake: string): string | undefined {
  const v = field(obj, snake);
  return typeof v === 'string' ? v : undefined;
}

export function rec(obj: Rec, snake: string): Rec | undefined {
  const v = field(obj, snake);
  return isRecord(v) ? v : undefined;
}

export function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

// ---------------------------------------------------------------------------------------------
// Lines: one forward pass over the text for `"name": "<value>"` (or another key; or YAML's
// `name: <value>`), in the order Envoy prints fields.

/** After this many names not found, stop looking: a hand-written dump in another order costs nothing. */
const MAX_MISSES = 16;

export class NameLocator {
  private cursor = 0;
  private misses = 0;
  private lines: TextLines | undefined;

  constructor(private readonly input: ParseInput) {}

  /**
   * The provenance of the object whose `name` is `name`: the 1-based line of the next
   * `"name": "<name>"` at or after the previous hit, or no line when it is not found there.
   */
  find(name: string, keys: readonly string[] = ['name']): { line?: number; excerpt?: string } {
    const at = this.next(name, keys);
    if (at === undefined) return {};
    this.lines ??= this.input.index;
    const line = this.lines.lineOf(at);
    return { line: line + 1, excerpt: excerpt(this.lines.get(line)) };
  }

  /** Moves past the next `"name": "<name>"` without reporting it (a wrapper's copy of the name). */
  skip(name: string | undefined): void {
    if (name !== undefined && name !== '') this.next(name);
  }

  private next(name: string, keys: readonly string[] = ['name']): number | undefined {
    // Names that a JSON printer could escape in several ways are not looked for.
    if (this.misses >= MAX_MISSES || name === '' || /[^\x20-\x7e]|["\\<>&]/.test(name)) return undefined;
    const text = this.input.text;
    for (let i = text.indexOf(name, this.cursor); i !== -1; i = text.indexOf(name, i + 1)) {
      if (keys.some((key) => isKeyBefore(text, i, key)) && isValueEnd(text, i + name.length)) {
        this.cursor = i + name.length;
        return i;
      }
    }
    this.misses++;
    return undefined;
  }
}

/** Whether `"key": "` (JSON) or `key: ` / `key: '` (YAML) ends at `end`, where a value starts. */
function isKeyBefore(text: string, end: number, key: string): boolean {
  let j = end - 1;
  if (text[j] === '"' || text[j] === "'") j--;
  while (j >= 0 && isSpace(text.charCodeAt(j))) j--;
  if (text.charCodeAt(j) !== 58 /* : */) return false;
  j--;
  while (j >= 0 && isSpace(text.charCodeAt(j))) j--;
  if (text[j] === '"') return j >= key.length + 1 && text.startsWith(`"${key}"`, j - key.length - 1);
  return j >= key.length - 1 && text.startsWith(key, j - key.length + 1) && !/[\w"]/.test(text[j - key.length] ?? '');
}

/** The value ends here: a closing quote, or (YAML) the end of the line. */
function isValueEnd(text: string, at: number): boolean {
  const c = text[at];
  return c === '"' || c === "'" || c === '\n' || c === '\r' || c === undefined;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13;
}

