/**
 * The manifest.json of a waypoint-collect bundle (docs/bundle-format.md), validated against
 * schemas/manifest.schema.json: what was run, and which captures failed, timed out or were skipped.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { isRecord } from './kube.js';
import type { FileParser } from './parser.js';
import type { BundleManifest, Diagnostic, ParseResult } from './types.js';

const SCHEMA_URL = new URL('../../schemas/manifest.schema.json', import.meta.url);

let validator: ReturnType<Ajv['compile']> | undefined;

function validate(value: unknown): Diagnostic[] {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats.default(ajv);
    validator = ajv.compile(JSON.parse(readFileSync(SCHEMA_URL, 'utf8')));
  }
  if (validator(value)) return [];
  return (validator.errors ?? []).map((e) => ({ file: '', message: `manifest does not match its schema at ${e.instancePath || '/'}: ${e.message}` }));
}

export const manifestParser: FileParser = {
  kind: 'bundle-manifest',
  detect: ({ json }) => (isRecord(json) && isRecord(json['collector']) && json['collector']['name'] === 'waypoint-collect' ? 0 : -1),
  parse({ file, json }): ParseResult {
    const diagnostics = validate(json).map((d) => ({ ...d, file }));
    // An invalid manifest still says what it can: the bundle's files are sniffed by content anyway.
    const manifest = json as BundleManifest;
    const commands = Array.isArray(manifest.commands) ? manifest.commands : [];
    const failed = commands.filter((c) => c.exitCode !== 0 || c.timedOut || c.skipped).length;
    return {
      records: { manifests: [{ ...manifest, source: { file, line: 1 } }] },
      diagnostics,
      summary: `waypoint-collect ${manifest.collector?.version ?? '?'} bundle of ${manifest.context ?? '?'}: ${commands.length} commands, ${failed} failed or skipped${manifest.interrupted ? ', interrupted' : ''}`,
    };
  },
};

/** `stderr/<n>.txt` of our own layout: what a failing command said. Known by path, as the layout is ours. */
export const stderrParser: FileParser = {
  kind: 'command-stderr',
  detect: ({ context }) => (context?.role === 'stderr' ? 0 : -1),
  parse({ file, text }): ParseResult {
    const excerpt = text.trim().slice(0, 2000);
    return { records: { stderr: [{ file, text: excerpt }] }, diagnostics: [], summary: excerpt.split('\n')[0]?.slice(0, 120) ?? '' };
  },
};
