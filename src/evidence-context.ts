/**
 * A few lines around each evidence line, so the report shows the proof in its place without the bundle.
 * Files are read once, in the same pass that parses them: the texts of small files are kept (bounded)
 * until the findings are known, the lines they cite are copied out, and the texts are dropped.
 */
import type { Finding } from './rules/types.js';
import { splitLines } from './text/decode.js';

/** Files larger than this are not kept (a log's evidence keeps its own excerpt). */
export const CONTEXT_MAX_FILE = 1024 * 1024;
/** All kept texts together: a bundle of many small files must not hold them all. */
export const CONTEXT_MAX_TOTAL = 24 * 1024 * 1024;
const AROUND = 3;
const MAX_LINE = 300;
/**
 * Findings of one rule that get context: a rule firing for 5,000 Services repeats the same proof, and the
 * report grew by megabytes for it. The rest keep their file, line and excerpt.
 */
export const CONTEXT_FINDINGS_PER_RULE = 50;

/** Keeps file texts for context, within the limits; what does not fit is simply not kept. */
export class ContextTexts {
  private readonly texts = new Map<string, string>();
  private total = 0;

  offer(file: string, text: string): void {
    if (text.length > CONTEXT_MAX_FILE || this.total + text.length > CONTEXT_MAX_TOTAL) return;
    this.texts.set(file, text);
    this.total += text.length;
  }

  /** Adds `context` to every evidence item (for and against) that cites a line of a kept file, for the first findings of each rule. */
  annotate(findings: readonly Finding[]): void {
    const lines = new Map<string, string[]>();
    const linesOf = (file: string) => {
      let l = lines.get(file);
      const text = this.texts.get(file);
      // Split as the parsers count lines (decodeText already made every line end `\n`).
      if (!l && text !== undefined) lines.set(file, (l = splitLines(text)));
      return l;
    };
    const perRule = new Map<string, number>();
    for (const f of findings) {
      const seen = (perRule.get(f.ruleId) ?? 0) + 1;
      perRule.set(f.ruleId, seen);
      if (seen > CONTEXT_FINDINGS_PER_RULE) continue;
      for (const e of [...f.evidence, ...(f.against ?? [])]) {
        const all = e.line ? linesOf(e.file) : undefined;
        if (!all || !e.line || e.line > all.length) continue;
        const first = Math.max(1, e.line - AROUND);
        const last = Math.min(all.length, e.line + AROUND);
        e.context = { first, lines: all.slice(first - 1, last).map((l) => (l.length > MAX_LINE ? `${l.slice(0, MAX_LINE)}…` : l)) };
      }
    }
  }

  clear(): void {
    this.texts.clear();
    this.total = 0;
  }
}
