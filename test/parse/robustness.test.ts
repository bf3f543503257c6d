/**
 * Parsers never throw on content: random bytes, truncated and shuffled real-format files all come
 * back as a ParsedFile (records and diagnostics), whatever they hold.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFile } from '../../src/parse/index.js';
import { FIXTURES, HAVE_FIXTURES, ROOT } from '../helpers.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? filesUnder(join(dir, n)) : [join(dir, n)]));
}

const SAMPLE_FILES = [
  ...filesUnder(join(ROOT, 'samples', 'bookinfo-broken')).map((f) => ({ name: relative(ROOT, f), data: readFileSync(f) })),
  // Every real Istio output too (when ../shared is there): each format's own shape, cut and shuffled.
  ...(HAVE_FIXTURES ? filesUnder(FIXTURES).filter((f) => !f.endsWith('.tsv')).map((f) => ({ name: relative(FIXTURES, f), data: readFileSync(f) })) : []),
];

function parsesQuietly(name: string, data: Buffer): void {
  const result = parseFile(name, data);
  expect(result.kind).toBeTypeOf('string');
  expect(result.diagnostics.every((d) => typeof d.message === 'string')).toBe(true);
}

describe('parsers never throw on content', () => {
  it('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => parsesQuietly('random', Buffer.from(bytes))), { numRuns: 300 });
  });

  it('random text made of the formats\' own characters', () => {
    const alphabet = fc.constantFrom(...'NAMESPACE POD NAME WAYPOINT SYNCED NOT SENT (6m) {}[]":,-\n  \t\r apiVersion: kind: List items: - Error [IST0101] (Kind ns/name) ✔'.split(''));
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 3000 }).map((a) => a.join('')), (text) => parsesQuietly('text', Buffer.from(text))), { numRuns: 300 });
  });

  it.each(SAMPLE_FILES.map((f) => [f.name, f] as const))('%s truncated at random points', (_name, file) => {
    fc.assert(fc.property(fc.nat({ max: file.data.length }), (cut) => parsesQuietly(file.name, file.data.subarray(0, cut))), { numRuns: 12 });
  });

  it.each(SAMPLE_FILES.map((f) => [f.name, f] as const))('%s with shuffled lines', (_name, file) => {
    const lines = file.data.toString('utf8').split('\n');
    fc.assert(fc.property(fc.shuffledSubarray(lines, { minLength: 0, maxLength: lines.length }), (subset) => parsesQuietly(file.name, Buffer.from(subset.join('\n')))), { numRuns: 6 });
  });
});
