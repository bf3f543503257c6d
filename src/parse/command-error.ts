/**
 * An error printed where an output was expected: the customer ran the guide's command and pasted (or
 * saved) what it answered, `Error: unable to find any Istiod instances`, `error: the server doesn't
 * have a resource type "gateways"`. That is a capture that was tried and failed, not an unknown file.
 */
import { commandIntent } from './paste.js';
import { excerpt, type FileParser } from './parser.js';
import type { ParseResult } from './types.js';

/** cobra's `Error: `, kubectl's `error: ` and `Error from server (NotFound): `, klog's `E1206 14:00:00.123456 1 file.go:12] `. */
const ERROR_LINE = /^(?:Error(?: from server(?: \([^)]*\))?)?:\s|error:\s|ERROR:?\s|E\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ \S+:\d+\] )/;
/** istioctl analyze's own failure summary (on stderr) is part of an analyze output, not a failed capture. */
const ANALYZE_SUMMARY = /^Error: Analyzers found issues/;
/** Lines kubectl and istioctl print before an error without it being the output. */
const PREAMBLE = /^(?:Warning: |Defaulted container |W\d{4} \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\S+\s+(?:error|warn|info|debug)\s)/;
/** An error output is short; a long file that starts with an error line is something else (a log). */
const MAX_LINES = 30;

function errorStart(head: readonly string[]): number {
  let content = 0;
  let start = -1;
  for (let i = 0; i < head.length; i++) {
    const line = head[i]!;
    if (line.trim() === '') continue;
    content++;
    if (start === -1) {
      if (PREAMBLE.test(line)) continue;
      if (!ERROR_LINE.test(line) || ANALYZE_SUMMARY.test(line)) return -1;
      start = i;
    }
  }
  return start !== -1 && content <= MAX_LINES ? start : -1;
}

export const commandErrorParser: FileParser = {
  kind: 'command-error',
  detect: ({ head, text }) => (text.length < 16 * 1024 ? errorStart(head) : -1),
  parse({ file, head, command, firstLine }): ParseResult {
    const start = errorStart(head);
    const first = head[start]!;
    const line = firstLine + start;
    const message = head.slice(start).filter((l) => l.trim() !== '').slice(0, 3).join('\n');
    const intent = command ? commandIntent(command) : undefined;
    return {
      records: { captureErrors: [{ ...(command ? { command } : {}), message, source: { file, line: line + 1, excerpt: excerpt(first) } }] },
      diagnostics: [],
      summary: `error instead of ${intent?.kind ? `${intent.kind} output` : 'an output'}: ${excerpt(first).slice(0, 100)}`,
    };
  },
};
