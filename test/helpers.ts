import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFile, type ParsedFile } from '../src/parse/index.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const FIXTURES = join(ROOT, '..', 'shared', 'fixtures', 'istio');
export const HAVE_FIXTURES = existsSync(FIXTURES);

/** Parses an inline sample as if it were a bundle file. */
export function parseText(file: string, text: string): ParsedFile {
  return parseFile(file, Buffer.from(text, 'utf8'));
}

export function fixtureFiles(folder: string): string[] {
  const dir = join(FIXTURES, folder);
  return existsSync(dir) ? readdirSync(dir).sort().map((f) => join(folder, f)) : [];
}

export function readFixture(relative: string): Buffer {
  return readFileSync(join(FIXTURES, relative));
}

/** Says once, loudly, that the conformance suite did not run. */
export function noteMissingFixtures(): void {
  if (!HAVE_FIXTURES) console.warn(`conformance tests skipped: ${FIXTURES} does not exist (CI always has it)`);
}

/**
 * Renders rows as Go's tabwriter does (padding P, last cell unpadded), so inline samples in tests
 * have exactly the real layout without hand-counted spaces.
 */
export function tabwrite(rows: string[][], padding: number): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  return rows
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]! + padding))).join(''))
    .join('\n') + '\n';
}

/** Failing findings that raise an alarm: errors and warnings (info findings are advice, and healthy clusters may have them). */
export function alarms<F extends { status: string; severity: string }>(findings: readonly F[]): F[] {
  return findings.filter((f) => f.status === 'fail' && f.severity !== 'info');
}
