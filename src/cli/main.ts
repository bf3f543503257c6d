#!/usr/bin/env node
/**
 * The command line: argument parsing, output, exit codes. Exit 0: no error finding; 1: error
 * findings; 2: bad invocation or unreadable input (one line on stderr; `--debug` adds the stack).
 */
import { realpathSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { DEFAULT_LIMITS, type BundleLimits } from '../bundle/types.js';
import { InputError } from '../errors.js';
import { analyzeBundle, type AnalysisResult } from '../pipeline.js';
import { renderCsv, renderInventoryCsv } from '../report/csv.js';
import { renderHtml } from '../report/html.js';
import { renderJson } from '../report/json.js';
import { renderSummary } from '../report/terminal.js';
import { VERSION } from '../version.js';
import type { Io } from './io.js';
import { runInspect } from './inspect.js';
import { runTrace } from './trace.js';
import { registerRedactCommands } from './redact.js';
import { progressLine } from './progress.js';

export type { Io } from './io.js';
import { parseCount, parseSize } from './options.js';
import { analyzeSetup, collectValues, registerRulesCommands } from './rules-commands.js';
import { registerCompareCommands } from './compare-commands.js';
import { applyBaseline } from '../compare/baseline.js';
import { simulateFixes } from '../compare/fix-outcomes.js';

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;


const RENDERERS: Record<string, { render: (r: AnalysisResult) => string; extension: string }> = {
  html: { render: renderHtml, extension: 'html' },
  json: { render: renderJson, extension: 'json' },
  csv: { render: renderCsv, extension: 'csv' },
  'inventory-csv': { render: renderInventoryCsv, extension: 'inventory.csv' },
};

/** `--fail-on`: the least severe finding that makes the exit code 1. */
const FAIL_ON = ['error', 'warning', 'info'] as const;
type FailOn = (typeof FAIL_ON)[number];

interface ReadFlags {
  maxFileSize?: string;
  maxTotalSize?: string;
  maxEntries?: string;
  debug?: boolean;
}

interface AnalyzeFlags extends ReadFlags {
  output?: string;
  format: string;
  color: boolean;
  rules?: string;
  ignore?: string[];
  config?: string;
  failOn: FailOn;
  quiet?: boolean;
  baseline?: string;
  simulate: boolean;
}

interface InspectFlags extends ReadFlags {
  format: 'text' | 'json';
  all?: boolean;
}

interface TraceFlags extends ReadFlags {
  from: string;
  to: string;
  format: 'text' | 'json';
  color: boolean;
}

/** Options every command that reads a bundle takes. */
function addReadOptions(command: Command): Command {
  return command
    .option('--max-file-size <size>', 'largest file read from the bundle (default: 256MiB)')
    .option('--max-total-size <size>', 'largest total uncompressed size (default: 4GiB)')
    .option('--max-entries <n>', `most entries in the bundle (default: ${DEFAULT_LIMITS.maxEntries})`)
    .option('--debug', 'show stack traces of errors');
}

export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const debug = argv.includes('--debug');
  let exitCode = EXIT_OK;
  const program = new Command()
    .name('waypoint-analyze')
    .description('Explain, offline, why Istio ambient traffic does or does not go through the waypoint you expect.')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: io.stdout,
      // Commander's own usage errors become our one-line exit-2 errors below.
      writeErr: () => {},
    });

  addReadOptions(
    program
      .command('analyze <bundle>', { isDefault: true })
      .description('analyze a bundle and write the report (the default command)')
      .option('-o, --output <path>', 'where to write the report; "-" writes it to stdout (default: ./waypoint-report.<format>)')
      .addOption(new Option('-f, --format <format>', 'report format: html, json, csv (findings) or inventory-csv (one row per Service and Pod)').choices(Object.keys(RENDERERS)).default('html'))
      .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding of this severity or a worse one fails').choices([...FAIL_ON]).default('error'))
      .option('--no-color', 'no colours in the terminal summary')
      .option('-q, --quiet', 'no progress line on stderr (it only appears on a terminal, for runs over a second)')
      .option('--rules <path>', 'also run the custom rules of this YAML/JSON file or folder (docs/custom-rules.md)')
      .option('--ignore <rule[:ns/name]>', 'suppress a rule, or its finding on one object (repeatable; listed in the report)', collectValues)
      .option('--config <file>', 'read ignore/rules settings from this file (default: .waypoint-analyze.yaml beside the bundle)')
      .option('--baseline <bundle|report.json>', 'mark each finding new or known against an earlier bundle or JSON report')
      .option('--no-simulate', 'do not apply each proposed fix to the snapshot to show its outcome'),
  ).action(async (bundle: string, flags: AnalyzeFlags) => {
    exitCode = await runAnalyze(bundle, flags, { ...io, color: io.color && flags.color });
  });

  addReadOptions(
    program
      .command('inspect <path>')
      .description('show what the tool reads in a file or bundle: each file\'s kind, records and parse problems')
      .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
      .option('--all', 'list every record (text format shows the first 20 of each kind)'),
  ).action(async (path: string, flags: InspectFlags) => {
    exitCode = await runInspect(path, { ...flags, limits: readLimits(flags) }, io);
  });

  addReadOptions(
    program
      .command('trace <bundle>')
      .description('walk the hops of a request from a pod to a Service or IP:port, each ok, broken or unknown with its evidence')
      .requiredOption('--from <namespace/pod>', 'the client pod')
      .requiredOption('--to <target>', 'SERVICE[.NAMESPACE][:PORT] (namespace defaults to the client\'s) or IP:PORT')
      .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
      .option('--no-color', 'no colours'),
  ).action(async (bundle: string, flags: TraceFlags) => {
    exitCode = await runTrace(bundle, { from: flags.from, to: flags.to, format: flags.format, limits: readLimits(flags) }, { ...io, color: io.color && flags.color });
  });

  registerRulesCommands(program, io, (code) => {
    exitCode = code;
  });
  registerCompareCommands(program, io, (code) => {
    exitCode = code;
  }, { addReadOptions, readLimits });

  registerRedactCommands(program, io, (flags) => readLimits(flags as ReadFlags), addReadOptions, (code) => {
    exitCode = code;
  });

  for (const command of program.commands) command.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: () => {} });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return EXIT_OK; // --help, --version
      io.stderr(`waypoint-analyze: ${err.message.replace(/^error: /, '')}\n`);
      return EXIT_USAGE;
    }
    if (err instanceof InputError) {
      io.stderr(`waypoint-analyze: ${err.message}\n`);
      if (debug) io.stderr(`${err.stack}\n`);
      return EXIT_USAGE;
    }
    io.stderr(`waypoint-analyze: internal error: ${(err as Error).message}\n`);
    if (debug) io.stderr(`${(err as Error).stack}\n`);
    else io.stderr('(run again with --debug for details, and please report it)\n');
    return EXIT_USAGE;
  }
}

function readLimits(flags: ReadFlags): BundleLimits {
  return {
    maxFileBytes: flags.maxFileSize ? parseSize('--max-file-size', flags.maxFileSize) : DEFAULT_LIMITS.maxFileBytes,
    maxTotalBytes: flags.maxTotalSize ? parseSize('--max-total-size', flags.maxTotalSize) : DEFAULT_LIMITS.maxTotalBytes,
    maxEntries: flags.maxEntries ? parseCount('--max-entries', flags.maxEntries) : DEFAULT_LIMITS.maxEntries,
  };
}

async function runAnalyze(bundle: string, flags: AnalyzeFlags, io: Io): Promise<number> {
  const limits = readLimits(flags);
  const renderer = RENDERERS[flags.format]!;
  const { rules, suppressions } = await analyzeSetup(bundle, flags);
  const progress = progressLine(io.stderr, Boolean(io.progress) && !flags.quiet);
  let result: AnalysisResult;
  let report: string;
  try {
    result = await analyzeBundle(bundle, {
      limits, rules, suppressions, onProgress: (stage, done, total) => progress.update(stage, done, total),
      ...(flags.simulate ? { onFindings: (files, findings, snapshot, all) => simulateFixes(files, findings, rules, { snapshot, findings: all }) } : {}),
    });
    if (flags.baseline) await applyBaseline(result, flags.baseline, limits, rules);
    progress.update('reporting');
    report = renderer.render(result);
  } finally {
    // An error's one line must not land after a half-drawn progress line.
    progress.done();
  }
  const summary = renderSummary(result, io.color);
  const toStdout = flags.output === '-';
  if (toStdout) {
    io.stdout(report);
  } else {
    const path = resolve(flags.output ?? `waypoint-report.${renderer.extension}`);
    try {
      writeFileSync(path, report);
    } catch (err) {
      throw new InputError(`cannot write the report to ${path} (${(err as Error).message})`, { cause: err });
    }
    io.stdout(summary);
    io.stdout(`Report: ${path}\n`);
  }
  if (toStdout) io.stderr(summary);
  const threshold = FAIL_ON.indexOf(flags.failOn);
  return result.findings.some((f) => f.status === 'fail' && FAIL_ON.indexOf(f.severity) <= threshold) ? EXIT_FINDINGS : EXIT_OK;
}

function processIo(): Io {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    color: Boolean(process.stdout.isTTY) && process.env['NO_COLOR'] === undefined && process.env['TERM'] !== 'dumb',
    progress: Boolean(process.stderr.isTTY) && process.env['TERM'] !== 'dumb',
  };
}

/**
 * A reader that stops reading (`waypoint-analyze inspect big.tgz | head`) closes the pipe: the
 * output is no longer wanted, so the command ends quietly, as Unix tools do.
 */
function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

// Run only when executed as a program (also through npm's bin symlink), not when imported by tests.
const invoked = process.argv[1] ? pathToFileURL(realpath(process.argv[1])).href : '';
if (import.meta.url === invoked) {
  endQuietlyOnClosedPipe(process.stdout);
  endQuietlyOnClosedPipe(process.stderr);
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

function realpath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}
