/**
 * `diff BEFORE AFTER` and `what-if BUNDLE --apply FINDING|PATCH.yaml`. Exit codes: diff 1 when the after side
 * has a failing error finding the before side did not; what-if 1 when the change leaves a named finding
 * unresolved or introduces an error or warning (a finding that only a new capture can confirm does not
 * count either way); 0 otherwise; 2 for bad input, with one line.
 */
import { readFile, stat } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { BundleLimits } from '../bundle/types.js';
import { diffFails, diffSides, loadSide } from '../compare/diff.js';
import { baselineOf, whatIf } from '../compare/what-if.js';
import { parseChangeFile } from '../compare/patch-file.js';
import { InputError } from '../errors.js';
import { readParsedFiles } from '../pipeline.js';
import { renderDiffHtml, renderDiffJson, renderDiffText, renderWhatIfHtml, renderWhatIfJson, renderWhatIfText } from '../report/compare.js';
import { applySuppressions, parseSuppression } from '../rules/suppress.js';
import { findingName } from '../compare/match.js';
import type { Change, Finding } from '../rules/types.js';
import type { Io } from './io.js';
import { collectValues, loadRules } from './rules-commands.js';

interface CompareFlags {
  maxFileSize?: string;
  maxTotalSize?: string;
  maxEntries?: string;
  format: 'text' | 'json' | 'html';
  output?: string;
  rules?: string;
}

export interface ReadSupport {
  addReadOptions: (command: Command) => Command;
  readLimits: (flags: { maxFileSize?: string; maxTotalSize?: string; maxEntries?: string }) => BundleLimits;
}

function emit(io: Io, flags: CompareFlags, text: string, summary: string): void {
  if (!flags.output || flags.output === '-') {
    io.stdout(text);
    return;
  }
  const path = resolve(flags.output);
  try {
    writeFileSync(path, text);
  } catch (err) {
    throw new InputError(`cannot write to ${path} (${(err as Error).message})`, { cause: err });
  }
  io.stdout(`${summary}Written: ${path}\n`);
}

export function registerCompareCommands(program: Command, io: Io, setExit: (code: number) => void, read: ReadSupport): void {
  read.addReadOptions(
    program
      .command('diff <before> <after>')
      .description('compare two bundles (or JSON reports written by analyze -f json): findings resolved, introduced and persisting, and what changed')
      .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'html']).default('text'))
      .option('-o, --output <path>', 'write to this file instead of stdout')
      .option('--rules <path>', 'also run these custom rules on bundles'),
  ).action(async (before: string, after: string, flags: CompareFlags) => {
    const limits = read.readLimits(flags);
    const rules = await loadRules(flags.rules);
    const result = diffSides(await loadSide(before, limits, rules), await loadSide(after, limits, rules));
    const text = flags.format === 'json' ? renderDiffJson(result) : flags.format === 'html' ? renderDiffHtml(result) : renderDiffText(result);
    emit(io, flags, text, `${result.resolved.length} resolved, ${result.introduced.length} introduced, ${result.persisting.length} persisting\n`);
    setExit(diffFails(result) ? 1 : 0);
  });

  read.addReadOptions(
    program
      .command('what-if <bundle>')
      .description('apply a proposed fix (a finding named as --ignore names it) or a change file to the snapshot, never to a cluster, and show which findings go away, remain and appear')
      .requiredOption('--apply <finding|file>', 'WP004:default/reviews-v2 (its fix), or a YAML file of changes or manifests (repeatable)', collectValues)
      .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'html']).default('text'))
      .option('-o, --output <path>', 'write to this file instead of stdout')
      .option('--rules <path>', 'also run these custom rules'),
  ).action(async (bundle: string, flags: CompareFlags & { apply: string[] }) => {
    const rules = await loadRules(flags.rules);
    const { files } = await readParsedFiles(bundle, read.readLimits(flags));
    const before = baselineOf(files, rules);
    const named: Finding[] = [];
    const changes: Change[] = [];
    for (const spec of flags.apply) {
      const fromFile = await changeFile(spec);
      if (fromFile) changes.push(...fromFile);
      else named.push(...findingsNamed(before.findings, spec));
    }
    // Pods of one workload share their fix: each distinct change is applied once.
    const seen = new Set(changes.map((c) => JSON.stringify(c)));
    for (const c of named.flatMap((f) => f.fix!.changes!)) {
      if (seen.has(JSON.stringify(c))) continue;
      seen.add(JSON.stringify(c));
      changes.push(c);
    }
    const result = { bundle, ...whatIf(files, rules, changes, before) };
    const text = flags.format === 'json' ? renderWhatIfJson(result) : flags.format === 'html' ? renderWhatIfHtml(result) : renderWhatIfText(result);
    emit(io, flags, text, `${result.resolved.length} resolved, ${result.introduced.length} introduced, ${result.persisting.length} persisting, ${result.needsCapture.length} to confirm by a new capture\n`);
    const unresolved = named.some((f) => result.persisting.some((p) => p.name === findingName(f)));
    setExit(unresolved || result.introduced.some((f) => f.severity !== 'info') ? 1 : 0);
  });
}

/** The changes of a file given to --apply, or undefined when `spec` names no file (it is then a finding). */
async function changeFile(spec: string): Promise<Change[] | undefined> {
  const st = await stat(spec).catch(() => undefined);
  if (!st) return undefined;
  if (!st.isFile()) throw new InputError(`--apply ${spec}: not a file`);
  return parseChangeFile(await readFile(spec, 'utf8'), spec);
}

/** The failing findings `spec` names, as `--ignore` names them; each must carry a change to apply. */
function findingsNamed(findings: readonly Finding[], spec: string): Finding[] {
  if (!spec.includes(':')) throw new InputError(`--apply ${spec}: neither a file nor a finding (RULE:namespace/name, as --ignore names it)`);
  const failing = findings.filter((f) => f.status === 'fail');
  // A pod is named by its workload (`WP004:default/reviews-v2`), as the report and diff name it; else as --ignore matches.
  let matched = failing.filter((f) => findingName(f) === spec);
  if (matched.length === 0) {
    let suppression;
    try {
      suppression = parseSuppression(spec);
    } catch {
      throw new InputError(`--apply ${spec}: neither a file nor a finding (RULE:namespace/name, as --ignore names it)`);
    }
    const { kept } = applySuppressions(failing, [suppression]);
    matched = failing.filter((f) => !kept.includes(f));
  }
  if (matched.length === 0) throw new InputError(`--apply ${spec}: no failing finding of the bundle has that name`);
  const without = matched.filter((f) => !f.fix?.changes?.length);
  if (without.length === matched.length) throw new InputError(`--apply ${spec}: its fix changes no resource, so there is nothing to apply (${matched[0]!.fix?.text ?? 'no fix'})`);
  return matched.filter((f) => f.fix?.changes?.length);
}
