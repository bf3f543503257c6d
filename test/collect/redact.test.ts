/**
 * `waypoint-collect --redact MAP`: with the analyzer on PATH the collector also writes a pseudonymized bundle;
 * without it, it says so and the manifest records that redaction was skipped.
 */
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RedactionMap } from '../../src/redact/map.js';
import { ROOT } from '../helpers.js';
import { cleanupRuns, collect, manifestErrors, readCollected, STUBS } from './harness.js';

afterAll(cleanupRuns);

describe('waypoint-collect --redact', () => {
  it('runs waypoint-analyze redact when it is installed, and records it', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'wpc-bin-'));
    writeFileSync(join(bin, 'waypoint-analyze'), `#!/bin/sh\nexec "${join(ROOT, 'node_modules', '.bin', 'tsx')}" "${join(ROOT, 'src', 'cli', 'main.ts')}" "$@"\n`);
    chmodSync(join(bin, 'waypoint-analyze'), 0o755);
    const map = join(bin, 'map.json');
    const run = await collect('redact', ['--output', 'OUT', '--timeout', '10', '--redact', map], { env: { PATH: `${STUBS}:${bin}:${process.env['PATH']}` } });
    expect(run.code).toBe(0);
    const clean = run.output.replace(/\.tgz$/, '-redacted.tgz');
    expect(run.stderr).toContain(`wrote ${clean} (pseudonymized)`);
    const original = await readCollected(run.output);
    expect((original.manifest as unknown as Record<string, unknown>)['pseudonymize']).toBe('requested: waypoint-analyze redact');
    expect(manifestErrors(original.manifest)).toEqual([]);
    const redacted = await readCollected(clean);
    expect((redacted.manifest as unknown as Record<string, unknown>)['pseudonymized']).toEqual({ tool: 'waypoint-analyze redact', keyId: RedactionMap.load(map).keyId });
    expect([...redacted.files.values()].map((b) => b.toString('utf8')).join('\n')).not.toMatch(/\breviews-v2-pod-waypoint\b/);
  }, 120_000);

  it('says it was skipped when the analyzer is not installed', async () => {
    const run = await collect('redact-skipped', ['--output', 'OUT', '--timeout', '10', '--redact', 'map.json'], { env: { PATH: `${STUBS}:/usr/bin:/bin` } });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/--redact skipped: (?:node|waypoint-analyze) is not installed; the bundle is NOT redacted/);
    expect(((await readCollected(run.output)).manifest as unknown as Record<string, unknown>)['pseudonymize']).toMatch(/^skipped: /);
    expect(existsSync(run.output.replace(/\.tgz$/, '-redacted.tgz'))).toBe(false);
  }, 120_000);
});
