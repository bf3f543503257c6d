import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { envoyConfigDumpParser } from '../../src/parse/envoy-config-dump.js';
import { HEAD_LINES, type ParseInput } from '../../src/parse/parser.js';
import type { EnvoyConfigSummary, ParseResult } from '../../src/parse/types.js';
import { splitLines } from '../../src/text/decode.js';
import { TextLines } from '../../src/text/lines.js';
import { FIXTURES, ROOT } from '../helpers.js';

/** What the sniffer hands a parser, built by hand: `parseFile` does not know this parser yet. */
function inputOf(file: string, text: string, json: unknown = tryJson(text)): ParseInput {
  let lines: string[] | undefined;
  let index: TextLines | undefined;
  return {
    file,
    text,
    firstLine: 0,
    head: splitLines(text).slice(0, HEAD_LINES),
    get lines() {
      return (lines ??= splitLines(text));
    },
    get index() {
      return (index ??= new TextLines(text));
    },
    json,
  };
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parse(file: string, text: string): { result: ParseResult; dump: EnvoyConfigSummary } {
  const result = envoyConfigDumpParser.parse(inputOf(file, text));
  expect(result.records.envoyConfigs).toHaveLength(1);
  return { result, dump: result.records.envoyConfigs![0]! };
}

/** 1-based line of the first line whose trimmed text is exactly `wanted`, at or after line `from`. */
function lineOfExact(text: string, wanted: string, from = 1): number {
  const lines = splitLines(text);
  for (let i = from - 1; i < lines.length; i++) if (lines[i]!.trim() === wanted) return i + 1;
  throw new Error(`no line ${wanted}`);
}

// ---------------------------------------------------------------------------------------------
// Certificates made at test time, so the fixture holds no key or certificate material.

interface Cert {
  pem: string;
  serial: string;
  days: number;
}

function openssl(days: number, serial: string, subject: string): Cert | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'wpa-envoy-cert-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', String(days), '-subj', subject, '-set_serial', `0x${serial}`,
    ], { stdio: 'pipe' });
    return { pem: readFileSync(join(dir, 'cert.pem'), 'utf8'), serial, days };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const FIXTURE = join(ROOT, 'test', 'fixtures', 'envoy', 'waypoint-config-dump.json');
const TEMPLATE = readFileSync(FIXTURE, 'utf8');
const FAKE_KEY_B64 = /"private_key": \{\s*"inline_bytes": "([^"]+)"/.exec(TEMPLATE)![1]!;
const before = Date.now();
const LEAF = openssl(1, '4A3B2C1D', '/O=cluster.local');
const ROOTCA = openssl(3650, '0193A543FE2B0D9C', '/O=cluster.local/CN=Root CA');
const after = Date.now();
const HAVE_OPENSSL = LEAF !== undefined && ROOTCA !== undefined;
if (!HAVE_OPENSSL) console.warn('openssl not available: certificate validity assertions of envoy-config-dump are skipped');

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
/** The fixture with its placeholders replaced: leaf + root as the chain (as istio-agent serves it), root as ROOTCA. */
const WAYPOINT_DUMP = TEMPLATE
  .replace('__LEAF_CERT_CHAIN_BASE64__', LEAF && ROOTCA ? b64(LEAF.pem + ROOTCA.pem) : '')
  .replace('__ROOT_CERT_BASE64__', LEAF && ROOTCA ? b64(ROOTCA.pem) : '');

const HTTP_CHAIN = 'inbound-vip|9080|http|reviews.default.svc.cluster.local';
const TCP_CHAIN = 'inbound-vip|9080|tcp|reviews.default.svc.cluster.local';

describe('envoy config dump: a waypoint (snake_case, as the admin endpoint prints it)', () => {
  const { result, dump } = parse('waypoint/config_dump.json', WAYPOINT_DUMP);

  it('is detected and read without diagnostics', () => {
    expect(envoyConfigDumpParser.detect(inputOf('x.json', WAYPOINT_DUMP))).toBe(0);
    expect(result.diagnostics).toEqual([]);
    expect(result.summary).toBe('proxy waypoint-6f7b-6hppr.default (waypoint): 4 listeners, 7 clusters, 1 route config, 2 secrets');
    expect(dump.source).toEqual({ file: 'waypoint/config_dump.json', line: 1 });
  });

  it('reads the node from the bootstrap', () => {
    expect(dump.node).toEqual({
      id: 'waypoint~10.244.1.5~waypoint-6f7b-6hppr.default~default.svc.cluster.local',
      type: 'waypoint',
      pod: 'waypoint-6f7b-6hppr',
      namespace: 'default',
      istioVersion: '1.26.2',
    });
  });

  it('reads listeners, their addresses and filter chains', () => {
    expect(dump.listeners.map((l) => [l.name, l.address, l.filterChains.map((c) => c.name)])).toEqual([
      ['', '0.0.0.0:15090', ['']],
      ['connect_terminate', '0.0.0.0:15008', ['default']],
      ['main_internal', 'main_internal', [HTTP_CHAIN, TCP_CHAIN, 'direct-tcp', 'direct-http']],
      ['connect_originate', 'connect_originate', ['']],
    ]);
    const [http, tcp, directTcp, directHttp] = dump.listeners[2]!.filterChains;
    expect(http!.filters).toEqual([
      'envoy.filters.network.http_connection_manager',
      'envoy.filters.http.grpc_stats',
      'envoy.filters.http.rbac',
      'istio.stats',
      'envoy.filters.http.router',
    ]);
    expect(tcp!.filters).toEqual(['envoy.filters.network.rbac', 'istio.stats', 'envoy.filters.network.tcp_proxy']);
    expect(directTcp!.filters).toEqual(['connect_authority', 'envoy.filters.network.tcp_proxy']);
    expect(directHttp!.filters).toEqual(['connect_authority', 'envoy.filters.network.http_connection_manager', 'istio.stats', 'envoy.filters.http.router']);
  });

  it('reads RBAC policy names from HTTP and network RBAC filters', () => {
    const chains = dump.listeners[2]!.filterChains;
    expect(chains.map((c) => c.rbacPolicies)).toEqual([
      ['ns[default]-policy[reviews-viewer]-rule[0]'],
      ['ns[default]-policy[deny-legacy]-rule[0]'],
      [],
      [],
    ]);
  });

  it('reduces inline route configs; routes without a name are `-`', () => {
    const [http, , , directHttp] = dump.listeners[2]!.filterChains;
    expect(http!.rdsRouteConfig).toBeUndefined();
    expect(http!.routeConfig).toMatchObject({
      name: HTTP_CHAIN,
      virtualHosts: [{ name: 'inbound|http|9080', domains: ['*'], routes: ['default.reviews.0', 'default'] }],
    });
    expect(directHttp!.routeConfig).toMatchObject({ name: 'encap', virtualHosts: [{ name: 'inbound|http|0', domains: ['*'], routes: ['default'] }] });
    expect(dump.listeners[1]!.filterChains[0]!.routeConfig).toMatchObject({
      name: 'default',
      virtualHosts: [{ name: 'default', domains: ['*'], routes: ['-'] }],
    });
    expect(dump.listeners[2]!.filterChains[1]!.routeConfig).toBeUndefined();
    expect(dump.routeConfigs.map((r) => [r.name, r.virtualHosts])).toEqual([
      ['encap', [{ name: 'inbound|http|0', domains: ['*'], routes: ['default'] }]],
    ]);
  });

  it('reads clusters and their discovery types', () => {
    expect(dump.clusters.map((c) => [c.name, c.type])).toEqual([
      ['agent', 'STATIC'],
      ['xds-grpc', 'STATIC'],
      ['connect_originate', 'ORIGINAL_DST'],
      ['encap', 'STATIC'],
      [HTTP_CHAIN, 'EDS'],
      [TCP_CHAIN, 'EDS'],
      ['main_internal', 'STATIC'],
    ]);
  });

  it('reads secrets with the validity of their first certificate', () => {
    expect(dump.secrets.map((s) => s.name)).toEqual(['default', 'ROOTCA']);
    if (!LEAF || !ROOTCA) return;
    const [leaf, root] = dump.secrets;
    for (const [secret, cert] of [[leaf!, LEAF], [root!, ROOTCA]] as const) {
      expect(secret.serial).toBe(cert.serial);
      const from = Date.parse(secret.validFrom!);
      // openssl starts validity at "now", to the second.
      expect(from).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 1000);
      expect(from).toBeLessThanOrEqual(after + 1000);
      expect(Date.parse(secret.expires!) - from).toBe(cert.days * 86_400_000);
      expect(secret.validFrom).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
  });

  it('never copies key or certificate material', () => {
    const all = JSON.stringify(result);
    expect(all).not.toContain(FAKE_KEY_B64);
    expect(all).not.toContain(FAKE_KEY_B64.slice(0, 24));
    expect(all).not.toContain('FAKE-WAYPOINT-KEY-MATERIAL');
    expect(all).not.toContain('PRIVATE KEY');
    expect(all).not.toContain('BEGIN CERTIFICATE');
    expect(all).not.toContain('inline_bytes');
    expect(all).not.toContain('private_key');
    if (LEAF && ROOTCA) {
      expect(all).not.toContain(b64(LEAF.pem).slice(0, 40));
      expect(all).not.toContain(b64(ROOTCA.pem).slice(0, 40));
      // The middle of the PEM body too (base64 of the DER), in case it were copied undecoded.
      expect(all).not.toContain(LEAF.pem.split('\n')[2]!);
    }
  });

  it('gives each object a JSON path and the line of its name', () => {
    const text = WAYPOINT_DUMP;
    const mainInternal = dump.listeners[2]!;
    const listeners = lineOfExact(text, '"@type": "type.googleapis.com/envoy.admin.v3.ListenersConfigDump",');
    const wrapper = lineOfExact(text, '"name": "main_internal",', listeners);
    expect(mainInternal.source).toEqual({
      file: 'waypoint/config_dump.json',
      path: 'configs[2].dynamic_listeners[1].active_state.listener',
      // The listener's own name, not the `dynamic_listeners[1].name` above it.
      line: lineOfExact(text, '"name": "main_internal",', wrapper + 1),
      excerpt: '"name": "main_internal",',
    });
    const http = mainInternal.filterChains[0]!;
    expect(http.source.path).toBe('configs[2].dynamic_listeners[1].active_state.listener.filter_chains[0]');
    // A chain's name comes after its filters: the route config of the same name comes first.
    expect(http.source.line).toBe(lineOfExact(text, `"name": "${HTTP_CHAIN}"`));
    expect(http.routeConfig!.source.path).toBe('configs[2].dynamic_listeners[1].active_state.listener.filter_chains[0].filters[0].typed_config.route_config');
    expect(http.routeConfig!.source.line).toBe(lineOfExact(text, `"name": "${HTTP_CHAIN}",`, listeners));
    // connect_terminate: route config, vhost and chain are all named `default`.
    const terminate = dump.listeners[1]!.filterChains[0]!;
    expect(terminate.source.line).toBe(lineOfExact(text, '"name": "default"'));
    expect(terminate.routeConfig!.source.line).toBe(lineOfExact(text, '"name": "default",'));
    expect(dump.listeners[3]!.filterChains[0]!.source).toEqual({
      file: 'waypoint/config_dump.json',
      path: 'configs[2].dynamic_listeners[2].active_state.listener.filter_chains[0]',
    });
    expect(dump.listeners[0]!.source.line).toBeUndefined();
    const encap = dump.clusters[3]!;
    expect(encap.source).toMatchObject({ path: 'configs[1].dynamic_active_clusters[1].cluster', line: lineOfExact(text, '"name": "encap",') });
    const secrets = lineOfExact(text, '"@type": "type.googleapis.com/envoy.admin.v3.SecretsConfigDump",');
    expect(dump.secrets[0]!.source).toMatchObject({ path: 'configs[5].dynamic_active_secrets[0]', line: lineOfExact(text, '"name": "default",', secrets) });
    expect(dump.secrets[1]!.source).toMatchObject({ path: 'configs[5].dynamic_active_secrets[1]', line: lineOfExact(text, '"name": "ROOTCA",', secrets) });
    expect(dump.routeConfigs[0]!.source).toMatchObject({
      path: 'configs[4].static_route_configs[0].route_config',
      line: lineOfExact(text, '"name": "encap",', lineOfExact(text, '"@type": "type.googleapis.com/envoy.admin.v3.RoutesConfigDump",')),
    });
  });

  it('finds lines in one forward pass over a large dump', () => {
    // 3000 copies of the HTTP chain of main_internal, renamed: ~10 MB of pretty JSON.
    const json = JSON.parse(WAYPOINT_DUMP) as { configs: Record<string, any>[] };
    const listener = json.configs[2]!['dynamic_listeners'][1].active_state.listener;
    const template = JSON.stringify(listener.filter_chains[0]);
    const chains = [];
    for (let i = 0; i < 3000; i++) chains.push(JSON.parse(template.replaceAll('reviews', `svc${i}`)));
    listener.filter_chains = chains;
    const text = JSON.stringify(json, null, 2);
    const start = performance.now();
    const { result, dump } = parse('big.json', text);
    const elapsed = performance.now() - start;
    expect(result.diagnostics).toEqual([]);
    const last = dump.listeners[2]!.filterChains[2999]!;
    expect(last.name).toBe('inbound-vip|9080|http|svc2999.default.svc.cluster.local');
    expect(last.source.line).toBe(lineOfExact(text, `"name": "${last.name}"`));
    expect(last.routeConfig!.virtualHosts[0]!.routes).toEqual(['default.svc2999.0', 'default']);
    expect(elapsed).toBeLessThan(5000);
  });
});

// ---------------------------------------------------------------------------------------------

/** protojson spelling: `dynamic_listeners` -> `dynamicListeners`; map keys such as policy names have no `_x`. */
function toCamel(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toCamel);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())] = toCamel(v);
  return out;
}

/** The summary without where things are, to compare two spellings of one dump. */
function withoutLocations(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutLocations);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'path' || k === 'line' || k === 'excerpt') continue;
    out[k] = withoutLocations(v);
  }
  return out;
}

describe('envoy config dump: protojson (camelCase) spelling', () => {
  const camelText = JSON.stringify(toCamel(JSON.parse(WAYPOINT_DUMP)), null, 4);

  it('gives the same summary as the snake_case dump', () => {
    expect(camelText).toContain('"dynamicListeners"');
    expect(camelText).toContain('"inlineBytes"');
    const snake = parse('f.json', WAYPOINT_DUMP);
    const camel = parse('f.json', camelText);
    expect(envoyConfigDumpParser.detect(inputOf('f.json', camelText))).toBe(0);
    expect(camel.result.diagnostics).toEqual([]);
    expect(camel.result.summary).toBe(snake.result.summary);
    expect(withoutLocations(camel.dump)).toEqual(withoutLocations(snake.dump));
    expect(JSON.stringify(camel.result)).not.toContain(FAKE_KEY_B64.slice(0, 24));
  });

  it('writes paths with the keys as spelled, and still finds lines', () => {
    const { dump } = parse('f.json', camelText);
    const chain = dump.listeners[2]!.filterChains[0]!;
    expect(chain.source.path).toBe('configs[2].dynamicListeners[1].activeState.listener.filterChains[0]');
    expect(chain.routeConfig!.source.path).toBe('configs[2].dynamicListeners[1].activeState.listener.filterChains[0].filters[0].typedConfig.routeConfig');
    expect(chain.source.line).toBe(lineOfExact(camelText, `"name": "${HTTP_CHAIN}"`));
  });

  it('reads a bare bootstrap (`istioctl proxy-config bootstrap -o json`) and other node types', () => {
    const text = JSON.stringify({ bootstrap: { node: { id: 'router~10.244.1.5~waypoint-6f7b-6hppr.default~default.svc.cluster.local', metadata: { ISTIO_VERSION: '1.24.0' } } }, lastUpdated: '2025-01-01T00:00:00Z' });
    const input = inputOf('bootstrap.json', text);
    expect(envoyConfigDumpParser.detect(input)).toBe(0);
    const result = envoyConfigDumpParser.parse(input);
    expect(result.diagnostics).toEqual([]);
    expect(result.records.envoyConfigs![0]!.node).toEqual({
      id: 'router~10.244.1.5~waypoint-6f7b-6hppr.default~default.svc.cluster.local',
      type: 'router', pod: 'waypoint-6f7b-6hppr', namespace: 'default', istioVersion: '1.24.0',
    });
    expect(result.summary).toBe('proxy waypoint-6f7b-6hppr.default (router) bootstrap only, Istio 1.24.0');
    const sidecar = JSON.stringify({ configs: [{ '@type': 'type.googleapis.com/envoy.admin.v3.BootstrapConfigDump', bootstrap: { node: { id: 'sidecar~10.244.2.9~productpage-v1-7d6c.bookinfo~bookinfo.svc.cluster.local' } } }] });
    expect(parse('s.json', sidecar).dump.node).toEqual({
      id: 'sidecar~10.244.2.9~productpage-v1-7d6c.bookinfo~bookinfo.svc.cluster.local', type: 'sidecar', pod: 'productpage-v1-7d6c', namespace: 'bookinfo',
    });
  });

  it('does not take other JSON for a dump', () => {
    for (const json of [[], {}, { configs: [] }, { configs: [{ '@type': 'type.googleapis.com/envoy.config.listener.v3.Listener' }] }, { bootstrap: 'x' }, { bootstrap: { node: {} }, kind: 'Pod' }, { items: [] }]) {
      expect(envoyConfigDumpParser.detect(inputOf('x.json', JSON.stringify(json)))).toBe(-1);
    }
    expect(envoyConfigDumpParser.detect(inputOf('x.txt', 'configs: []\n', undefined))).toBe(-1);
  });
});

// ---------------------------------------------------------------------------------------------

const PC_JSON = join(FIXTURES, 'proxy-config-json');
const HAVE_PC_JSON = existsSync(PC_JSON);
if (!HAVE_PC_JSON) console.warn(`envoy-config-dump conformance skipped: ${PC_JSON} does not exist`);

/** Counted from the text, not from the structure: `"@type": "<type>"` occurrences. */
function countType(text: string, type: string): number {
  return text.split(new RegExp(`"@type":\\s*"type\\.googleapis\\.com/${type.replaceAll('.', '\\.')}"`)).length - 1;
}

describe.skipIf(!HAVE_PC_JSON)('envoy config dump: istioctl testdata', () => {
  const files = HAVE_PC_JSON ? readdirSync(PC_JSON).sort() : [];
  const read = (name: string) => {
    const file = files.find((f) => f.includes(name));
    expect(file, name).toBeDefined();
    return readFileSync(join(PC_JSON, file!), 'utf8');
  };

  it('detects every dump and reads it without diagnostics, counts matching the text', () => {
    const dumps = files.filter((f) => /configdump|config_dump/.test(f) && f.endsWith('.json'));
    let checked = 0;
    for (const f of dumps) {
      const text = readFileSync(join(PC_JSON, f), 'utf8');
      const json = JSON.parse(text) as unknown;
      if (!(json !== null && typeof json === 'object' && 'configs' in json)) continue;
      checked++;
      const input = inputOf(f, text, json);
      expect(envoyConfigDumpParser.detect(input), f).toBe(0);
      const result = envoyConfigDumpParser.parse(input);
      expect(result.diagnostics, f).toEqual([]);
      const dump = result.records.envoyConfigs![0]!;
      expect(dump.listeners.length, f).toBe(countType(text, 'envoy.config.listener.v3.Listener'));
      expect(dump.clusters.length, f).toBe(countType(text, 'envoy.config.cluster.v3.Cluster'));
      expect(dump.routeConfigs.length, f).toBe(countType(text, 'envoy.config.route.v3.RouteConfiguration'));
      expect(dump.secrets.length, f).toBe(countType(text, 'envoy.extensions.transport_sockets.tls.v3.Secret'));
      // Every line found points at that object's name.
      const lines = new TextLines(text);
      const located = [...dump.listeners, ...dump.listeners.flatMap((l) => l.filterChains), ...dump.clusters, ...dump.routeConfigs, ...dump.secrets];
      for (const o of located) {
        if (o.source.line !== undefined) expect(lines.get(o.source.line - 1).trim(), `${f} ${o.source.path}`).toMatch(new RegExp(`^"name": ${JSON.stringify(o.name).replace(/[|.[\]]/g, '\\$&')},?$`));
      }
    }
    expect(checked).toBe(8);
  });

  it('reads the 1.21 waypoint dump', () => {
    const { result, dump } = parse('pc.json', read('pc__config_dump__1.21.0'));
    expect(result.summary).toBe('proxy httpbin-istio-waypoint-58f646c5ff-dbfkz.default (waypoint): 2 listeners, 3 clusters, 1 route config, 2 secrets, endpoints of 2 clusters');
    expect(dump.node).toMatchObject({ type: 'waypoint', pod: 'httpbin-istio-waypoint-58f646c5ff-dbfkz', namespace: 'default', istioVersion: '1.21.0-1226' });
    expect(dump.listeners.map((l) => [l.name, l.address])).toEqual([['', '0.0.0.0:15021'], ['main_internal', 'main_internal']]);
    expect(dump.listeners[1]!.filterChains.map((c) => c.name)).toEqual([
      'inbound-vip|8000||httpbin.default.svc.cluster.local-http',
      'inbound-vip|8100||httpbin.default.svc.cluster.local-http',
      'direct-tcp',
      'direct-http',
    ]);
    expect(dump.listeners[1]!.filterChains[0]!.routeConfig!.virtualHosts).toEqual([{ name: 'inbound|http|8000', domains: ['*'], routes: ['default'] }]);
    expect(dump.listeners[1]!.source.line).toBe(278);
    expect(dump.clusters.map((c) => [c.name, c.type])).toEqual([
      ['agent', 'STATIC'],
      ['prometheus_stats', 'STATIC'],
      ['inbound-vip|8000|http|httpbin.default.svc.cluster.local', 'EDS'],
    ]);
    expect(dump.secrets.map(({ name, validFrom, expires, serial }) => ({ name, validFrom, expires, serial }))).toEqual([
      { name: 'default', validFrom: '2023-05-15T01:30:52Z', expires: '2023-05-16T01:32:52Z', serial: '6FBEE254C22900615CB1F74E3D2F1713' },
      { name: 'ROOTCA', validFrom: '2023-05-05T03:41:33Z', expires: '2033-05-02T03:41:33Z', serial: '0193A543FE2B0D9CD4847675394DFC54' },
    ]);
    expect(JSON.stringify(result)).not.toContain('LS0tLS1CRUdJTi');
  });

  it('reads the waypoint dump of pc-compare (connect_terminate, RDS dump)', () => {
    const { result, dump } = parse('c.json', read('pc-compare__configdump__master'));
    expect(result.summary).toBe('Envoy config dump: 3 listeners, 1 cluster, 1 route config, 0 secrets');
    expect(dump.listeners.map((l) => [l.name, l.address, l.filterChains.length])).toEqual([
      ['connect_terminate', '0.0.0.0:15008', 1],
      ['main_internal', 'main_internal', 1],
      ['connect_originate', 'connect_originate', 1],
    ]);
    expect(dump.listeners[0]!.filterChains[0]!.routeConfig!.virtualHosts).toEqual([{ name: 'default', domains: ['*'], routes: ['-'] }]);
    expect(dump.clusters.map((c) => [c.name, c.type])).toEqual([['inbound-vip|9080|http|ratings.default.svc.cluster.local', 'EDS']]);
    expect(dump.routeConfigs.map((r) => r.name)).toEqual(['inbound-vip|9080|http|reviews-v3.default.svc.cluster.local']);
  });

  it('reads route-only and secret-only dumps', () => {
    expect(parse('r.json', read('routes_k8s-gateway-http-route-path-prefix')).dump.routeConfigs).toHaveLength(3);
    const spire = parse('s.json', read('secret_spire_config_dump')).dump;
    expect(spire.secrets.map((s) => [s.name, s.expires])).toEqual([['default', '2024-10-27T22:44:37Z'], ['ROOTCA', undefined]]);
  });

  it('reads the bare bootstrap; does not detect lists and YAML', () => {
    const text = read('bootstrapdump');
    expect(envoyConfigDumpParser.detect(inputOf('b.json', text))).toBe(0);
    const { result, dump } = parse('b.json', text);
    expect(result.diagnostics).toEqual([]);
    expect(dump.node).toEqual({ id: '', istioVersion: '1.10.0' });
    expect(result.summary).toBe('Envoy bootstrap only, Istio 1.10.0');
    for (const f of files.filter((x) => /emptyfilter_output|\.yaml$/.test(x))) {
      expect(envoyConfigDumpParser.detect(inputOf(f, readFileSync(join(PC_JSON, f), 'utf8'))), f).toBe(-1);
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('envoy config dump: robustness', () => {
  it('reports unexpected shapes instead of throwing', () => {
    const text = JSON.stringify({ configs: [null, 3, { '@type': 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump', dynamic_listeners: 'oops' }] });
    const result = envoyConfigDumpParser.parse(inputOf('bad.json', text));
    expect(result.records.envoyConfigs![0]!.listeners).toEqual([]);
    expect(result.diagnostics.map((d) => d.message)).toEqual([
      'configs[0]: expected a config dump object, found null; skipped',
      'configs[1]: expected a config dump object, found number 3; skipped',
      'configs[2].dynamic_listeners: expected a list, found the string "oops"; skipped',
    ]);
    expect(result.diagnostics.every((d) => d.file === 'bad.json')).toBe(true);
  });

  it('skips bad elements deep inside and keeps the rest', () => {
    const json = {
      configs: [
        { '@type': 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump', dynamic_listeners: [
          7,
          { name: 'l', active_state: { listener: { name: 'l', filter_chains: [null, { filters: [{ typed_config: {} }, { name: 'envoy.filters.network.http_connection_manager', typed_config: { route_config: { virtual_hosts: 'x' }, http_filters: [{ name: 'envoy.filters.http.rbac', typed_config: { rules: { policies: [] } } }] } }] }] } } },
        ] },
        { '@type': 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump', dynamic_active_clusters: [{ cluster: { type: 'EDS' } }, { cluster: { name: 'c' } }] },
        { '@type': 'type.googleapis.com/envoy.admin.v3.SecretsConfigDump', dynamic_active_secrets: [{ name: 's', secret: { tls_certificate: { certificate_chain: { inline_bytes: 'bm90IGEgY2VydA==' }, private_key: { inline_string: 'SECRET-KEY' } } } }] },
        { '@type': 'type.googleapis.com/envoy.admin.v2alpha.ListenersConfigDump' },
        { version_info: 'x' },
      ],
    };
    const result = envoyConfigDumpParser.parse(inputOf('deep.json', JSON.stringify(json, null, 2)));
    const dump = result.records.envoyConfigs![0]!;
    expect(dump.listeners).toHaveLength(1);
    expect(dump.listeners[0]!.filterChains).toHaveLength(1);
    expect(dump.listeners[0]!.filterChains[0]).toMatchObject({ name: '', filters: ['envoy.filters.network.http_connection_manager', 'envoy.filters.http.rbac'], rbacPolicies: [] });
    expect(dump.clusters.map((c) => [c.name, c.type])).toEqual([['c', 'STATIC']]);
    expect(dump.secrets).toEqual([{ name: 's', source: expect.objectContaining({ path: 'configs[2].dynamic_active_secrets[0]' }) }]);
    expect(result.diagnostics.map((d) => d.message)).toEqual([
      'configs[0].dynamic_listeners[0]: expected an object, found number 7; skipped',
      'configs[0].dynamic_listeners[1].active_state.listener.filter_chains[0]: expected an object, found null; skipped',
      'configs[0].dynamic_listeners[1].active_state.listener.filter_chains[1].filters[0]: filter without a name; skipped',
      'configs[0].dynamic_listeners[1].active_state.listener.filter_chains[1].filters[1].typed_config.route_config.virtual_hosts: expected a list, found the string "x"; skipped',
      'configs[1].dynamic_active_clusters[0].cluster: cluster without a name; skipped',
      expect.stringMatching(/^configs\[2\]\.dynamic_active_secrets\[0\]\.secret: certificate of secret "s" could not be read/),
      'configs[3]: unsupported config type type.googleapis.com/envoy.admin.v2alpha.ListenersConfigDump; skipped',
      'configs[4]: config without `@type`; skipped',
    ]);
    expect(JSON.stringify(result)).not.toContain('SECRET-KEY');
  });

  it('never throws on arbitrary content under any dump type', () => {
    const types = ['Bootstrap', 'Clusters', 'Listeners', 'Routes', 'Secrets', 'ScopedRoutes'].map((t) => `type.googleapis.com/envoy.admin.v3.${t}ConfigDump`);
    const keys = ['bootstrap', 'node', 'id', 'metadata', 'static_clusters', 'dynamic_active_clusters', 'cluster', 'name', 'type', 'static_listeners', 'dynamic_listeners',
      'active_state', 'warming_state', 'listener', 'address', 'socket_address', 'filter_chains', 'default_filter_chain', 'filters', 'typed_config', 'route_config', 'rds',
      'http_filters', 'rules', 'policies', 'virtual_hosts', 'routes', 'domains', 'dynamic_active_secrets', 'secret', 'tls_certificate', 'certificate_chain', 'inline_bytes',
      'validation_context', 'trusted_ca', 'internal_listener', 'envoy_internal_address'];
    const names = ['envoy.filters.network.http_connection_manager', 'envoy.filters.http.rbac', 'envoy.filters.network.rbac', 'x'];
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.constantFrom<unknown>(null, 0, 'a', true, ...names), tie('array'), tie('object')),
      array: fc.array(tie('node'), { maxLength: 3 }),
      object: fc.dictionary(fc.constantFrom(...keys), tie('node'), { maxKeys: 4 }),
    })).node;
    const config = fc.tuple(fc.constantFrom(...types), fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 4 }))
      .map(([type, body]) => ({ ...body, '@type': type }));
    fc.assert(
      fc.property(fc.array(fc.oneof(config, value), { maxLength: 4 }), (configs) => {
        const text = JSON.stringify({ configs });
        const result = envoyConfigDumpParser.parse(inputOf('fuzz.json', text));
        expect(result.records.envoyConfigs).toHaveLength(1);
      }),
      { numRuns: 300 },
    );
    expect(() => envoyConfigDumpParser.parse(inputOf('not-json.txt', 'hello', undefined))).not.toThrow();
    expect(envoyConfigDumpParser.parse(inputOf('arr.json', '[1]')).diagnostics).toHaveLength(1);
  });
});

// Keep the certificate helper honest: what openssl made is what node reads.
it.skipIf(!HAVE_OPENSSL)('generated certificates have the requested serial', () => {
  expect(new X509Certificate(LEAF!.pem).serialNumber).toBe('4A3B2C1D');
});
