/** Redacts a bundle into a temporary folder and analyzes both, for the redaction tests. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBundle } from '../../src/bundle/read.js';
import { DEFAULT_LIMITS } from '../../src/bundle/types.js';
import { BUILTIN_RULES } from '../../src/rules/index.js';
import { analyzeBundle } from '../../src/pipeline.js';
import { RedactionMap } from '../../src/redact/map.js';
import { redactBundle } from '../../src/redact/redact.js';
import { unmaskText } from '../../src/redact/unmask.js';
import { decodeText } from '../../src/text/decode.js';

export interface Redacted {
  dir: string;
  output: string;
  mapPath: string;
  map: RedactionMap;
}

export async function redactTo(bundle: string, dir = mkdtempSync(join(tmpdir(), 'redact-')), mapPath = join(dir, 'map.json')): Promise<Redacted> {
  const output = join(dir, 'clean.tgz');
  await redactBundle(bundle, output, mapPath, { limits: DEFAULT_LIMITS });
  return { dir, output, mapPath, map: RedactionMap.load(mapPath) };
}

/** What a finding says, comparable across a redaction: strings of the redacted side unmasked. */
export function findingKey(f: { ruleId: string; status: string; severity: string; subject: unknown; evidence: { file: string; line?: number; path?: string }[] }, restore: (s: string) => string = (s) => s, stripTop = false): string {
  const file = (p: string) => restore(stripTop ? p.replace(/^[^/]+\//, '') : p);
  return JSON.stringify({ ruleId: f.ruleId, status: f.status, severity: f.severity, subject: f.subject === undefined ? null : JSON.parse(restore(JSON.stringify(f.subject))), evidence: f.evidence.map((e) => ({ file: file(e.file), line: e.line, path: e.path === undefined ? undefined : restore(e.path) })) });
}

export async function findingsOf(bundle: string) {
  return (await analyzeBundle(bundle, { limits: DEFAULT_LIMITS, rules: BUILTIN_RULES })).findings;
}

export const restorer = (map: RedactionMap) => (s: string) => unmaskText(s, map).text;

/** Path -> decoded text of every file of a bundle. */
export async function filesOf(bundle: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  await readBundle(bundle, DEFAULT_LIMITS, (f) => void files.set(f.path, decodeText(f.data)));
  return files;
}

export const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as unknown;
