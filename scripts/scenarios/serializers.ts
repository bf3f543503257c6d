/**
 * Writers that print objects and tables the way kubectl and istioctl print them: kubectl JSON (keys sorted,
 * 4-space indent, Go's HTML escaping), kubectl YAML (go-yaml v2), Go tabwriter tables, `istioctl version -o json`.
 */
import yaml from 'js-yaml';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type K = any;

// =====================================================================================================
// Serializers
// =====================================================================================================

/** Go's encoding/json escapes these even inside strings; they only ever occur inside strings. */
export function goEscape(text: string): string {
  return text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function sortKeysDeep(value: K): K {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value && typeof value === 'object') {
    const out: K = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeysDeep(value[key]);
    return out;
  }
  return value;
}

/** `kubectl get -o json`: unstructured objects, so every map's keys are sorted; 4-space indent. */
export function kubectlJson(value: K): string {
  return goEscape(JSON.stringify(sortKeysDeep(value), null, 4)) + '\n';
}

/**
 * `istioctl proxy-config all -o json`: Envoy's admin `/config_dump` as istioctl prints it (protobuf JSON,
 * snake_case, 2-space indent), then a newline.
 */
export function envoyJson(value: K): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/** `istioctl version -o json`: json.MarshalIndent(v, "", "  ") of Go structs (field order kept). */
export function istioctlJson(value: K): string {
  return goEscape(JSON.stringify(value, null, 2)) + '\n';
}

// ---- go-yaml v2 (what kubectl -o yaml prints through sigs.k8s.io/yaml) ---------------------------------

export const isLetter = (c: string) => /\p{L}/u.test(c);
export const isDigit = (c: string) => c >= '0' && c <= '9';

/** yaml.v2 keyList.Less: letters after non-letters, digit runs compared as numbers. */
export function goYamlKeyCompare(a: string, b: string): number {
  const ar = [...a];
  const br = [...b];
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ac = ar[i]!;
    const bc = br[i]!;
    if (ac === bc) continue;
    const al = isLetter(ac);
    const bl = isLetter(bc);
    if (al && bl) return ac < bc ? -1 : 1;
    if (al || bl) return bl ? -1 : 1;
    let an = 0;
    let bn = 0;
    if (ac === '0' || bc === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]!); j--) {
        if (ar[j] !== '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && isDigit(ar[ai]!); ai++) an = an * 10 + (ar[ai]!.charCodeAt(0) - 48);
    for (; bi < br.length && isDigit(br[bi]!); bi++) bn = bn * 10 + (br[bi]!.charCodeAt(0) - 48);
    if (an !== bn) return an < bn ? -1 : 1;
    if (ai !== bi) return ai < bi ? -1 : 1;
    return ac < bc ? -1 : 1;
  }
  return ar.length - br.length;
}

export const YAML11_SPECIAL = new Set([
  'y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE',
  'on', 'On', 'ON', 'off', 'Off', 'OFF', '', '~', 'null', 'Null', 'NULL', '.nan', '.NaN', '.NAN', '.inf', '.Inf',
  '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF', '<<',
]);

/** Whether yaml.v2's resolve() would read the plain scalar as something other than a string. */
export function resolvesToNonString(s: string): boolean {
  if (YAML11_SPECIAL.has(s)) return true;
  const c = s[0]!;
  if (c === '.') return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(s);
  if (!(isDigit(c) || c === '+' || c === '-')) return false;
  if (/^\d{4}-\d{1,2}-\d{1,2}(([Tt]\d{1,2}:\d{1,2}:\d{1,2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))|( \d{1,2}:\d{1,2}:\d{1,2}(\.\d+)?))?$/.test(s)) return true;
  const plain = s.replace(/_/g, '');
  if (/^[-+]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[0-9]+)$/.test(plain)) return true;
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(plain)) return true;
  if (/^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/.test(s)) return true; // base 60 float
  return false;
}

export const isPrintable = (code: number) =>
  code === 0x0a || (code >= 0x20 && code <= 0x7e) || code === 0x85 || (code >= 0xa0 && code <= 0xd7ff) ||
  (code >= 0xe000 && code <= 0xfffd && code !== 0xfeff) || (code >= 0x10000 && code <= 0x10ffff);

/** libyaml's yaml_emitter_analyze_scalar, block context only. */
export function analyzeScalar(s: string) {
  let blockIndicators = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  let lineBreaks = false;
  let special = false;
  const chars = [...s];
  if (s.startsWith('---') || s.startsWith('...')) blockIndicators = true;
  let precededByWhitespace = true;
  let followedByWhitespace = chars.length <= 1 || /[\s]/.test(chars[1]!);
  chars.forEach((ch, i) => {
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) blockIndicators = true;
      if ((ch === '?' || ch === ':') && followedByWhitespace) blockIndicators = true;
      if (ch === '-' && followedByWhitespace) blockIndicators = true;
    } else {
      if (ch === ':' && followedByWhitespace) blockIndicators = true;
      if (ch === '#' && precededByWhitespace) blockIndicators = true;
    }
    if (!isPrintable(ch.codePointAt(0)!)) special = true;
    if (ch === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (ch === '\n') {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousBreak = true;
      previousSpace = false;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = /[\s]/.test(ch);
    followedByWhitespace = i + 2 >= chars.length || /[\s]/.test(chars[i + 2]!);
  });
  let blockPlain = true;
  let singleQuoted = true;
  let block = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlain = false;
  if (trailingSpace) block = false;
  if (breakSpace) blockPlain = singleQuoted = false;
  if (spaceBreak || special) blockPlain = singleQuoted = block = false;
  if (lineBreaks) blockPlain = false;
  if (blockIndicators) blockPlain = false;
  return { blockPlain, singleQuoted, block };
}

export function doubleQuoted(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (!isPrintable(code) || code === 0xfeff) out += code <= 0xff ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}` : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}

/** One string scalar: inline text, or a literal block (first line `|`/`|-`/`|+`, then the content lines). */
export function yamlString(s: string, isKey: boolean): { inline: string } | { header: string; lines: string[] } {
  if (s.includes('\n')) {
    const a = analyzeScalar(s);
    if (!isKey && a.block) {
      const trailing = /\n+$/.exec(s)?.[0].length ?? 0;
      const chomp = trailing === 0 ? '-' : trailing > 1 || s.length === trailing ? '+' : '';
      const indentHint = s[0] === ' ' || s[0] === '\n' ? '2' : '';
      const body = trailing ? s.slice(0, s.length - 1) : s;
      return { header: `|${indentHint}${chomp}`, lines: body.split('\n') };
    }
    return { inline: doubleQuoted(s) };
  }
  if (resolvesToNonString(s)) return { inline: doubleQuoted(s) };
  const a = analyzeScalar(s);
  if (a.blockPlain) return { inline: s };
  if (a.singleQuoted) return { inline: `'${s.replace(/'/g, "''")}'` };
  return { inline: doubleQuoted(s) };
}

export function scalarText(value: K): string | undefined {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return String(value);
  return undefined;
}

export function emitYamlValue(value: K, indent: number, out: string[], prefix: string): void {
  const pad = ' '.repeat(indent);
  const scalar = scalarText(value);
  if (scalar !== undefined) {
    out.push(`${prefix} ${scalar}`);
    return;
  }
  if (typeof value === 'string') {
    const s = yamlString(value, false);
    if ('inline' in s) out.push(`${prefix} ${s.inline}`);
    else {
      out.push(`${prefix} ${s.header}`);
      for (const line of s.lines) out.push(line === '' ? '' : `${pad}  ${line}`);
    }
    return;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) out.push(`${prefix} []`);
    else {
      out.push(prefix);
      emitYamlSequence(value, indent, out);
    }
    return;
  }
  if (Object.keys(value).length === 0) out.push(`${prefix} {}`);
  else {
    out.push(prefix);
    emitYamlMapping(value, indent + 2, out);
  }
}

export function emitYamlMapping(obj: K, indent: number, out: string[]): void {
  const pad = ' '.repeat(indent);
  for (const key of Object.keys(obj).sort(goYamlKeyCompare)) {
    const k = yamlString(key, true);
    emitYamlValue(obj[key], indent, out, `${pad}${'inline' in k ? k.inline : key}:`);
  }
}

export function emitYamlSequence(items: K[], indent: number, out: string[]): void {
  const pad = ' '.repeat(indent);
  for (const item of items) {
    if (item && typeof item === 'object' && !Array.isArray(item) && Object.keys(item).length > 0) {
      const sub: string[] = [];
      emitYamlMapping(item, indent + 2, sub);
      sub[0] = `${pad}- ${sub[0]!.slice(indent + 2)}`;
      out.push(...sub);
    } else if (Array.isArray(item) && item.length > 0) {
      const sub: string[] = [];
      emitYamlSequence(item, indent + 2, sub);
      sub[0] = `${pad}- ${sub[0]!.slice(indent + 2)}`;
      out.push(...sub);
    } else {
      const lines: string[] = [];
      emitYamlValue(item, indent, lines, `${pad}-`);
      out.push(...lines);
    }
  }
}

/** `kubectl get -o yaml`. */
export function kubectlYaml(value: K): string {
  const out: string[] = [];
  emitYamlMapping(value, 0, out);
  return out.join('\n') + '\n';
}

export function loadYaml(text: string): K {
  // CORE_SCHEMA: timestamps stay strings, as kubectl means them.
  return yaml.load(text, { schema: yaml.CORE_SCHEMA });
}

// ---- Go tabwriter ----------------------------------------------------------------------------------

export interface Table {
  columns: string[];
  rows: string[][];
  padding: number;
}

/** Cuts rows at the header labels' offsets (real tabwriter output: columns start at the same offset). */
export function parseTable(text: string, columns: string[], padding: number): Table {
  const lines = text.replace(/\n$/, '').split('\n');
  const header = lines[0]!;
  const starts: number[] = [];
  let from = 0;
  for (const c of columns) {
    const at = header.indexOf(c, from);
    if (at < 0) throw new Error(`column ${c} not in header ${header}`);
    starts.push(at);
    from = at + c.length;
  }
  const rows = lines.slice(1).map((line) => {
    const chars = [...line];
    return starts.map((s, i) => chars.slice(s, i + 1 < starts.length ? starts[i + 1] : undefined).join('').trimEnd());
  });
  return { columns, rows, padding };
}

export function renderTable(t: Table): string {
  const all = [t.columns, ...t.rows];
  const width = (s: string) => [...s].length;
  const widths = t.columns.map((_, i) => Math.max(...all.map((r) => width(r[i]!))) + t.padding);
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - width(c)))).join('')).join('\n') + '\n';
}

export const ZS_COLUMNS = ['NAMESPACE', 'SERVICE NAME', 'SERVICE VIP', 'WAYPOINT', 'ENDPOINTS'];
export const ZW_COLUMNS = ['NAMESPACE', 'POD NAME', 'ADDRESS', 'NODE', 'WAYPOINT', 'PROTOCOL'];
