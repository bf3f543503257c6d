/** JSON helpers for captures: concatenated documents, and where a parse error is. */

/**
 * Splits text made of several top-level JSON objects or arrays written one after another with no
 * separator (what `istioctl proxy-status -o json` prints, one per istiod). Undefined if it is not that.
 */
export function parseJsonSequence(text: string): unknown[] | undefined {
  const docs: unknown[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && /\s/.test(text[i]!)) i++;
    if (i >= n) break;
    const open = text[i];
    if (open !== '{' && open !== '[') return undefined;
    const start = i;
    let depth = 0;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 34 /* " */) {
        for (i++; i < n && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92 /* \ */) i++;
      } else if (c === 123 || c === 91) depth++;
      else if (c === 125 || c === 93) {
        if (--depth === 0) {
          i++;
          break;
        }
      }
    }
    if (depth !== 0) return undefined;
    try {
      docs.push(JSON.parse(text.slice(start, i)));
    } catch {
      return undefined;
    }
  }
  return docs.length > 1 ? docs : undefined;
}

/** The 1-based line of a `JSON.parse` error, from the position V8 reports (relative to `offset` in `text`). */
export function jsonErrorLine(text: string, err: unknown, offset = 0): number | undefined {
  const m = /position (\d+)/.exec((err as Error).message);
  if (!m) return undefined;
  const pos = Number(m[1]) + offset;
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < pos; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
