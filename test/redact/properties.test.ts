/**
 * Properties over generated names and addresses (fast-check): addresses keep their common prefixes,
 * pseudonyms depend only on the key, and a name reads the same in every format of a bundle, which
 * still diagnoses the same.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddressMapper } from '../../src/redact/ip.js';
import { RedactionMap } from '../../src/redact/map.js';
import { filesOf, findingKey, findingsOf, redactTo, restorer } from './helpers.js';

const v4 = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
const bitsOf = (ip: string) => ip.split('.').map((o) => Number(o).toString(2).padStart(8, '0')).join('');
const common = (a: string, b: string) => {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i;
};
const key = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((a) => Buffer.from(a));

describe('addresses', () => {
  it('IPv4: two addresses of 10/8 share exactly as many leading bits after as before', () => {
    fc.assert(fc.property(key, fc.integer({ min: 0, max: 2 ** 24 - 1 }), fc.integer({ min: 0, max: 2 ** 24 - 1 }), (k, x, y) => {
      const m = new AddressMapper(k);
      const [a, b] = [v4(10 * 2 ** 24 + x), v4(10 * 2 ** 24 + y)];
      const [fa, fb] = [m.ipv4(a), m.ipv4(b)];
      expect(fa.startsWith('10.')).toBe(true);
      expect(common(bitsOf(fa), bitsOf(fb))).toBe(common(bitsOf(a), bitsOf(b)));
      expect(fa === fb).toBe(a === b);
    }), { numRuns: 300 });
  });

  it('IPv4: a CIDR maps to the CIDR that holds its members\' images; loopback, link-local and 0.0.0.0 are kept', () => {
    fc.assert(fc.property(key, fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 8, max: 30 }), (k, n, length) => {
      const m = new AddressMapper(k);
      const ip = v4(n);
      const network = v4(Number((BigInt(n) >> BigInt(32 - length)) << BigInt(32 - length)));
      const [mappedNet, len] = m.cidr(network, length).split('/');
      expect(Number(len)).toBe(length);
      if (m.ipv4(ip) !== ip) expect(bitsOf(m.ipv4(ip)).slice(0, length)).toBe(bitsOf(mappedNet!).slice(0, length));
    }), { numRuns: 200 });
    const m = new AddressMapper(Buffer.alloc(32, 7));
    for (const kept of ['127.0.0.1', '169.254.7.1', '0.0.0.0', '::1', '::', 'fe80::1']) expect(m.map(kept)).toBe(kept);
  });

  it('IPv6: common prefixes are kept too', () => {
    const group = fc.integer({ min: 0, max: 0xffff }).map((g) => g.toString(16));
    fc.assert(fc.property(key, fc.array(group, { minLength: 7, maxLength: 7 }), fc.array(group, { minLength: 7, maxLength: 7 }), (k, x, y) => {
      const m = new AddressMapper(k);
      const a = ['fd00', ...x].join(':');
      const b = ['fd00', ...y].join(':');
      const bits = (ip: string) => m.ipv6(ip) && expand(ip);
      expect(common(expand(m.ipv6(a)), expand(m.ipv6(b)))).toBe(common(bits(a), bits(b)));
    }), { numRuns: 200 });
  });
});

function expand(ip: string): string {
  const [h, t] = ip.split('::') as [string, string | undefined];
  const hs = h ? h.split(':') : [];
  const ts = t ? t.split(':') : [];
  const groups = t === undefined ? hs : [...hs, ...Array(8 - hs.length - ts.length).fill('0'), ...ts];
  return groups.map((g) => parseInt(g, 16).toString(2).padStart(16, '0')).join('');
}

describe('pseudonyms', () => {
  const label = fc.stringMatching(/^[a-z][a-z0-9]{2,8}$/).filter((s) => !/^(?:v\d+|\d.*)$/.test(s));
  it('depend on the key and the name only', () => {
    fc.assert(fc.property(key, key, label, (k1, k2, name) => {
      const a = new RedactionMap(k1).assign(name, 'service');
      expect(new RedactionMap(k1).assign(name, 'service')).toBe(a);
      if (!k1.equals(k2)) expect(new RedactionMap(k2).assign(name, 'service') === a).toBe(false);
    }), { numRuns: 200, seed: 12 });
  });

  it('a generated bundle: each name reads the same in every file, none is left, and the finding survives', async () => {
    const suffix = fc.stringMatching(/^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
    const id = fc.stringMatching(/^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    const names = fc.uniqueArray(label.filter((l) => !['default', 'waypoint', 'istio', 'none', 'all', 'service', 'workload', 'ambient'].includes(l)), { minLength: 3, maxLength: 3 });
    await fc.assert(fc.asyncProperty(names, suffix, id, fc.integer({ min: 1, max: 254 }), async ([ns, app, gw], hash, podId, octet) => {
      const dir = mkdtempSync(join(tmpdir(), 'redact-prop-'));
      const bundle = join(dir, 'b');
      writeBundle(bundle, { ns: ns!, app: app!, gw: gw!, pod: `${app}-${hash}-${podId}`, ip: `10.42.7.${octet}` });
      const r = await redactTo(bundle, dir);
      const files = await filesOf(r.output);
      const pod = `${app}-${hash}-${podId}`;
      const podPseudonym = `${r.map.forward.get(app!)}-${r.map.forward.get(hash)}-${r.map.forward.get(podId)}`;
      for (const [path, text] of files) {
        for (const original of [ns!, app!, gw!, hash, podId, `10.42.7.${octet}`]) expect(text, path).not.toMatch(new RegExp(`(?<![A-Za-z0-9.])${original.replace(/\./g, '\\.')}(?![A-Za-z0-9]|\\.\\d)`));
        if (/pods\.json|ztunnel/.test(path)) expect(text, path).toContain(podPseudonym);
      }
      const restore = restorer(r.map);
      const before = (await findingsOf(bundle)).map((f) => findingKey(f));
      const after = (await findingsOf(r.output)).map((f) => findingKey(f, restore, true));
      expect(before.filter((k) => k.includes('"status":"fail"')).join('\n')).toContain('"WP001"');
      expect(after.sort()).toEqual(before.sort());
      expect(restore(podPseudonym)).toBe(pod);
    }), { numRuns: 15, seed: 7 });
  }, 120_000);
});

/** A Service labelled with a waypoint that does not exist (WP001), its pod in kubectl JSON, ztunnel's table and log. */
function writeBundle(root: string, n: { ns: string; app: string; gw: string; pod: string; ip: string }): void {
  mkdirSync(join(root, 'kubectl'), { recursive: true });
  mkdirSync(join(root, 'istioctl'), { recursive: true });
  mkdirSync(join(root, 'logs', 'istio-system'), { recursive: true });
  const list = (items: unknown[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 4);
  writeFileSync(join(root, 'kubectl', 'services.json'), list([{ apiVersion: 'v1', kind: 'Service', metadata: { name: n.app, namespace: n.ns, labels: { app: n.app, 'istio.io/use-waypoint': n.gw } }, spec: { clusterIP: '10.43.0.9', selector: { app: n.app }, ports: [{ name: 'http', port: 80 }] } }]));
  writeFileSync(join(root, 'kubectl', 'pods.json'), list([{ apiVersion: 'v1', kind: 'Pod', metadata: { name: n.pod, namespace: n.ns, labels: { app: n.app } }, spec: { containers: [{ name: n.app }] }, status: { phase: 'Running', podIP: n.ip } }]));
  writeFileSync(join(root, 'kubectl', 'gateways.json'), list([]));
  writeFileSync(join(root, 'kubectl', 'namespaces.json'), list([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n.ns, labels: { 'istio.io/dataplane-mode': 'ambient' } } }]));
  const rows = [['NAMESPACE', 'POD NAME', 'ADDRESS', 'NODE', 'WAYPOINT', 'PROTOCOL'], [n.ns, n.pod, n.ip, 'node-a', 'None', 'HBONE']];
  const widths = rows[0]!.map((_, k) => Math.max(...rows.map((r) => r[k]!.length)));
  writeFileSync(join(root, 'istioctl', 'ztunnel-config-workload.txt'), rows.map((r) => r.map((c, k) => (k === r.length - 1 ? c : c.padEnd(widths[k]! + 1))).join('')).join('\n') + '\n');
  writeFileSync(join(root, 'logs', 'istio-system', 'ztunnel-abcde.log'), `2025-10-14T09:20:19.088004Z\tinfo\taccess\tconnection complete\tsrc.addr=${n.ip}:45678 src.workload="${n.pod}" src.namespace="${n.ns}" src.identity="spiffe://cluster.local/ns/${n.ns}/sa/${n.app}" dst.addr=10.43.0.9:80 dst.service="${n.app}.${n.ns}.svc.cluster.local" direction="outbound" bytes_sent=10 bytes_recv=20 duration="3ms"\n`);
}
