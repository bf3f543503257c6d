/** The redact and unmask commands: tables, the map, round trips and bad input. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFile } from '../../src/parse/index.js';
import { splitHeader } from '../../src/parse/tabwriter.js';
import { RedactionMap } from '../../src/redact/map.js';
import { runCli, sample } from '../cli/run.js';
import { filesOf, redactTo, restorer } from './helpers.js';

const temp = () => mkdtempSync(join(tmpdir(), 'redact-cli-'));

describe('tables', () => {
  it.each(['istioctl/ztunnel-config-workload.txt', 'istioctl/ztunnel-config-service.txt', 'istioctl/proxy-status.txt'])('%s: same records, mapped values, columns under their headers', async (file) => {
    const r = await redactTo(sample('bookinfo-ambient.tgz'));
    const original = (await filesOf(sample('bookinfo-ambient.tgz'))).get(`bookinfo-ambient/${file}`)!;
    const redacted = (await filesOf(r.output)).get(`bookinfo-ambient/${file}`)!;
    expect(redacted).not.toEqual(original);
    const before = parseFile(file, Buffer.from(original));
    const after = parseFile(file, Buffer.from(redacted));
    expect(after.kind).toBe(before.kind);
    expect(after.diagnostics).toEqual([]);
    const restore = restorer(r.map);
    const records = (p: typeof before) => JSON.stringify(Object.values(p.records).flat().map((rec) => ({ ...(rec as object), source: undefined })));
    expect(restore(records(after))).toEqual(records(before));
    // Every row still starts each column at the header's offset, after at least the table's padding.
    expectColumns(redacted, file.includes('proxy-status') ? 5 : 1);
  });

  it('keeps the padding of the input: 5 spaces for proxy-status, 1 for ztunnel-config, as tabwriter pads', async () => {
    const r = await redactTo(sample('bookinfo-ambient.tgz'));
    const files = await filesOf(r.output);
    expect(expectColumns(files.get('bookinfo-ambient/istioctl/proxy-status.txt')!, 5)).toBe(5);
    expect(expectColumns(files.get('bookinfo-ambient/istioctl/ztunnel-config-workload.txt')!, 1)).toBe(1);
  });
});

/** Checks each column starts at its header's offset after `padding` spaces; returns the narrowest gap seen. */
function expectColumns(text: string, padding: number): number {
  const lines = text.trimEnd().split('\n');
  const columns = splitHeader(lines[0]!);
  let narrowest = Infinity;
  for (const line of lines) {
    for (const c of columns.slice(1)) {
      expect(line.slice(c.start - padding, c.start), `${line} @${c.start}`).toBe(' '.repeat(padding));
      const before = line.slice(0, c.start).trimEnd().length;
      narrowest = Math.min(narrowest, c.start - before);
    }
  }
  return narrowest;
}

describe('redact', () => {
  it('writes the bundle and an owner-only map, and says where', async () => {
    const dir = temp();
    const { code, stdout, stderr } = await runCli('redact', sample('bookinfo-broken.tgz'), '-o', join(dir, 'clean.tgz'), '--map', join(dir, 'map.json'));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/Redacted 19 files: \d+ names and \d+ addresses/);
    expect(statSync(join(dir, 'map.json')).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(['clean.tgz', 'map.json']);
    const map = RedactionMap.load(join(dir, 'map.json'));
    expect(map.forward.get('ratings')).toMatch(/^svc-[0-9a-f]{4,}$/);
    expect(map.forward.get('default')).toBeUndefined(); // a well-known namespace is kept
  });

  it('is deterministic per key: a second bundle redacted with the same map uses the same pseudonyms', async () => {
    const dir = temp();
    const mapPath = join(dir, 'map.json');
    const first = await redactTo(sample('bookinfo-broken.tgz'), dir, mapPath);
    const second = await redactTo(sample('bookinfo-ambient.tgz'), temp(), mapPath);
    for (const [name, pseudonym] of first.map.forward) expect(second.map.forward.get(name)).toBe(pseudonym);
    expect(second.map.key.equals(first.map.key)).toBe(true);
    const a = (await filesOf(first.output)).get('bookinfo-broken/istioctl/ztunnel-config-service.txt')!;
    const b = (await filesOf(second.output)).get('bookinfo-ambient/istioctl/ztunnel-config-service.txt')!;
    expect(a.split('\n').find((l) => l.includes(first.map.forward.get('productpage')!))).toBe(b.split('\n').find((l) => l.includes(first.map.forward.get('productpage')!)));
  });

  it('keeps a name given with --keep', async () => {
    const dir = temp();
    expect((await runCli('redact', sample('bookinfo-broken.tgz'), '-o', join(dir, 'c.tgz'), '--map', join(dir, 'm.json'), '--keep', 'ratings', '--keep', 'reviews')).code).toBe(0);
    const map = RedactionMap.load(join(dir, 'm.json'));
    expect(map.forward.has('ratings')).toBe(false);
    expect(map.forward.has('productpage')).toBe(true);
    expect((await filesOf(join(dir, 'c.tgz'))).get('bookinfo-broken/istioctl/ztunnel-config-service.txt')).toMatch(/\bratings\b/);
  });

  it('renames the paths of the archive', async () => {
    const r = await redactTo(sample('bookinfo-ambient.tgz'));
    const paths = [...(await filesOf(r.output)).keys()];
    expect(paths.some((p) => p.includes('reviews'))).toBe(false);
    expect(paths).toContain(`bookinfo-ambient/config-dumps/default/${r.map.forward.get('reviews')}-svc-waypoint-${r.map.forward.get('5kc4ht8nnd')}-${r.map.forward.get('xkdht')}.json`);
  });
});

describe('bad input: exit 2, one line, nothing half-written', () => {
  const oneLine = (stderr: string) => expect(stderr.trimEnd().split('\n')).toHaveLength(1);

  it('a corrupt map', async () => {
    const dir = temp();
    writeFileSync(join(dir, 'map.json'), '{"version": 1, "key": "abc');
    const { code, stderr } = await runCli('redact', sample('bookinfo-broken.tgz'), '-o', join(dir, 'clean.tgz'), '--map', join(dir, 'map.json'));
    expect(code).toBe(2);
    oneLine(stderr);
    expect(stderr).toMatch(/not a usable redaction map: not JSON/);
    expect(readdirSync(dir)).toEqual(['map.json']);
  });

  it('a map whose entries were made with another key', async () => {
    const dir = temp();
    const a = await redactTo(sample('bookinfo-broken.tgz'), temp());
    const b = JSON.parse(readFileSync((await redactTo(sample('bookinfo-broken.tgz'), temp())).mapPath, 'utf8'));
    const mixed = { ...JSON.parse(readFileSync(a.mapPath, 'utf8')), names: b.names };
    writeFileSync(join(dir, 'map.json'), JSON.stringify(mixed));
    const { code, stderr } = await runCli('redact', sample('bookinfo-broken.tgz'), '-o', join(dir, 'clean.tgz'), '--map', join(dir, 'map.json'));
    expect(code).toBe(2);
    oneLine(stderr);
    expect(stderr).toMatch(/was not made with this map's key/);
    expect(readdirSync(dir)).toEqual(['map.json']);
  });

  it('unmask with the map of another key', async () => {
    const r = await redactTo(sample('bookinfo-broken.tgz'));
    const report = join(r.dir, 'report.json');
    expect((await runCli(r.output, '-f', 'json', '-o', report, '-q')).code).toBe(1);
    const other = await redactTo(sample('bookinfo-broken.tgz'));
    const { code, stderr, stdout } = await runCli('unmask', report, '--map', other.mapPath);
    expect(code).toBe(2);
    oneLine(stderr);
    expect(stderr).toMatch(/made with another key/);
    expect(stdout).toBe('');
  });

  it('an unwritable output leaves neither bundle nor map', async () => {
    const dir = temp();
    const { code, stderr } = await runCli('redact', sample('bookinfo-broken.tgz'), '-o', join(dir, 'missing', 'clean.tgz'), '--map', join(dir, 'map.json'));
    expect(code).toBe(2);
    oneLine(stderr);
    expect(stderr).toMatch(/cannot write .*clean\.tgz/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a bundle that is not one', async () => {
    const dir = temp();
    writeFileSync(join(dir, 'x.tgz'), 'not an archive');
    const { code, stderr } = await runCli('redact', join(dir, 'x.tgz'), '-o', join(dir, 'clean.tgz'), '--map', join(dir, 'map.json'));
    expect(code).toBe(2);
    oneLine(stderr);
    expect(existsSync(join(dir, 'clean.tgz')) || existsSync(join(dir, 'map.json'))).toBe(false);
  });
});

describe('unmask', () => {
  it.each(['json', 'html'])('restores the real names in a %s report', async (format) => {
    const r = await redactTo(sample('bookinfo-broken.tgz'));
    const report = join(r.dir, `report.${format}`);
    const original = join(r.dir, `original.${format}`);
    await runCli(r.output, '-f', format, '-o', report, '-q');
    await runCli(sample('bookinfo-broken.tgz'), '-f', format, '-o', original, '-q');
    const redactedText = readFileSync(report, 'utf8');
    expect(redactedText).not.toMatch(/\bratings\b/);
    const out = join(r.dir, `restored.${format}`);
    const { code } = await runCli('unmask', report, '--map', r.mapPath, '-o', out);
    expect(code).toBe(0);
    const restored = readFileSync(out, 'utf8');
    expect(restored).toMatch(/\bratings-waypoint\b/);
    for (const pseudonym of r.map.backward.keys()) if (/^[a-z]+-[0-9a-f]{4,}$/.test(pseudonym)) expect(restored).not.toContain(pseudonym);
    if (format === 'json') {
      const pick = (text: string) => (JSON.parse(text) as { findings: { ruleId: string; subject: unknown; message: string; evidence: { line: number; excerpt?: string }[] }[] }).findings.map((f) => ({ ruleId: f.ruleId, subject: f.subject, message: f.message, evidence: f.evidence.map((e) => [e.line, e.excerpt?.replace(/ +/g, " ")]) }));
      expect(pick(restored)).toEqual(pick(readFileSync(original, 'utf8')));
    }
  });

  it('writes to stdout without -o', async () => {
    const r = await redactTo(sample('bookinfo-broken.tgz'));
    const report = join(r.dir, 'report.json');
    await runCli(r.output, '-f', 'json', '-o', report, '-q');
    const { code, stdout } = await runCli('unmask', report, '--map', r.mapPath);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).findings.map((f: { subject: { name: string } }) => f.subject.name)).toContain('ratings');
  });
});

describe('certificates in a bundle with thousands of names', () => {
  it('names are overwritten only in the subject, issuer and SAN values: the certificate still parses', async () => {
    const { X509Certificate } = await import('node:crypto');
    const { Rewriter } = await import('../../src/redact/rewrite.js');
    const { AddressMapper } = await import('../../src/redact/ip.js');
    const { RedactionMap } = await import('../../src/redact/map.js');
    const pem = readFileSync(new URL('../collect/stubs/cert.pem', import.meta.url), 'utf8');
    const der = new X509Certificate(pem).raw;
    const map = RedactionMap.fresh();
    map.assign('waypoint-sa', 'workload');
    map.assign('default', 'namespace');
    // 3-byte runs of the key and signature as "known names": what 25,000 names make likely by chance. The
    // old overwrite-anywhere broke the DER with them.
    const latin = der.toString('latin1');
    for (let i = 150; i + 3 <= 320; i += 7) map.assign(latin.slice(i, i + 3), 'workload');
    expect(map.forward.size).toBeGreaterThan(2);
    const rewriter = new Rewriter(map, new AddressMapper(map.key), { isKept: () => false });
    const out = rewriter.binary(der);
    const cert = new X509Certificate(out);
    expect(cert.subjectAltName).toMatch(/^URI:spiffe:\/\/cluster\.local\/ns\/[a-z]{7}\/sa\/waypoint$/);
    expect(cert.subjectAltName).not.toContain('/ns/default/');
    // Outside the SAN's namespace segment, not a byte changed.
    expect(out.length).toBe(der.length);
    const at = latin.indexOf('/ns/default/') + '/ns/'.length;
    expect(out.subarray(0, at).equals(der.subarray(0, at))).toBe(true);
    expect(out.subarray(at + 'default'.length).equals(der.subarray(at + 'default'.length))).toBe(true);
  });
});

describe('a certificate chain as Envoy dumps it (base64 of PEM in inline_bytes)', () => {
  it('is rewritten as whole certificates: a namespace of another length than its pseudonym leaves them readable', async () => {
    const { X509Certificate } = await import('node:crypto');
    const { Rewriter } = await import('../../src/redact/rewrite.js');
    const { AddressMapper } = await import('../../src/redact/ip.js');
    const { leafPem } = await import('../../scripts/gen-bundle/certs.js');
    const map = RedactionMap.fresh();
    const pseudonym = map.assign('shipping-canary', 'namespace');
    expect(pseudonym.length).not.toBe('shipping-canary'.length);
    const chain = leafPem('t', { namespace: 'shipping-canary', serviceAccount: 'waypoint', notBefore: '2025-10-14T09:13:33Z' });
    const inlineBytes = Buffer.from(chain).toString('base64');
    const rewriter = new Rewriter(map, new AddressMapper(map.key), { isKept: () => false });
    const out = Buffer.from(rewriter.text(inlineBytes), 'base64').toString();
    const cert = new X509Certificate(out);
    expect(cert.subjectAltName).toMatch(/^URI:spiffe:\/\/cluster\.local\/ns\/[a-z]{15}\/sa\/waypoint$/);
    expect(out).not.toContain('shipping-canary');
  });
});
