import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli as run } from './run.js';
import { ROOT } from '../helpers.js';

const work = mkdtempSync(join(tmpdir(), 'wa-inspect-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));


describe('waypoint-analyze inspect', () => {
  it('shows one capture file: its kind, its records with their lines, no problems', async () => {
    const { code, stdout } = await run('inspect', join(ROOT, 'samples/bookinfo-broken/istioctl/ztunnel-config-workload.txt'));
    expect(code).toBe(0);
    expect(stdout).toMatch(/^== .*ztunnel-config-workload\.txt: ztunnel-workloads \(\d+ bytes\) - \d+ workloads/);
    expect(stdout).toMatch(/ztunnelWorkloads: \d+/);
    expect(stdout).toMatch(/"name":"reviews-v2-[^"]+","address":"[\d.]+".*"waypoint":"None".*"at":"\d+"/);
    expect(stdout).not.toContain('problems:');
  });

  it('lists every file of a bundle as JSON, unrecognized files included', async () => {
    const { code, stdout } = await run('inspect', join(ROOT, 'samples/bookinfo-broken.tgz'), '--format', 'json');
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as { files: { file: string; kind: string; records: Record<string, unknown[]>; diagnostics: unknown[] }[] };
    const kinds = Object.fromEntries(out.files.map((f) => [f.file.replace(/^bookinfo-broken\//, ''), f.kind]));
    expect(kinds).toMatchObject({
      'istioctl/analyze.txt': 'analyze',
      'istioctl/proxy-status.txt': 'proxy-status',
      'istioctl/version.txt': 'istioctl-version',
      'istioctl/ztunnel-config-service.txt': 'ztunnel-services',
      'kubectl/pods.json': 'kube-resources',
    });
    const pods = out.files.find((f) => f.file.endsWith('pods.json'))!;
    expect(pods.records['kubeObjects']!.length).toBeGreaterThan(10);
  });

  it('reports what it could not read, with file and line, and still exits 0', async () => {
    const odd = join(work, 'analyze.txt');
    writeFileSync(odd, 'Warning [IST0102] (Namespace a) fine\nthis line is not istioctl output\n');
    const { code, stdout } = await run('inspect', odd);
    expect(code).toBe(0);
    expect(stdout).toContain('problems: 1');
    expect(stdout).toContain(`${odd}:2: not an istioctl analyze message`);
    const junk = join(work, 'junk.bin');
    writeFileSync(junk, Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x01]));
    expect((await run('inspect', junk)).stdout).toMatch(/junk\.bin: not recognized/);
  });

  it('exits 2 on a missing path', async () => {
    const { code, stderr } = await run('inspect', join(work, 'nope'));
    expect(code).toBe(2);
    expect(stderr).toMatch(/no such file or directory/);
  });
});
