/**
 * A large `kubectl get ... -o json` List read item by item: kubectl prints Lists with json.MarshalIndent, four
 * spaces a level, so every item opens with a line of exactly eight spaces and `{` and closes with eight spaces
 * and `}` (a JSON string cannot hold a raw newline, so such a line is always structure). Each item is parsed on
 * its own and reduced to what rules need (kube-keep.ts) before the next, so the whole object tree of a
 * 200 MB pods List never exists at once. Anything else is left to JSON.parse.
 */
import { slimObject } from './kube-keep.js';

/** Below this a whole JSON.parse is as cheap and the tree small. */
export const ITEMWISE_BYTES = 8 * 1024 * 1024;

const HEAD = /^\{\n(?: {4}"[A-Za-z]+": [^\n]*,\n)*? {4}"items": \[\n/;
const ITEM_OPEN = '\n        {\n';
const ITEM_CLOSE = /\n {8}\}(,?)(?=\n)/g;

/** The List with its items reduced, or undefined when the text is not kubectl's pretty List form. */
export function parseKubectlJsonList(body: string): Record<string, unknown> | undefined {
  const head = HEAD.exec(body);
  if (!head) return undefined;
  const items: unknown[] = [];
  let at = head[0].length - 1; // the newline before the first item
  for (;;) {
    if (!body.startsWith(ITEM_OPEN, at)) break;
    ITEM_CLOSE.lastIndex = at + ITEM_OPEN.length - 1;
    const close = ITEM_CLOSE.exec(body);
    if (!close) return undefined;
    let item: unknown;
    try {
      item = JSON.parse(body.slice(at + 1, close.index + 10));
    } catch {
      return undefined;
    }
    if (typeof item === 'object' && item !== null && !Array.isArray(item)) slimObject(item as Record<string, unknown>);
    items.push(item);
    at = close.index + close[0].length;
    if (close[1] !== ',') break;
  }
  // What is left is the envelope after the items (`    ],` then kind and metadata), parsed with an empty list.
  const rest = body.slice(at);
  if (!/^\n {4}\]/.test(rest)) return undefined;
  let list: unknown;
  try {
    list = JSON.parse(`${body.slice(0, head[0].length - 1)}${rest.slice(1)}`);
  } catch {
    return undefined;
  }
  if (typeof list !== 'object' || list === null || !Array.isArray((list as Record<string, unknown>)['items'])) return undefined;
  (list as Record<string, unknown>)['items'] = items;
  return list as Record<string, unknown>;
}
