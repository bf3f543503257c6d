/**
 * `unmask`: the way back. A report support sends about a redacted bundle names pseudonyms; with the
 * map, each is replaced by the name it stands for. Names hold no character HTML or JSON escapes, so
 * one word-level pass serves both report formats; addresses are restored from the map's record of them.
 */
import { InputError } from '../errors.js';
import type { RedactionMap } from './map.js';

const WORD = /[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?/g;
const ADDRESS = /(?<![0-9A-Za-z.:])(?:\d{1,3}(?:\.\d{1,3}){3}(?:\/\d{1,2})?|(?=[0-9a-f:]*:[0-9a-f:]*:)[0-9a-f:]{2,39}(?:\/\d{1,3})?)(?![0-9A-Za-z]|\.\d)/g;

export interface UnmaskResult {
  text: string;
  replaced: number;
}

export function unmaskText(text: string, map: RedactionMap): UnmaskResult {
  let replaced = 0;
  const words = new Map<string, string>();
  const restoreWord = (word: string): string => {
    const cached = words.get(word);
    if (cached !== undefined) return cached;
    const out = restoreCompound(word, map);
    words.set(word, out);
    return out;
  };
  const out = text
    .replace(ADDRESS, (ip) => {
      const original = map.backward.get(ip);
      if (original === undefined) return ip;
      replaced++;
      return original;
    })
    .replace(WORD, (word) => {
      const out = restoreWord(word);
      if (out !== word) replaced++;
      return out;
    });
  return { text: out, replaced };
}

/** The inverse of the rewriter's composition: longest run of segments that is a pseudonym, left to right. */
function restoreCompound(word: string, map: RedactionMap): string {
  const exact = map.backward.get(word);
  if (exact !== undefined) return exact;
  const segments = word.split('-');
  if (segments.length < 2) return word;
  const out: string[] = [];
  for (let i = 0; i < segments.length; ) {
    let j = segments.length;
    for (; j > i; j--) {
      const original = map.backward.get(segments.slice(i, j).join('-'));
      if (original !== undefined) {
        out.push(original);
        break;
      }
    }
    if (j > i) i = j;
    else out.push(segments[i++]!);
  }
  return out.join('-');
}

/** Pseudonym-shaped words a report holds: if none is in the map, the map is another bundle's. */
export function checkMapFits(text: string, map: RedactionMap): void {
  const shaped = new Set(text.match(/\b(?:ns|svc|wl|gw|sa|pol|rt|node|cluster|dom|name)-[0-9a-f]{4,}\b/g) ?? []);
  if (shaped.size === 0) return;
  const known = [...shaped].filter((w) => map.backward.has(w)).length;
  if (known === 0) throw new InputError(`none of the report's ${shaped.size} pseudonyms is in this map: it was made with another key (use the map the bundle was redacted with)`);
}
