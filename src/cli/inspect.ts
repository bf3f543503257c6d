/**
 * `waypoint-analyze inspect PATH`: what the tool sees in a file or bundle, file by file: the kind it
 * detected, the records it read and what it could not read. For users checking a capture, and for
 * debugging a parser.
 */
import { readFile, stat } from 'node:fs/promises';
import { sniffFormat } from '../bundle/read.js';
import type { BundleLimits } from '../bundle/types.js';
import { InputError } from '../errors.js';
import { readParsedFiles } from '../pipeline.js';
import { parseFile, type ParsedFile } from '../parse/index.js';
import type { Io } from './io.js';

const TEXT_RECORD_LIMIT = 20;

export interface InspectOptions {
  format: 'text' | 'json';
  all?: boolean;
  limits: BundleLimits;
}

export async function runInspect(path: string, options: InspectOptions, io: Io): Promise<number> {
  // Each file is printed as soon as it is parsed and then dropped: a 20,000-pod bundle costs one file's memory.
  if (options.format === 'json') {
    let first = true;
    io.stdout(`{\n  "path": ${JSON.stringify(path)},\n  "files": [`);
    await eachFile(path, options.limits, ({ bytes, ...f }) => {
      io.stdout(`${first ? '\n' : ',\n'}${indent(JSON.stringify({ ...f, bytes }, null, 2), '    ')}`);
      first = false;
    });
    io.stdout(`${first ? '' : '\n  '}]\n}\n`);
  } else {
    await eachFile(path, options.limits, (f) => io.stdout(renderText(f, options.all ?? false)));
  }
  return 0;
}

const indent = (text: string, by: string) => text.split('\n').map((l) => by + l).join('\n');

/** A single capture file is parsed as it is; anything else is read as a bundle, file by file. */
async function eachFile(path: string, limits: BundleLimits, onFile: (file: ParsedFile) => void): Promise<void> {
  const st = await stat(path).catch(() => undefined);
  if (st?.isFile() && st.size > 0 && !(await sniffFormat(path))) {
    if (st.size > limits.maxFileBytes) throw new InputError(`${path} is larger than the per-file limit (raise it with --max-file-size)`);
    onFile(parseFile(path, await readFile(path)));
    return;
  }
  await readParsedFiles(path, limits, onFile, undefined, undefined, false);
}

function renderText(file: ParsedFile, all: boolean): string {
  const out = [`== ${file.file}: ${file.kind === 'unknown' ? 'not recognized' : file.kind} (${file.bytes} bytes) - ${file.summary}`];
  if (file.context.pod) out.push(`   from pod ${file.context.pod.namespace}/${file.context.pod.name} (${file.context.layout} layout)`);
  for (const [key, records] of Object.entries(file.records)) {
    if (!Array.isArray(records)) continue;
    out.push(`   ${key}: ${records.length}`);
    const shown = all ? records : records.slice(0, TEXT_RECORD_LIMIT);
    for (const r of shown) out.push(`     ${JSON.stringify(withoutSource(r))}`);
    if (shown.length < records.length) out.push(`     ... ${records.length - shown.length} more (--all shows them)`);
  }
  if (file.diagnostics.length) {
    out.push(`   problems: ${file.diagnostics.length}`);
    for (const d of file.diagnostics) out.push(`     ${d.file}${d.line ? `:${d.line}` : ''}: ${d.message}`);
  }
  return `${out.join('\n')}\n`;
}

/** Source excerpts repeat the line the record came from; the text form leaves them out. */
function withoutSource(record: unknown): unknown {
  if (typeof record !== 'object' || record === null) return record;
  const { source, ...rest } = record as { source?: { file: string; line?: number; path?: string } };
  return source ? { ...rest, at: `${source.line ?? ''}${source.path ? ` ${source.path}` : ''}`.trim() } : rest;
}
