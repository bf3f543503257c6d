/**
 * Bundles the diff tests need that no sample is: the same cluster after a rollout (every pod renamed the
 * way its controllers name pods), and an unrelated cluster (another namespace throughout).
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SAFE = 'bcdfghjklmnpqrstvwxz2456789';
const SAFE_CLASS = `[${SAFE}]`;
const GENERATED = new RegExp(`^(.+?)(-${SAFE_CLASS}{5,10})?-${SAFE_CLASS}{5}$`);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));
}

/** Replaces text in every file of a copy of `sample`. */
function rewrittenCopy(sample: string, rewrite: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'wa-compare-'));
  cpSync(sample, dir, { recursive: true });
  for (const file of files(dir)) writeFileSync(file, rewrite(readFileSync(file, 'utf8')));
  return dir;
}

/** A deterministic generated suffix of `n` characters, different for each `seed`. */
function suffix(seed: number, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += SAFE[(seed * 7 + i * 13 + 3) % SAFE.length];
  return out;
}

/** The pods of `pods.json` renamed as a rollout renames them: new ReplicaSet hash and id, or new DaemonSet id. */
export function rolledOut(sample: string): { dir: string; renamed: Map<string, string> } {
  const pods = (JSON.parse(readFileSync(join(sample, 'kubectl', 'pods.json'), 'utf8')) as { items: { metadata: { name: string } }[] }).items.map((p) => p.metadata.name);
  const renamed = new Map<string, string>();
  pods.forEach((name, i) => {
    const m = GENERATED.exec(name);
    if (!m) return;
    renamed.set(name, `${m[1]}${m[2] ? `-${suffix(i + 11, m[2].length - 1)}` : ''}-${suffix(i + 5, 5)}`);
  });
  const pattern = new RegExp([...renamed.keys()].sort((a, b) => b.length - a.length).join('|'), 'g');
  return { dir: rewrittenCopy(sample, (text) => text.replace(pattern, (old) => renamed.get(old)!)), renamed };
}

/** The same workloads in namespace `shop` instead of `default`: a cluster that shares no Service with the sample. */
export function otherCluster(sample: string): string {
  return rewrittenCopy(sample, (text) => text.replace(/\bdefault\b/g, 'shop'));
}
