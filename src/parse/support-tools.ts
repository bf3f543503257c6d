/**
 * The files other support tools add about themselves (docs/support-bundles.md): Replicated
 * troubleshoot's `version.yaml`, `analysis.json`, `execution-data/summary.txt` and host `run`
 * collectors' `<name>-info.json`; must-gather's `must-gather.logs`, `timestamp`, the gather image's
 * `version` and `event-filter.html`. They are known, so they are neither parse problems nor
 * "not recognized"; a run-host command that failed is a failed capture. Also: empty files.
 */
import { isRecord } from './kube.js';
import type { FileParser, ParseInput } from './parser.js';
import type { ParseResult } from './types.js';

type Known = { summary: string } & Partial<Pick<ParseResult, 'records'>>;

/** troubleshoot `run` host collector: `{"command", "exitCode" (a string), "error", "outputDir", "input", "env"}`. */
function runHostInfo(json: unknown, input: ParseInput): Known | undefined {
  if (!isRecord(json) || typeof json['command'] !== 'string' || !('exitCode' in json) || !('outputDir' in json || 'error' in json)) return undefined;
  const exit = String(json['exitCode']);
  const command = json['command'];
  if (exit === '0') return { summary: `troubleshoot run collector: \`${command}\` exited 0` };
  const error = typeof json['error'] === 'string' && json['error'] !== '' ? json['error'] : `exit ${exit}`;
  return {
    summary: `troubleshoot run collector: \`${command}\` failed (exit ${exit})`,
    records: { captureErrors: [{ command, message: error.trim().split('\n').slice(0, 3).join('\n'), source: { file: input.file, line: input.firstLine + 1 } }] },
  };
}

function identify(input: ParseInput): Known | undefined {
  const { json, head, text } = input;
  const first = head.find((l) => l.trim() !== '')?.trim() ?? '';
  if (json !== undefined) {
    if (Array.isArray(json) && json.length > 0 && json.every((r) => isRecord(r) && isRecord(r['insight']) && 'severity' in r)) {
      return { summary: `troubleshoot analysis: ${json.length} analyzer results` };
    }
    return runHostInfo(json, input);
  }
  if (/^apiVersion: troubleshoot\.sh\//.test(first) && head.some((l) => /^kind: SupportBundle\s*$/.test(l))) {
    const version = head.map((l) => /^\s+versionNumber: (\S+)/.exec(l)?.[1]).find(Boolean);
    return { summary: `troubleshoot support-bundle${version ? ` ${version}` : ''} (its version.yaml)` };
  }
  if (/^=+ Collectors summary =+$/.test(first)) return { summary: 'troubleshoot execution summary (collector durations)' };
  if (/^\[must-gather\s*\] (OUT|POD) /.test(first)) return { summary: "oc adm must-gather's own log" };
  const goTime = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? [+-]\d{4} \S+( m=[+-][\d.]+)?$/;
  if (head.length <= 3 && goTime.test(first) && head.every((l) => l.trim() === '' || goTime.test(l))) {
    return { summary: 'must-gather timestamp (start and end)' };
  }
  if (head.length <= 3 && /\bmust-gather$/.test(first)) return { summary: `must-gather image version file (${head.slice(1).join(' ').trim() || 'no version'})` };
  if (/^(<!DOCTYPE html|<html)/i.test(first)) {
    return { summary: /event-filter\.html$/.test(input.file) || /<title>\s*Events\s*<\/title>/i.test(text.slice(0, 4096)) ? "must-gather's event page (HTML)" : 'an HTML page, not a capture' };
  }
  return undefined;
}

export const supportToolParser: FileParser = {
  kind: 'support-tool-file',
  detect: (input) => (input.text.length < 1024 * 1024 && identify(input) ? 0 : -1),
  parse(input): ParseResult {
    const known = identify(input)!;
    return { records: known.records ?? {}, diagnostics: [], summary: known.summary };
  },
};

/** A file with nothing in it: must-gather writes empty `previous.log` files for every container. */
export const emptyFileParser: FileParser = {
  kind: 'empty',
  detect: ({ text, command }) => (command === undefined && text.trim() === '' ? 0 : -1),
  parse: () => ({ records: {}, diagnostics: [], summary: 'empty file' }),
};
