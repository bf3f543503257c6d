/**
 * Real outputs that people pasted into issues, forums, blogs and workshop notes, exactly as published
 * (test/fixtures/pasted, addresses in SOURCES.tsv), against what a person reads in each
 * (expected.json, written from the text, not from this parser).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFile } from '../../src/parse/index.js';
import { comparePaste, type ExpectedPaste } from './pasted-compare.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'pasted');
const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as Record<string, ExpectedPaste>;
const sources = readFileSync(join(DIR, 'SOURCES.tsv'), 'utf8').split('\n').slice(1).filter(Boolean).map((l) => l.split('\t'));

/**
 * Pastes not read as a person reads them, and why. Each must still differ: when the reader improves,
 * move the file out of this list.
 */
const KNOWN_GAPS: Record<string, string> = {
  'istio-pr24867__pc-routes__1.txt': 'one proxy-config route row quoted inline, no header and no command: nothing says which table it is',
  'istio-pr35080__analyze-json__1.txt': "analyze's stderr (file errors, the summary line) interleaved around its `-o json` stdout in one block with no command line between them",
  'oneuptime-config-sync__ps__1.txt': 'a web page stored as text: its last row is glued to the next sentence (`istiod-6b8c5d-xyzThe columns ...`); the row is reported, not guessed',
  'oneuptime-ps-debugging__ps__1.txt': 'a web page stored as text: its last row is glued to the next heading; the row is reported, not guessed',
  'servicemesher-issue1859__ps-diff__1.txt': 'a proxy-status row cut mid-word inside a git diff hunk header (`@@ -47,7 +47,7 @@ reviews-v3-... SYN`)',
};

describe('real pasted outputs', () => {
  it('has a source for every paste and at least 40 of them', () => {
    const files = Object.keys(expected);
    expect(files.length).toBeGreaterThanOrEqual(40);
    expect(sources.map((s) => s[0]).sort()).toEqual(files.sort());
    for (const s of sources) expect(s[1], s[0]).toMatch(/^https:\/\//);
  });

  const read = Object.keys(expected).filter((f) => !(f in KNOWN_GAPS));
  it.each(read)('%s reads as a person reads it', (name) => {
    const file = parseFile(name, readFileSync(join(DIR, name)));
    expect(comparePaste(file, expected[name]!)).toEqual([]);
  });

  it.each(Object.keys(KNOWN_GAPS))('%s is a known gap, still not read in full', (name) => {
    const file = parseFile(name, readFileSync(join(DIR, name)));
    expect(comparePaste(file, expected[name]!)).not.toEqual([]);
  });

  it('reads at least 90% of the corpus in full', () => {
    const share = read.length / Object.keys(expected).length;
    console.log(`pasted corpus: ${read.length}/${Object.keys(expected).length} read in full (${(share * 100).toFixed(0)}%)`);
    expect(share).toBeGreaterThanOrEqual(0.9);
  });

  it('covers every damage class the reader handles', () => {
    const classes = new Set(sources.flatMap((s) => (s[4] ?? '').split(',')));
    for (const c of ['indented', 'comment-prefix', 'collapsed', 'no-header', 'prompt', 'trailing-prompt', 'elision', 'hand-edited-header', 'misaligned', 'old-analyze', 'wrapped', 'markdown', 'multi', 'error-output']) {
      expect(classes, c).toContain(c);
    }
  });
});
