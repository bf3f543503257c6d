/** Redacts a bundle into a temporary folder and analyzes both, for the redaction tests. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBundle } from '../../src/bundle/read.js';
import { DEFAULT_LIMITS } from '../../src/bundle/types.js';
import { BUILTIN_RULES } from '../../src/rules/index.js';
import { isIPv4 } from 'node:net';
import { analyzeBundle, loadSnapshot } from '../../src/pipeline.js';
import { KeepList } from '../../src/redact/vocabulary.js';
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
export function findingKey(f: { ruleId: string; status: string; severity: string; subject?: unknown; evidence: { file: string; line?: number; path?: string }[] }, restore: (s: string) => string = (s) => s, stripTop = false): string {
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

/**
 * The names and addresses an analysis of the original bundle sees, found independently of the
 * redactor: every object's name and namespace and its app/use-waypoint label values, ztunnel's
 * workloads, services and nodes, proxy-status pods, waypoints, and every IPv4 address in any file.
 * Istio's own words and component names (the keep list) are left out: they are kept on purpose.
 */
export async function originalTokens(bundle: string): Promise<Set<string>> {
  const snapshot = await loadSnapshot(bundle, DEFAULT_LIMITS);
  const keep = new KeepList();
  const tokens = new Set<string>();
  const add = (v: string | undefined) => {
    if (!v || !/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/.test(v) || keep.has(v) || keep.isComponentWord(v.split('-')[0]!)) return;
    tokens.add(v);
  };
  for (const byName of snapshot.objects.values()) {
    for (const o of byName.values()) {
      if (o.kind === 'CustomResourceDefinition') continue;
      add(o.name);
      add(o.namespace);
      for (const key of ['app', 'istio.io/use-waypoint', 'service.istio.io/canonical-name', 'gateway.networking.k8s.io/gateway-name']) add(o.labels[key]);
    }
  }
  for (const w of snapshot.ztunnel.workloadByPod.values()) [w.name, w.namespace, w.node, w.serviceAccount].forEach(add);
  for (const s of snapshot.ztunnel.serviceByName.values()) [s.name, s.namespace].forEach(add);
  for (const p of snapshot.proxyStatus.byPod.keys()) p.split('.').forEach(add);
  for (const w of snapshot.waypoints) [w.name, w.namespace].forEach(add);
  for (const text of (await filesOf(bundle)).values()) {
    for (const m of text.matchAll(/(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d]|\.\d)/g)) {
      const ip = m[1]!;
      if (isIPv4(ip) && !/^(?:127\.|0\.|169\.254\.|2[2-5]\d\.)/.test(ip)) tokens.add(ip);
    }
  }
  return tokens;
}

/** Every way a file can hold a token: its text, its JSON strings unescaped, and base64 runs decoded. */
export function readableForms(text: string): string[] {
  const forms = [text];
  forms.push(text.replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))).replace(/\\\//g, '/'));
  for (const m of text.matchAll(/[A-Za-z0-9+/]{16,}={0,2}/g)) {
    const bytes = Buffer.from(m[0], 'base64');
    forms.push(bytes.toString('latin1'));
    // A PEM inside decodes once more to DER.
    for (const inner of bytes.toString('latin1').matchAll(/[A-Za-z0-9+/]{16,}={0,2}/g)) forms.push(Buffer.from(inner[0], 'base64').toString('latin1'));
  }
  return forms;
}

/** Where an original token still appears in the redacted bundle (file: token), at word boundaries. */
export async function leaks(original: string, redacted: string, alsoFound: Iterable<string> = []): Promise<string[]> {
  const tokens = await originalTokens(original);
  for (const t of alsoFound) tokens.add(t);
  const found: string[] = [];
  const pattern = new RegExp(`(?<![A-Za-z0-9.])(?:${[...tokens].sort((a, b) => b.length - a.length).map((t) => t.replace(/[.]/g, '\\.')).join('|')})(?![A-Za-z0-9]|\\.\\d)`, 'g');
  for (const [path, text] of await filesOf(redacted)) {
    for (const form of [path, ...readableForms(text)]) for (const m of form.matchAll(pattern)) found.push(`${path}: ${m[0]}`);
  }
  return [...new Set(found)];
}
