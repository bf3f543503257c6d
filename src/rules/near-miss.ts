/**
 * What a misspelt name was meant to be, when the bundle says so without doubt: the one candidate within two
 * edits (`detail` -> `details`, `rating` -> `ratings`). Two or more candidates, or none, and there is no guess.
 */

export const MAX_EDITS = 2;

/** The only candidate within MAX_EDITS of `name` (and not `name` itself), or undefined. */
export function nearMiss(name: string, candidates: Iterable<string>): string | undefined {
  if (name.length < 3) return undefined;
  const close = new Set<string>();
  for (const c of candidates) if (c !== name && editDistance(c, name) <= MAX_EDITS) close.add(c);
  return close.size === 1 ? [...close][0] : undefined;
}

/** Levenshtein distance, stopping early past MAX_EDITS (only near misses matter). */
export function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > MAX_EDITS) return MAX_EDITS + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    if (Math.min(...row) > MAX_EDITS) return MAX_EDITS + 1;
    prev = row;
  }
  return prev[b.length]!;
}
