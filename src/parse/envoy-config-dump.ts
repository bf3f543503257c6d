/**
 * Envoy config dumps (`istioctl proxy-config all -o json`, a bug-report `config_dump?include_eds`, or
 * protojson output of istioctl), reduced in one walk to what rules need: the node, listeners with
 * their filter chains, RBAC policy names and inline routes, clusters, RDS route configs and secrets.
 *
 * Both field spellings are read through `field()`: snake_case (raw admin `/config_dump`) and
 * camelCase (protojson). Key and certificate material is never copied: certificates are read for
 * their validity and serial only.
 */
import { X509Certificate } from 'node:crypto';
import type { TextLines } from '../text/lines.js';
import { isRecord } from './kube.js';
import { readEcdsFilter, readLoadAssignment } from './envoy-extensions.js';
import { field, join, keyOf, NameLocator, rec, str, type Rec } from './envoy-fields.js';
import { type FileParser, type ParseInput } from './parser.js';
import type {
  Diagnostic,
  EnvoyConfigSummary,
  EnvoyFilterChain,
  EnvoyListener,
  EnvoyRouteConfig,
  ParseResult,
  Provenance,
} from './types.js';


const ADMIN_TYPE_PREFIX = 'type.googleapis.com/envoy.admin.v3.';
const HCM = 'envoy.filters.network.http_connection_manager';
const NETWORK_RBAC = 'envoy.filters.network.rbac';
const HTTP_RBAC = 'envoy.filters.http.rbac';

// ---------------------------------------------------------------------------------------------
// The walk.

class DumpReader {
  readonly diagnostics: Diagnostic[] = [];
  readonly summary: EnvoyConfigSummary;
  private readonly locate: NameLocator;
  private readonly file: string;

  constructor(input: ParseInput) {
    this.file = input.file;
    this.locate = new NameLocator(input);
    this.summary = { listeners: [], clusters: [], routeConfigs: [], secrets: [], endpoints: [], ecdsFilters: [], source: { file: input.file, line: 1 } };
  }

  private diag(path: string, message: string): void {
    this.diagnostics.push({ file: this.file, message: path === '' ? message : `${path}: ${message}` });
  }

  private source(path: string, name: string): Provenance {
    return { file: this.file, path, ...this.locate.find(name) };
  }

  /** The array at `obj.snake`, or undefined (with a diagnostic when it is there but not a list). */
  private list(obj: Rec, snake: string, path: string): { items: unknown[]; path: string } | undefined {
    const k = keyOf(obj, snake);
    if (k === undefined) return undefined;
    const v = obj[k];
    if (v === null) return undefined;
    if (!Array.isArray(v)) {
      this.diag(join(path, k), `expected a list, found ${describe(v)}; skipped`);
      return undefined;
    }
    return { items: v, path: join(path, k) };
  }

  /** The object at `obj.snake`, or undefined (with a diagnostic when it is there but not an object). */
  private object(obj: Rec, snake: string, path: string): { value: Rec; path: string } | undefined {
    const k = keyOf(obj, snake);
    if (k === undefined) return undefined;
    const v = obj[k];
    if (v === null) return undefined;
    if (!isRecord(v)) {
      this.diag(join(path, k), `expected an object, found ${describe(v)}; skipped`);
      return undefined;
    }
    return { value: v, path: join(path, k) };
  }

  /** Each object of the list at `obj.snake`; other elements become diagnostics. */
  private each(obj: Rec, snake: string, path: string, visit: (item: Rec, path: string) => void): void {
    const l = this.list(obj, snake, path);
    if (!l) return;
    l.items.forEach((item, i) => {
      const p = `${l.path}[${i}]`;
      if (isRecord(item)) visit(item, p);
      else this.diag(p, `expected an object, found ${describe(item)}; skipped`);
    });
  }

  readDocument(json: unknown): void {
    if (!isRecord(json)) {
      this.diag('', `not an Envoy config dump: the document is ${describe(json)}`);
      return;
    }
    const configs = this.list(json, 'configs', '');
    if (configs) {
      configs.items.forEach((c, i) => this.readConfig(c, `${configs.path}[${i}]`));
    } else if (isBareBootstrap(json)) {
      this.readBootstrap(json, '');
    } else if (keyOf(json, 'configs') === undefined) {
      this.diag('', 'not an Envoy config dump: no `configs` list');
    }
  }

  private readConfig(config: unknown, path: string): void {
    if (!isRecord(config)) {
      this.diag(path, `expected a config dump object, found ${describe(config)}; skipped`);
      return;
    }
    const type = config['@type'];
    if (typeof type !== 'string') {
      this.diag(path, 'config without `@type`; skipped');
      return;
    }
    if (!type.startsWith(ADMIN_TYPE_PREFIX)) {
      this.diag(path, `unsupported config type ${type}; skipped`);
      return;
    }
    switch (type.slice(ADMIN_TYPE_PREFIX.length)) {
      case 'BootstrapConfigDump':
        this.readBootstrap(config, path);
        break;
      case 'ClustersConfigDump':
        this.readClusters(config, path);
        break;
      case 'ListenersConfigDump':
        this.readListeners(config, path);
        break;
      case 'RoutesConfigDump':
        this.readRoutes(config, path);
        break;
      case 'SecretsConfigDump':
        this.readSecrets(config, path);
        break;
      case 'EndpointsConfigDump': {
        const ctx = { file: this.file, locate: this.locate, diagnostics: this.diagnostics };
        for (const key of ['static_endpoint_configs', 'dynamic_endpoint_configs']) {
          this.each(config, key, path, (entry, p) => {
            const cla = this.object(entry, 'endpoint_config', p);
            const read = cla && readLoadAssignment(cla.value, cla.path, ctx);
            if (read) this.summary.endpoints.push(read);
          });
        }
        break;
      }
      case 'EcdsConfigDump': {
        const ctx = { file: this.file, locate: this.locate, diagnostics: this.diagnostics };
        this.each(config, 'ecds_filters', path, (entry, p) => {
          const read = readEcdsFilter(entry, p, ctx);
          if (read) this.summary.ecdsFilters.push(read);
        });
        break;
      }
      default:
        // ScopedRoutesConfigDump and the like: nothing rules need.
        break;
    }
  }

  private readBootstrap(dump: Rec, path: string): void {
    const bootstrap = this.object(dump, 'bootstrap', path);
    if (!bootstrap || this.summary.node) return;
    const node = this.object(bootstrap.value, 'node', bootstrap.path);
    if (!node) return;
    const id = str(node.value, 'id');
    const metadata = rec(node.value, 'metadata');
    const version = metadata ? metadata['ISTIO_VERSION'] : undefined;
    if (id === undefined && typeof version !== 'string') return;
    this.summary.node = { ...parseNodeId(id ?? ''), ...(typeof version === 'string' ? { istioVersion: version } : {}) };
  }

  private readClusters(dump: Rec, path: string): void {
    const seen = new Set<string>();
    const visit = (entry: Rec, p: string, warming: boolean) => {
      const c = this.object(entry, 'cluster', p);
      if (!c) return;
      const name = str(c.value, 'name');
      if (name === undefined) {
        this.diag(c.path, 'cluster without a name; skipped');
        return;
      }
      // A warming cluster that is also active is the next version of it: the active one serves.
      if (warming && seen.has(name)) return;
      seen.add(name);
      this.summary.clusters.push({ name, type: clusterType(c.value), source: this.source(c.path, name) });
    };
    this.each(dump, 'static_clusters', path, (e, p) => visit(e, p, false));
    this.each(dump, 'dynamic_active_clusters', path, (e, p) => visit(e, p, false));
    this.each(dump, 'dynamic_warming_clusters', path, (e, p) => visit(e, p, true));
  }

  private readListeners(dump: Rec, path: string): void {
    this.each(dump, 'static_listeners', path, (entry, p) => {
      const l = this.object(entry, 'listener', p);
      if (l) this.readListener(l.value, l.path);
    });
    this.each(dump, 'dynamic_listeners', path, (entry, p) => {
      // The state that serves: active, else the one being warmed (or drained).
      for (const state of ['active_state', 'warming_state', 'draining_state']) {
        const s = this.object(entry, state, p);
        if (!s) continue;
        const l = this.object(s.value, 'listener', s.path);
        if (!l) continue;
        this.locate.skip(str(entry, 'name'));
        this.readListener(l.value, l.path);
        return;
      }
    });
  }

  private readListener(listener: Rec, path: string): void {
    // Istio's bootstrap listeners (15021, 15090) have no name: kept with an empty one.
    const name = str(listener, 'name') ?? '';
    const out: EnvoyListener = { name, filterChains: [], source: this.source(path, name) };
    const address = listenerAddress(listener);
    if (address !== undefined) out.address = address;
    this.each(listener, 'filter_chains', path, (chain, p) => out.filterChains.push(this.readChain(chain, p)));
    const dfc = this.object(listener, 'default_filter_chain', path);
    if (dfc) out.filterChains.push(this.readChain(dfc.value, dfc.path));
    this.summary.listeners.push(out);
  }

  private readChain(chain: Rec, path: string): EnvoyFilterChain {
    const filters: string[] = [];
    const rbac = new Set<string>();
    let rds: string | undefined;
    let routeConfig: EnvoyRouteConfig | undefined;
    // Filters come before the chain's name in Envoy's output: read them first, for the line pass.
    this.each(chain, 'filters', path, (filter, p) => {
      const fname = str(filter, 'name');
      if (fname === undefined) {
        this.diag(p, 'filter without a name; skipped');
        return;
      }
      filters.push(fname);
      const tc = this.object(filter, 'typed_config', p);
      if (!tc) return;
      if (fname === NETWORK_RBAC) {
        addPolicies(tc.value, rbac);
      } else if (fname === HCM) {
        const rdsName = str(rec(tc.value, 'rds') ?? {}, 'route_config_name');
        if (rdsName !== undefined) rds = rdsName;
        const rc = this.object(tc.value, 'route_config', tc.path);
        if (rc) routeConfig = this.readRouteConfig(rc.value, rc.path);
        this.each(tc.value, 'http_filters', tc.path, (hf, hp) => {
          const hname = str(hf, 'name');
          if (hname === undefined) {
            this.diag(hp, 'HTTP filter without a name; skipped');
            return;
          }
          filters.push(hname);
          if (hname === HTTP_RBAC) {
            const htc = this.object(hf, 'typed_config', hp);
            if (htc) addPolicies(htc.value, rbac);
          }
        });
      }
    });
    const name = str(chain, 'name') ?? '';
    const out: EnvoyFilterChain = { name, filters, rbacPolicies: [...rbac], source: this.source(path, name) };
    if (rds !== undefined) out.rdsRouteConfig = rds;
    if (routeConfig) out.routeConfig = routeConfig;
    return out;
  }

  private readRouteConfig(rc: Rec, path: string): EnvoyRouteConfig {
    const name = str(rc, 'name') ?? '';
    const out: EnvoyRouteConfig = { name, virtualHosts: [], source: this.source(path, name) };
    this.each(rc, 'virtual_hosts', path, (vh, p) => {
      const vname = str(vh, 'name') ?? '';
      this.locate.skip(vname);
      const domains: string[] = [];
      const dl = this.list(vh, 'domains', p);
      if (dl) for (const d of dl.items) if (typeof d === 'string') domains.push(d);
      const routes: string[] = [];
      this.each(vh, 'routes', p, (r) => {
        const rname = str(r, 'name');
        this.locate.skip(rname);
        routes.push(rname === undefined || rname === '' ? '-' : rname);
      });
      out.virtualHosts.push({ name: vname, domains, routes });
    });
    return out;
  }

  private readRoutes(dump: Rec, path: string): void {
    const visit = (entry: Rec, p: string) => {
      const rc = this.object(entry, 'route_config', p);
      if (rc) this.summary.routeConfigs.push(this.readRouteConfig(rc.value, rc.path));
    };
    this.each(dump, 'static_route_configs', path, visit);
    this.each(dump, 'dynamic_route_configs', path, visit);
  }

  private readSecrets(dump: Rec, path: string): void {
    const seen = new Set<string>();
    const visit = (entry: Rec, p: string, warming: boolean) => {
      const secret = this.object(entry, 'secret', p);
      const name = str(entry, 'name') ?? (secret ? str(secret.value, 'name') : undefined);
      if (name === undefined) {
        this.diag(p, 'secret without a name; skipped');
        return;
      }
      if (warming && seen.has(name)) return;
      seen.add(name);
      const out: EnvoyConfigSummary['secrets'][number] = { name, source: this.source(p, name) };
      if (secret) {
        this.locate.skip(str(secret.value, 'name'));
        const cert = this.certificate(secret.value, secret.path, name);
        if (cert) Object.assign(out, cert);
      }
      this.summary.secrets.push(out);
    };
    this.each(dump, 'static_secrets', path, (e, p) => visit(e, p, false));
    this.each(dump, 'dynamic_active_secrets', path, (e, p) => visit(e, p, false));
    this.each(dump, 'dynamic_warming_secrets', path, (e, p) => visit(e, p, true));
  }

  /** Validity and serial of a secret's certificate chain (or root CA), read and then dropped. */
  private certificate(secret: Rec, path: string, name: string): { validFrom: string; expires: string; serial: string } | undefined {
    const tls = rec(secret, 'tls_certificate');
    const vc = rec(secret, 'validation_context');
    const source = tls ? rec(tls, 'certificate_chain') : vc ? rec(vc, 'trusted_ca') : undefined;
    if (!source) return undefined;
    const bytes = str(source, 'inline_bytes');
    const pem = str(source, 'inline_string');
    let data: Buffer;
    if (bytes !== undefined && bytes !== '') data = Buffer.from(bytes, 'base64');
    else if (pem !== undefined && pem !== '') data = Buffer.from(pem, 'utf8');
    else return undefined; // `filename`, SDS or empty: nothing inline to read
    try {
      const x509 = new X509Certificate(data);
      return { validFrom: isoDate(x509.validFrom), expires: isoDate(x509.validTo), serial: x509.serialNumber };
    } catch (err) {
      this.diag(path, `certificate of secret "${name}" could not be read (${(err as Error).message})`);
      return undefined;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Small readers.

/** `router~10.244.1.5~waypoint-6f7b-6hppr.default~default.svc.cluster.local`. */
function parseNodeId(id: string): NonNullable<EnvoyConfigSummary['node']> {
  const parts = id.split('~');
  if (parts.length < 4) return { id };
  const node: NonNullable<EnvoyConfigSummary['node']> = { id };
  if (parts[0]) node.type = parts[0];
  const podNs = parts[2] ?? '';
  const dot = podNs.lastIndexOf('.');
  if (dot > 0) {
    node.pod = podNs.slice(0, dot);
    node.namespace = podNs.slice(dot + 1);
  } else if (podNs) {
    node.pod = podNs;
    const domainNs = (parts[3] ?? '').split('.')[0];
    if (domainNs) node.namespace = domainNs;
  }
  return node;
}

function clusterType(cluster: Rec): string {
  const type = str(cluster, 'type');
  if (type !== undefined) return type;
  if (field(cluster, 'eds_cluster_config') !== undefined) return 'EDS';
  const custom = rec(cluster, 'cluster_type');
  const customName = custom ? str(custom, 'name') : undefined;
  // protojson leaves out the default enum value, STATIC.
  return customName ?? 'STATIC';
}

function listenerAddress(listener: Rec): string | undefined {
  const address = rec(listener, 'address');
  if (address) {
    const sock = rec(address, 'socket_address');
    if (sock) {
      const ip = str(sock, 'address') ?? '';
      const host = ip.includes(':') ? `[${ip}]` : ip;
      const port = field(sock, 'port_value') ?? field(sock, 'named_port');
      // protojson leaves out a zero port.
      return `${host}:${typeof port === 'number' || typeof port === 'string' ? port : 0}`;
    }
    const internal = rec(address, 'envoy_internal_address');
    const server = internal ? str(internal, 'server_listener_name') : undefined;
    if (server !== undefined) return server;
    const pipe = rec(address, 'pipe');
    const pipePath = pipe ? str(pipe, 'path') : undefined;
    if (pipePath !== undefined) return pipePath;
  }
  // An internal listener (`main_internal`, `connect_originate`) is addressed by its name.
  if (field(listener, 'internal_listener') !== undefined) return str(listener, 'name');
  return undefined;
}

/** Adds the keys of `rules.policies` and `shadow_rules.policies` of an RBAC filter config. */
function addPolicies(config: Rec, into: Set<string>): void {
  for (const key of ['rules', 'shadow_rules']) {
    const rules = rec(config, key);
    const policies = rules ? rec(rules, 'policies') : undefined;
    if (policies) for (const p of Object.keys(policies)) into.add(p);
  }
}

/** `May 15 01:30:52 2023 GMT` -> `2023-05-15T01:30:52Z`; unparsable dates are kept as printed. */
function isoDate(openssl: string): string {
  const d = new Date(openssl);
  return Number.isNaN(d.getTime()) ? openssl : d.toISOString().replace('.000Z', 'Z');
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `the string "${v.length > 40 ? `${v.slice(0, 37)}...` : v}"`;
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

/** `{"bootstrap": {"node": ...}}`: what `istioctl proxy-config bootstrap -o json` prints. */
function isBareBootstrap(json: Rec): boolean {
  const bootstrap = field(json, 'bootstrap');
  if (!isRecord(bootstrap) || !isRecord(field(bootstrap, 'node'))) return false;
  return Object.keys(json).every((k) => k === 'bootstrap' || k === 'last_updated' || k === 'lastUpdated');
}

function isConfigDump(json: unknown): boolean {
  if (!isRecord(json)) return false;
  const configs = json['configs'];
  if (Array.isArray(configs)) {
    return configs.some((c) => isRecord(c) && typeof c['@type'] === 'string' && c['@type'].startsWith(ADMIN_TYPE_PREFIX));
  }
  return isBareBootstrap(json);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function describeSummary(s: EnvoyConfigSummary, bootstrapOnly: boolean): string {
  const node = s.node;
  const who = node?.pod ? `${node.pod}${node.namespace ? `.${node.namespace}` : ''}` : node?.id || undefined;
  const head = who ? `proxy ${who}${node?.type ? ` (${node.type})` : ''}` : 'Envoy config dump';
  if (bootstrapOnly) return `${who ? head : 'Envoy'} bootstrap only${node?.istioVersion ? `, Istio ${node.istioVersion}` : ''}`;
  const counts = [
    plural(s.listeners.length, 'listener'),
    plural(s.clusters.length, 'cluster'),
    plural(s.routeConfigs.length, 'route config'),
    plural(s.secrets.length, 'secret'),
    ...(s.endpoints.length ? [`endpoints of ${plural(s.endpoints.length, 'cluster')}`] : []),
    ...(s.ecdsFilters.length ? [plural(s.ecdsFilters.length, 'ECDS filter')] : []),
  ];
  return `${head}: ${counts.join(', ')}`;
}

export const envoyConfigDumpParser: FileParser = {
  kind: 'envoy-config-dump',
  detect: ({ json }) => (json !== undefined && isConfigDump(json) ? 0 : -1),
  parse(input: ParseInput): ParseResult {
    const reader = new DumpReader(input);
    reader.readDocument(input.json);
    const bootstrapOnly = isRecord(input.json) && !Array.isArray(input.json['configs']) && isBareBootstrap(input.json);
    return {
      records: { envoyConfigs: [reader.summary] },
      diagnostics: reader.diagnostics,
      summary: describeSummary(reader.summary, bootstrapOnly),
    };
  },
};
