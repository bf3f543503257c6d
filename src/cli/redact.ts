/** `redact` and `unmask`: share a bundle without sharing the cluster's names, and read the answer back. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../errors.js';
import { RedactionMap, writeAtomically } from '../redact/map.js';
import { redactBundle } from '../redact/redact.js';
import { checkMapFits, unmaskText } from '../redact/unmask.js';
import type { Io } from './io.js';
import { collectValues } from './rules-commands.js';
import type { BundleLimits } from '../bundle/types.js';

interface RedactFlags {
  output: string;
  map: string;
  keep?: string[];
}

interface UnmaskFlags {
  map: string;
  output?: string;
}

export function registerRedactCommands(program: Command, io: Io, limitsOf: (flags: object) => BundleLimits, addReadOptions: (c: Command) => Command, setExit: (code: number) => void): void {
  addReadOptions(
    program
      .command('redact <bundle>')
      .description('rewrite a bundle with consistent pseudonyms for names, hosts and addresses (structure kept), so it can be shared; the map stays with you')
      .requiredOption('-o, --output <file.tgz>', 'the redacted bundle to write')
      .requiredOption('--map <map.json>', 'the map of pseudonyms (created owner-only; an existing one is reused and extended, so bundles of one cluster compare)')
      .option('--keep <name>', 'keep this name as it is (repeatable; Istio\'s words and well-known namespaces are always kept)', collectValues),
  ).action(async (bundle: string, flags: RedactFlags) => {
    const output = resolve(flags.output);
    if (resolve(flags.map) === output) throw new InputError('--map and --output must be different files');
    const summary = await redactBundle(bundle, output, resolve(flags.map), { limits: limitsOf(flags), keep: flags.keep ?? [] });
    io.stdout(`Redacted ${summary.files} files: ${summary.names} names and ${summary.addresses} addresses have pseudonyms.\n`);
    io.stdout(`Bundle: ${output}\nMap: ${resolve(flags.map)} (${summary.extended ? 'extended' : 'created'}; key id ${summary.keyId}). Keep the map: it turns pseudonyms back into names. Do not send it.\n`);
    setExit(0);
  });

  program
    .command('unmask <report>')
    .description('restore the real names in a report (HTML or JSON) made from a redacted bundle')
    .requiredOption('--map <map.json>', 'the map the bundle was redacted with')
    .option('-o, --output <path>', 'where to write the restored report (default: stdout)')
    .action((report: string, flags: UnmaskFlags) => {
      const map = RedactionMap.load(resolve(flags.map));
      let text: string;
      try {
        text = readFileSync(report, 'utf8');
      } catch (err) {
        throw new InputError(`cannot read ${report} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
      }
      checkMapFits(text, map);
      const { text: restored, replaced } = unmaskText(text, map);
      if (flags.output && flags.output !== '-') {
        writeAtomically(resolve(flags.output), restored);
        io.stderr(`${replaced} pseudonyms restored: ${resolve(flags.output)}\n`);
      } else io.stdout(restored);
      setExit(0);
    });
}
