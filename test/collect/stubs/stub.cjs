'use strict';
/**
 * Stand-ins for `kubectl` and `istioctl` (Istio 1.28.1 on k3s) for the waypoint-collect tests. They answer, in
 * the real output formats, from the bookinfo-broken sample (samples/bookinfo-broken/, read at run time) and from
 * what can be derived from it (tables, dumps, logs). `kubectl` and `istioctl` beside this file are sh wrappers
 * that `exec` node on this file, so the pid the caller sees is this process.
 *
 * Environment:
 *   STUB_LOG                 append one JSON line {tool, argv, pid, at, ...} per invocation, and {pid, end} at its exit
 *   STUB_HANG=<substring>    when the joined argv contains it: hang (SIGTERM ends it, SIGINT is ignored as a
 *                            Go program started by a non-interactive shell's `&` ignores it)
 *   STUB_HANG_SECONDS        how long a hang lasts at most (default 300)
 *   STUB_FAIL=<substring>    when the joined argv contains it: an error on stderr, exit 1
 *   STUB_NO_ZTUNNEL_CONFIG=1 istioctl has no ztunnel-config (before 1.22)
 *   STUB_SECRETS=1           plant a private key (PEM and base64), bearer tokens and a JWT; see SECRETS
 *   STUB_SAMPLE              sample folder (default: samples/bookinfo-broken of this repository)
 *   STUB_CLUSTER=big         answer as a generated cluster of 20,000 pods, 5,000 Services, 200 waypoints and 182
 *                            nodes instead (big-cluster.cjs, whose STUB_BIG_* variables size it)
 *   STUB_LATENCY=<s>|<a>-<b> each call answers after this many seconds (a range: a deterministic spread over it,
 *                            by argv), as a real API server and port-forward would
 *   STUB_LATENCY_PER_MB=<s>  and this much more per megabyte it prints (for ztunnel-config: per megabyte of the
 *                            config dump every call fetches whole, whatever it prints)
 *
 * Write verbs are never answered: they are logged with `write: true` and exit 3.
 */
const fs = require('node:fs');
const path = require('node:path');
const yaml = require('js-yaml');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SAMPLE = process.env.STUB_SAMPLE || path.join(ROOT, 'samples', 'bookinfo-broken');
const CONTEXT = 'k3d-bookinfo';
const ISTIO_VERSION = '1.28.1';
const ISTIOD_POD = 'istiod-4t2pzj6kmp-22rfj';
const BIG = process.env.STUB_CLUSTER === 'big' ? require('./big-cluster.cjs') : null;

// ---------------------------------------------------------------------------------------------------------------
// Planted secrets (STUB_SECRETS=1): each one a unique marker that the tests grep for after collection.

const b64url = (s) => Buffer.from(s).toString('base64url');
// The PEM armour is assembled so that secret scanners do not flag this file as holding a key.
const KEY_LABEL = ['PRIVATE', 'KEY'].join(' ');
const fakePem = (marker) =>
  `-----BEGIN ${KEY_LABEL}-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg${marker}\n` +
  `oUQDQgAEy3G56HQqwuizKGTt4qsDz6/JEda+NOyUqD3B2LbHbQ5FS/IrLevlNOplbP/RGta67\n-----END ${KEY_LABEL}-----\n`;
const PEM_INLINE = fakePem('WPSTUBPEMINLINEMARKER01');
const PEM_BYTES_PLAIN = fakePem('WPSTUBPEMBYTESMARKER02');
const JWT =
  `${b64url('{"alg":"RS256","kid":"wpstub","typ":"JWT"}')}.` +
  `${b64url('{"iss":"https://auth.example.com","sub":"WPSTUBJWTSUBJECTMARKER03","aud":"bookinfo","exp":4102444800}')}.` +
  'c2lnbmF0dXJlLVdQU1RVQkpXVFNJR05BVFVSRU1BUktFUjAz';
const SECRETS = {
  pemInline: PEM_INLINE,
  pemBytes: Buffer.from(PEM_BYTES_PLAIN).toString('base64'),
  /** In Envoy's debug dump of request headers: `'authorization', 'Bearer <token>'`. */
  bearerHeaderDump: 'wpstub-opaque-token-MARKER04',
  /** A plain `authorization: Bearer <token>` line. */
  bearerPlain: 'wpstubOpaqueTokenMARKER05',
  jwt: JWT,
  /** In a VirtualService that sets an Authorization header (kubectl -o json). */
  bearerInVirtualService: 'wpstub-vs-token-MARKER06',
};
const SECRETS_ON = process.env.STUB_SECRETS === '1';

// ---------------------------------------------------------------------------------------------------------------
// Invocation bookkeeping

const [tool, ...argv] = process.argv.slice(2);
const joined = argv.join(' ');

/** One line per invocation when it starts (`at`, ms since the epoch), and a line {pid, end} when it exits. */
function log(extra) {
  const file = process.env.STUB_LOG;
  if (!file) return;
  fs.appendFileSync(file, JSON.stringify({ tool, argv, pid: process.pid, at: Date.now(), ...extra }) + '\n');
  process.on('exit', () => fs.appendFileSync(file, JSON.stringify({ pid: process.pid, end: Date.now() }) + '\n'));
}

// With STUB_LATENCY / STUB_LATENCY_PER_MB the output is held and written after the delay (see answerLater).
const LATENCY = (() => {
  const m = /^([\d.]+)(?:-([\d.]+))?$/.exec(process.env.STUB_LATENCY || '');
  return m ? [Number(m[1]), Number(m[2] ?? m[1])] : undefined;
})();
const PER_MB = Number(process.env.STUB_LATENCY_PER_MB || 0) || 0;
const held = LATENCY || PER_MB ? [] : undefined;
/** Bytes the call moves besides what it prints (a ztunnel's whole config dump), for the latency. */
let movedBytes = 0;

/** Writes all of it, waiting while a pipe or FIFO is full (fd 1 may be non-blocking). */
function writeAll(fd, text) {
  const buf = Buffer.from(text);
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(fd, buf, off, buf.length - off);
    } catch (err) {
      if (err.code !== 'EAGAIN') throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}

function out(text) {
  if (held) held.push(text);
  else writeAll(1, text);
}

function answerLater() {
  if (!held) return;
  const bytes = held.reduce((n, t) => n + Buffer.byteLength(t), 0);
  let h = 2166136261;
  for (let i = 0; i < joined.length; i++) h = Math.imul(h ^ joined.charCodeAt(i), 16777619) >>> 0;
  const [lo, hi] = LATENCY || [0, 0];
  const seconds = lo + (hi - lo) * (h / 4294967296) + (PER_MB * Math.max(bytes, movedBytes)) / 1e6;
  setTimeout(() => {
    for (const t of held) writeAll(1, t);
  }, seconds * 1000);
}

function fail(message, code = 1) {
  fs.writeSync(2, message.endsWith('\n') ? message : message + '\n');
  process.exit(code);
}

function write(verb) {
  log({ write: true, verb });
  fail(`stub ${tool}: refusing write verb '${verb}'`, 3);
}

/** Logs this invocation once, then hangs or fails when STUB_HANG / STUB_FAIL say so (true: hanging). */
function start(extra = {}) {
  const hang = process.env.STUB_HANG;
  const failWith = process.env.STUB_FAIL;
  if (hang && joined.includes(hang)) {
    log({ ...extra, hang: true });
    process.on('SIGINT', () => {});
    process.on('SIGTERM', () => process.exit(143));
    setTimeout(() => process.exit(0), Number(process.env.STUB_HANG_SECONDS || 300) * 1000);
    return true;
  }
  if (failWith && joined.includes(failWith)) {
    log({ ...extra, fail: true });
    fail(`Error: stub failure injected for "${failWith}": the server is currently unable to handle the request`);
  }
  log(extra);
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// The sample cluster

function readJson(rel) {
  return JSON.parse(fs.readFileSync(path.join(SAMPLE, rel), 'utf8'));
}
function readYaml(rel) {
  return yaml.load(fs.readFileSync(path.join(SAMPLE, rel), 'utf8'), { schema: yaml.CORE_SCHEMA });
}
function readText(rel) {
  return fs.readFileSync(path.join(SAMPLE, rel), 'utf8');
}

let cache;
function cluster() {
  if (cache) return cache;
  if (BIG) {
    let pods;
    cache = {
      get pods() {
        return (pods ??= BIG.pods());
      },
      services: BIG.services(),
      namespaces: BIG.namespaces(),
      gateways: BIG.gateways(),
      gatewayclasses: readYaml('kubectl/gatewayclasses.yaml').items,
    };
    return cache;
  }
  const pods = readJson('kubectl/pods.json').items;
  const services = readJson('kubectl/services.json').items;
  const namespaces = readYaml('kubectl/namespaces.yaml').items;
  const gateways = readYaml('kubectl/gateways.yaml').items;
  const gatewayclasses = readYaml('kubectl/gatewayclasses.yaml').items;
  cache = { pods, services, namespaces, gateways, gatewayclasses };
  return cache;
}

const podByName = (ns, name) => (BIG ? BIG.podByName(ns, name) : cluster().pods.find((p) => p.metadata.namespace === ns && p.metadata.name === name));
const isZtunnel = (p) => p.metadata.labels && p.metadata.labels.app === 'ztunnel';
const isWaypoint = (p) => p.metadata.labels && p.metadata.labels['gateway.istio.io/managed'] === 'istio.io-mesh-controller';

function kubeList(items) {
  return { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } };
}

/** kubectl prints JSON with 4-space indentation. */
function kubeJson(value) {
  return JSON.stringify(value, null, 4) + '\n';
}

function istiodDeployment() {
  const pod = podByName('istio-system', ISTIOD_POD);
  const labels = { ...pod.metadata.labels };
  delete labels['pod-template-hash'];
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      annotations: { 'deployment.kubernetes.io/revision': '2', 'meta.helm.sh/release-name': 'istiod', 'meta.helm.sh/release-namespace': 'istio-system' },
      creationTimestamp: '2025-10-14T09:05:40Z',
      generation: 2,
      labels,
      name: 'istiod',
      namespace: 'istio-system',
      resourceVersion: '7419201',
      uid: '0c5d0c8e-33f4-4b7e-8f0e-6f1d1a2c3b4d',
    },
    spec: {
      progressDeadlineSeconds: 600,
      replicas: 1,
      revisionHistoryLimit: 10,
      selector: { matchLabels: { istio: 'pilot' } },
      strategy: { rollingUpdate: { maxSurge: '100%', maxUnavailable: '25%' }, type: 'RollingUpdate' },
      template: { metadata: { labels }, spec: pod.spec },
    },
    status: {
      availableReplicas: 1,
      conditions: [
        { lastTransitionTime: '2025-10-14T09:05:52Z', lastUpdateTime: '2025-10-14T09:05:52Z', message: 'Deployment has minimum availability.', reason: 'MinimumReplicasAvailable', status: 'True', type: 'Available' },
      ],
      observedGeneration: 2,
      readyReplicas: 1,
      replicas: 1,
      updatedReplicas: 1,
    },
  };
}

function istioConfigMap() {
  const mesh = [
    'accessLogFile: /dev/stdout',
    'defaultConfig:',
    '  discoveryAddress: istiod.istio-system.svc:15012',
    '  image:',
    '    imageType: distroless',
    'defaultProviders:',
    '  metrics:',
    '  - prometheus',
    'enablePrometheusMerge: true',
    'rootNamespace: istio-system',
    'trustDomain: cluster.local',
    '',
  ].join('\n');
  return {
    apiVersion: 'v1',
    data: { mesh, meshNetworks: 'networks: {}' },
    kind: 'ConfigMap',
    metadata: {
      annotations: { 'meta.helm.sh/release-name': 'istiod', 'meta.helm.sh/release-namespace': 'istio-system' },
      creationTimestamp: '2025-10-14T09:05:39Z',
      labels: { app: 'istiod', 'app.kubernetes.io/managed-by': 'Helm', 'install.operator.istio.io/owning-resource': 'unknown', istio: 'istiod', 'istio.io/rev': 'default', 'operator.istio.io/component': 'Pilot', release: 'istiod' },
      name: 'istio',
      namespace: 'istio-system',
      resourceVersion: '7419188',
      uid: '5f0b3a52-8d0e-4c55-9a0e-2f7d8b9c1e11',
    },
  };
}

/** The Gateway API standard channel (v1.3.0), as the ambient getting-started guide installs it. */
const GATEWAY_API_CRDS = {
  'gatewayclasses.gateway.networking.k8s.io': ['GatewayClass', 'gatewayclasses', 'Cluster'],
  'gateways.gateway.networking.k8s.io': ['Gateway', 'gateways', 'Namespaced'],
  'httproutes.gateway.networking.k8s.io': ['HTTPRoute', 'httproutes', 'Namespaced'],
  'grpcroutes.gateway.networking.k8s.io': ['GRPCRoute', 'grpcroutes', 'Namespaced'],
  'referencegrants.gateway.networking.k8s.io': ['ReferenceGrant', 'referencegrants', 'Namespaced'],
};

function crd(name) {
  const [kind, plural, scope] = GATEWAY_API_CRDS[name];
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      annotations: {
        'api-approved.kubernetes.io': 'https://github.com/kubernetes-sigs/gateway-api/pull/3328',
        'gateway.networking.k8s.io/bundle-version': 'v1.3.0',
        'gateway.networking.k8s.io/channel': 'standard',
      },
      creationTimestamp: '2025-10-14T09:03:02Z',
      generation: 1,
      name,
      resourceVersion: '712',
      uid: `7b1c${plural.length}e2a-0d4f-4a8e-9c61-3e5f7a9b1c2d`,
    },
    spec: {
      group: 'gateway.networking.k8s.io',
      names: { categories: ['gateway-api'], kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
      scope,
      versions: [{ name: 'v1', schema: { openAPIV3Schema: { type: 'object' } }, served: true, storage: true, subresources: { status: {} } }],
    },
    status: {
      acceptedNames: { categories: ['gateway-api'], kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
      conditions: [{ lastTransitionTime: '2025-10-14T09:03:02Z', message: 'no conflicts found', reason: 'NoConflicts', status: 'True', type: 'NamesAccepted' }],
      storedVersions: ['v1'],
    },
  };
}

function plantedVirtualServices() {
  if (!SECRETS_ON) return [];
  return [{
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { creationTimestamp: '2025-10-14T10:02:11Z', generation: 1, name: 'reviews-upstream-auth', namespace: 'default', resourceVersion: '7420001', uid: '3a9d6c1e-2b7f-4e80-a1d2-6c5b4e3f2a10' },
    spec: {
      hosts: ['reviews'],
      http: [{ headers: { request: { set: { authorization: `Bearer ${SECRETS.bearerInVirtualService}` } } }, route: [{ destination: { host: 'reviews' } }] }],
    },
  }];
}

// Resource names kubectl knows on this cluster: canonical plural -> [names accepted, namespaced, items(ns)], ns
// undefined for all namespaces (items may hold more than asked: kubectlGet filters).
const bigOr = (big, small) => (ns) => (BIG ? big(ns) ?? small(ns) : small(ns));
const RESOURCES = [
  [['namespaces', 'namespace', 'ns'], false, () => cluster().namespaces],
  [['pods', 'pod', 'po'], true, bigOr((ns) => BIG.pods(ns), () => cluster().pods)],
  [['services', 'service', 'svc'], true, bigOr((ns) => BIG.services(ns), () => cluster().services)],
  [['gateways.gateway.networking.k8s.io', 'gateways', 'gateway', 'gtw'], true, () => cluster().gateways],
  [['gatewayclasses.gateway.networking.k8s.io', 'gatewayclasses', 'gatewayclass', 'gc'], false, () => cluster().gatewayclasses],
  [['configmaps', 'configmap', 'cm'], true, () => [istioConfigMap()]],
  [['deployments', 'deployment', 'deploy', 'deployments.apps'], true, bigOr((ns) => (ns === undefined ? [istiodDeployment(), ...BIG.deployments()] : BIG.deployments(ns)), () => [istiodDeployment()])],
  ...(BIG
    ? [
        [['endpointslices.discovery.k8s.io', 'endpointslices', 'endpointslice'], true, (ns) => BIG.endpointSlices(ns)],
        [['events', 'event', 'ev'], true, (ns) => BIG.events(ns)],
        [['authorizationpolicies.security.istio.io', 'authorizationpolicies', 'authorizationpolicy', 'ap'], true, (ns) => BIG.authorizationPolicies(ns)],
      ]
    : []),
  [['customresourcedefinitions', 'customresourcedefinition', 'crd', 'crds'], false, () => Object.keys(GATEWAY_API_CRDS).map(crd)],
  [['virtualservices.networking.istio.io', 'virtualservices', 'virtualservice', 'vs'], true, plantedVirtualServices],
  // Installed, and empty on this cluster.
  ...[
    'httproutes.gateway.networking.k8s.io', 'grpcroutes.gateway.networking.k8s.io', 'referencegrants.gateway.networking.k8s.io',
    'authorizationpolicies.security.istio.io', 'requestauthentications.security.istio.io', 'peerauthentications.security.istio.io',
    'serviceentries.networking.istio.io', 'workloadentries.networking.istio.io', 'destinationrules.networking.istio.io',
    'telemetries.telemetry.istio.io', 'wasmplugins.extensions.istio.io', 'envoyfilters.networking.istio.io',
    'sidecars.networking.istio.io', 'gateways.networking.istio.io', 'workloadgroups.networking.istio.io',
    'endpointslices.discovery.k8s.io', 'events', 'endpoints', 'replicasets.apps', 'daemonsets.apps', 'statefulsets.apps',
    'serviceaccounts', 'nodes', 'secrets',
  ].map((full) => {
    const plural = full.split('.')[0];
    const cluster = plural === 'nodes';
    return [[full, plural, plural.replace(/s$/, '')], !cluster, () => []];
  }),
];
// tcproutes/tlsroutes/udproutes are Gateway API experimental channel: not installed on this cluster.

function findResource(name) {
  const n = name.toLowerCase();
  return RESOURCES.find(([names]) => names.includes(n));
}

// ---------------------------------------------------------------------------------------------------------------
// Argument parsing (kubectl and istioctl share the flag shapes used here)

/** Splits argv into positionals and flags; `valued` lists the flags that take a value. */
function parseArgs(args, valued, aliases) {
  const flags = {};
  const positional = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      let name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      name = aliases[name] || name;
      if (eq > 0) flags[name] = a.slice(eq + 1);
      else if (valued.has(name)) {
        if (i + 1 >= args.length) fail(`error: flag needs an argument: --${name}`);
        flags[name] = args[++i];
      } else flags[name] = true;
    } else if (a.startsWith('-') && a.length > 1) {
      const letter = a[1];
      const name = aliases[letter];
      if (!name) return { error: `unknown shorthand flag: '${letter}' in ${a}`, flags, positional };
      if (valued.has(name)) {
        if (a.length > 2) flags[name] = a.slice(a[2] === '=' ? 3 : 2);
        else {
          if (i + 1 >= args.length) fail(`error: flag needs an argument: '${letter}' in -${letter}`);
          flags[name] = args[++i];
        }
      } else flags[name] = true;
    } else positional.push(a);
  }
  return { flags, positional };
}

// ---------------------------------------------------------------------------------------------------------------
// Label selectors and JSONPath (the subset kubectl implements that collectors use)

function matchesSelector(obj, selector) {
  const labels = (obj.metadata && obj.metadata.labels) || {};
  for (const raw of selector.split(',')) {
    const req = raw.trim();
    if (!req) continue;
    let m;
    if ((m = /^([^!=]+)!=(.*)$/.exec(req))) {
      if (labels[m[1]] === m[2]) return false;
    } else if ((m = /^([^!=]+)==?(.*)$/.exec(req))) {
      if (labels[m[1]] !== m[2]) return false;
    } else if ((m = /^!(.+)$/.exec(req))) {
      if (m[1] in labels) return false;
    } else if (!(req in labels)) return false;
  }
  return true;
}

/** Splits `{...}` actions from literal text; `\{` is not needed by the collectors, so not handled. */
function jsonpathTokens(template) {
  const tokens = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) {
      tokens.push({ text: template.slice(i) });
      break;
    }
    if (open > i) tokens.push({ text: template.slice(i, open) });
    // The action ends at the first `}` outside a quoted string.
    let j = open + 1;
    let quote = null;
    for (; j < template.length; j++) {
      const c = template[j];
      if (quote) {
        if (c === '\\') j++;
        else if (c === quote) quote = null;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '}') break;
    }
    if (j >= template.length) throw new Error(`unclosed action`);
    tokens.push({ action: template.slice(open + 1, j).trim() });
    i = j + 1;
  }
  return tokens;
}

/** `.a.b\.c[0][*][?(@.x=="y")]` -> steps. */
function parsePath(expr) {
  const steps = [];
  let i = 0;
  if (expr === '@' || expr === '$') return steps;
  if (expr[0] === '@' || expr[0] === '$') i = 1;
  while (i < expr.length) {
    const c = expr[i];
    if (c === '.') {
      i++;
      let name = '';
      while (i < expr.length && expr[i] !== '.' && expr[i] !== '[') {
        if (expr[i] === '\\' && i + 1 < expr.length) {
          name += expr[i + 1];
          i += 2;
        } else name += expr[i++];
      }
      if (name) steps.push({ field: name });
    } else if (c === '[') {
      const end = matchingBracket(expr, i);
      const inner = expr.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === '*') steps.push({ all: true });
      else if (/^-?\d+$/.test(inner)) steps.push({ index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ field: inner.slice(1, -1) });
      else if (inner.startsWith('?(') && inner.endsWith(')')) steps.push({ filter: parseFilter(inner.slice(2, -1)) });
      else throw new Error(`unsupported subscript [${inner}]`);
    } else throw new Error(`unrecognized character in action: ${expr.slice(i)}`);
  }
  return steps;
}

function matchingBracket(expr, start) {
  let depth = 0;
  let quote = null;
  for (let i = start; i < expr.length; i++) {
    const c = expr[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']' && --depth === 0) return i;
  }
  throw new Error(`unterminated [ in ${expr}`);
}

function parseFilter(text) {
  const m = /^\s*(@[^=!<>\s]*)\s*(==|!=)\s*(.+?)\s*$/.exec(text);
  if (!m) return { exists: parsePath(text.trim()) };
  const literal = m[3];
  const value = /^".*"$|^'.*'$/.test(literal) ? literal.slice(1, -1) : Number(literal);
  return { path: parsePath(m[1]), op: m[2], value };
}

function evalPath(nodes, steps) {
  let current = nodes;
  for (const step of steps) {
    const next = [];
    for (const node of current) {
      if (node === null || node === undefined) continue;
      if (step.field !== undefined) {
        if (typeof node === 'object' && !Array.isArray(node) && step.field in node) next.push(node[step.field]);
      } else if (step.index !== undefined) {
        if (Array.isArray(node)) {
          const v = node[step.index < 0 ? node.length + step.index : step.index];
          if (v !== undefined) next.push(v);
        }
      } else if (step.all) {
        if (Array.isArray(node)) next.push(...node);
        else if (typeof node === 'object') next.push(...Object.values(node));
      } else if (step.filter) {
        const items = Array.isArray(node) ? node : [node];
        for (const item of items) {
          const f = step.filter;
          if (f.exists) {
            if (evalPath([item], f.exists).length > 0) next.push(item);
            continue;
          }
          const got = evalPath([item], f.path);
          const hit = got.some((v) => v === f.value || String(v) === String(f.value));
          if (f.op === '==' ? hit : !hit) next.push(item);
        }
      }
    }
    current = next;
  }
  return current;
}

function printValue(v) {
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return String(v);
}

/** Go-style string literal: `"\n"`, `" "`. */
function unquote(literal) {
  try {
    return JSON.parse(literal[0] === "'" ? `"${literal.slice(1, -1)}"` : literal);
  } catch {
    return literal.slice(1, -1);
  }
}

function jsonpath(template, root) {
  const tokens = jsonpathTokens(template);
  let pos = 0;
  const render = (node, stopAtEnd) => {
    let text = '';
    while (pos < tokens.length) {
      const t = tokens[pos++];
      if (t.text !== undefined) {
        text += t.text;
        continue;
      }
      const a = t.action;
      if (a === 'end') {
        if (stopAtEnd) return text;
        throw new Error('not in range, nothing to end');
      }
      if (a.startsWith('range ')) {
        const items = evalPath([node], parsePath(a.slice(6).trim()));
        const start = pos;
        if (items.length === 0) {
          // Skip to the matching {end}.
          let depth = 1;
          while (pos < tokens.length && depth > 0) {
            const tk = tokens[pos++];
            if (tk.action && tk.action.startsWith('range ')) depth++;
            else if (tk.action === 'end') depth--;
          }
          continue;
        }
        for (const item of items) {
          pos = start;
          text += render(item, true);
        }
        continue;
      }
      if (/^".*"$|^'.*'$/.test(a)) {
        text += unquote(a);
        continue;
      }
      text += evalPath([node], parsePath(a)).map(printValue).join(' ');
    }
    if (stopAtEnd) throw new Error('range without end');
    return text;
  };
  return render(root, false);
}

function printObject(value, output) {
  if (output === 'json') return out(kubeJson(value));
  if (output === 'yaml') return out(yaml.dump(value, { sortKeys: true, lineWidth: -1 }));
  const m = /^jsonpath=(.*)$/s.exec(output);
  if (m) {
    let text;
    try {
      text = jsonpath(m[1], value);
    } catch (err) {
      fail(`error: error parsing jsonpath ${m[1]}, ${err.message}`);
    }
    return out(text);
  }
  if (output === 'name') {
    const items = value.kind === 'List' ? value.items : [value];
    return out(items.map((o) => `${o.kind.toLowerCase()}/${o.metadata.name}\n`).join(''));
  }
  fail(`error: unable to match a printer suitable for the output format "${output}", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml`);
}

// ---------------------------------------------------------------------------------------------------------------
// Go's text/tabwriter (minwidth 0, tabwidth 8, padding P, padchar ' ', flags 0): the last cell is not padded.

function tabwrite(rows, padding) {
  const widths = [];
  for (const row of rows) row.slice(0, -1).forEach((cell, i) => (widths[i] = Math.max(widths[i] || 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] + padding))).join('')).join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------------------------
// kubectl

const KUBECTL_WRITE_VERBS = new Set([
  'apply', 'create', 'delete', 'patch', 'edit', 'label', 'annotate', 'scale', 'exec', 'cp', 'port-forward', 'replace',
  'rollout', 'set', 'drain', 'cordon', 'uncordon', 'taint', 'run', 'expose', 'autoscale', 'attach', 'debug', 'proxy',
]);
const KUBECTL_VALUED = new Set(['namespace', 'output', 'selector', 'context', 'container', 'since', 'tail', 'kubeconfig', 'field-selector', 'request-timeout']);
const KUBECTL_ALIASES = { n: 'namespace', o: 'output', l: 'selector', c: 'container', A: 'all-namespaces', h: 'help' };

function kubectl() {
  const parsed = parseArgs(argv, KUBECTL_VALUED, KUBECTL_ALIASES);
  if (parsed.error) fail(`error: ${parsed.error}\nSee 'kubectl --help' for usage.`);
  const { flags, positional } = parsed;
  const verb = positional[0];
  if (verb && KUBECTL_WRITE_VERBS.has(verb)) write(verb);
  if (verb === 'config' && !['current-context', 'view', 'get-contexts'].includes(positional[1] || '')) write(`config ${positional[1] || ''}`);
  if (start(verb === 'get' && /^secrets?($|\.)/.test(positional[1] || '') ? { secrets: true } : {})) return;
  if (flags.context !== undefined && flags.context !== CONTEXT) fail(`error: context "${flags.context}" does not exist`);

  switch (verb) {
    case 'version':
      return kubectlVersion(flags);
    case 'config':
      return kubectlConfig(positional[1], flags);
    case 'get':
      return kubectlGet(positional.slice(1), flags);
    case 'logs':
      return kubectlLogs(positional.slice(1), flags);
    case undefined:
      return out('kubectl controls the Kubernetes cluster manager.\n');
    default:
      fail(`error: unknown command "${verb}" for "kubectl"`);
  }
}

function kubectlVersion(flags) {
  const client = { major: '1', minor: '33', gitVersion: 'v1.33.5', gitCommit: '3f8c3a8c9cbcd5f2d9c2bd1d3d1c6bb0bcdc1a8e', gitTreeState: 'clean', buildDate: '2025-09-09T19:44:50Z', goVersion: 'go1.24.6', compiler: 'gc', platform: 'linux/amd64' };
  const server = { major: '1', minor: '33', gitVersion: 'v1.33.4+k3s1', gitCommit: '1c4fbe1ebf4b08b9c1ba8f1a7d2b0de8f2d29f7f', gitTreeState: 'clean', buildDate: '2025-08-26T19:32:11Z', goVersion: 'go1.24.4', compiler: 'gc', platform: 'linux/amd64' };
  if (flags.output === 'json') return out(JSON.stringify({ clientVersion: client, kustomizeVersion: 'v5.6.0', serverVersion: server }, null, 2) + '\n');
  out(`Client Version: ${client.gitVersion}\nKustomize Version: v5.6.0\nServer Version: ${server.gitVersion}\n`);
}

function kubectlConfig(sub, flags) {
  const kubeconfig = {
    kind: 'Config',
    apiVersion: 'v1',
    preferences: {},
    clusters: [{ name: CONTEXT, cluster: { server: 'https://0.0.0.0:42211', 'certificate-authority-data': 'DATA+OMITTED' } }],
    users: [{ name: `admin@${CONTEXT}`, user: { 'client-certificate-data': 'DATA+OMITTED', 'client-key-data': 'DATA+OMITTED' } }],
    contexts: [{ name: CONTEXT, context: { cluster: CONTEXT, user: `admin@${CONTEXT}` } }],
    'current-context': CONTEXT,
  };
  if (sub === 'current-context') return out(`${CONTEXT}\n`);
  if (sub === 'get-contexts') return out(tabwrite([['CURRENT', 'NAME', 'CLUSTER', 'AUTHINFO', 'NAMESPACE'], ['*', CONTEXT, CONTEXT, `admin@${CONTEXT}`, '']], 3));
  // view (--minify makes no difference with one context)
  printObject(kubeconfig, flags.output || 'yaml');
}

function kubectlGet(args, flags) {
  if (args.length === 0) fail('You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of supported resources.');
  let [type, ...names] = args;
  if (type.includes('/')) [type, names] = [type.split('/')[0], [type.split('/')[1]]];
  const resource = findResource(type);
  if (!resource) fail(`error: the server doesn't have a resource type "${type.split('.')[0]}"`);
  const [[plural], namespaced, itemsOf] = resource;
  const ns = flags.namespace || 'default';
  let items = itemsOf(namespaced && !flags['all-namespaces'] ? ns : undefined);
  if (namespaced && !flags['all-namespaces']) items = items.filter((o) => o.metadata.namespace === ns);
  if (flags.selector !== undefined) items = items.filter((o) => matchesSelector(o, flags.selector));
  const output = flags.output;
  if (names.length > 0) {
    const found = [];
    const missing = [];
    for (const name of names) {
      const o = items.find((i) => i.metadata.name === name);
      if (o) found.push(o);
      else missing.push(name);
    }
    const errors = missing.map((n) => `Error from server (NotFound): ${plural.split('.')[0]} "${n}" not found`).join('\n');
    if (found.length === 1 && names.length === 1) printObject(found[0], output || 'json');
    else if (found.length > 0) printObject(kubeList(found), output || 'json');
    if (missing.length) fail(errors);
    return;
  }
  if (!output) {
    if (items.length === 0) {
      fs.writeSync(2, namespaced && !flags['all-namespaces'] ? `No resources found in ${ns} namespace.\n` : 'No resources found\n');
      return;
    }
    return out(tabwrite([['NAME'], ...items.map((o) => [o.metadata.name])], 3));
  }
  printObject(kubeList(items), output);
}

// ---------------------------------------------------------------------------------------------------------------
// Logs, in the formats of Envoy/pilot-agent (waypoints), ztunnel and istiod.

function logTime(minute, second, micro = 0) {
  return `2025-10-14T10:${String(minute).padStart(2, '0')}:${String(second).padStart(2, '0')}.${String(micro).padStart(6, '0')}Z`;
}

function waypointLog(pod) {
  const name = pod.metadata.name;
  const ip = pod.status.podIP;
  const lines = [
    `${logTime(0, 1, 101634)}\tinfo\tFLAG: --concurrency="0"`,
    `${logTime(0, 1, 102011)}\tinfo\tFLAG: --domain="default.svc.cluster.local"`,
    `${logTime(0, 1, 230114)}\tinfo\tVersion 1.28.1-0c2e6d7d9a4fd4a1c7e3b0f5c8d2e9a1b6c4f3e2-Clean`,
    `${logTime(0, 1, 512981)}\tinfo\tProxy role\tips=[${ip}] type=router id=${name}.default domain=default.svc.cluster.local`,
    `${logTime(0, 2, 14876)}\tinfo\txdsproxy\tInitializing with upstream address "istiod.istio-system.svc:15012" and cluster "Kubernetes"`,
    `${logTime(0, 2, 388120)}\tinfo\tcache\tgenerated new workload certificate\tresourceName=default latency=120.6ms ttl=23h59m59.1s`,
    `${logTime(0, 2, 901223)}\tinfo\tads\tADS: new connection for node:1`,
    `${logTime(0, 3, 120554)}\tinfo\tReadiness succeeded in 1.41s`,
    `${logTime(0, 3, 120901)}\tinfo\tEnvoy proxy is ready`,
  ];
  if (name.startsWith('waypoint-')) {
    // The namespace waypoint lost its CDS/EDS push (proxy-status: STALE).
    lines.push(`${logTime(3, 12, 400112)}\twarning\tenvoy config external/envoy/source/extensions/config_subscription/grpc/delta_subscription_state.cc:269\tdelta config for type.googleapis.com/envoy.config.cluster.v3.Cluster rejected: Error adding/updating cluster(s) inbound-vip|9080|http|ratings.default.svc.cluster.local: duplicate cluster name\tthread=14`);
  }
  const target = name.startsWith('reviews-svc') ? ['reviews', '10.43.162.105', '10.42.1.6'] : ['productpage', '10.43.172.254', '10.42.0.11'];
  for (let i = 0; i < 6; i++) {
    lines.push(
      `[${logTime(10 + i, 5 + i).slice(0, 23)}Z] "GET /${target[0] === 'reviews' ? 'reviews/0' : 'productpage'} HTTP/1.1" 200 - via_upstream - "-" 0 ${1800 + i * 7} ${4 + i} ${3 + i} "-" "curl/8.5.0" ` +
        `"6f3c2a1b-9d8e-4f7a-b6c5-${String(100000000000 + i)}" "${target[0]}:9080" "envoy://connect_originate/${target[2]}:9080" ` +
        `inbound-vip|9080|http|${target[0]}.default.svc.cluster.local envoy://internal_client_address/ ${target[1]}:9080 10.42.0.12:${48000 + i} - default`,
    );
  }
  if (SECRETS_ON && name.startsWith('waypoint-')) {
    lines.push(
      `${logTime(20, 1, 554120)}\tdebug\tenvoy http external/envoy/source/common/http/conn_manager_impl.cc:1183\t[Tags: "ConnectionId":"12","StreamId":"4587"] request headers complete (end_stream=true):`,
      `':authority', 'productpage:9080'`,
      `':path', '/productpage'`,
      `':method', 'GET'`,
      `'authorization', 'Bearer ${SECRETS.bearerHeaderDump}'`,
      `'user-agent', 'curl/8.5.0'`,
      `${logTime(20, 2, 100001)}\tdebug\tenvoy ext_authz external/envoy/source/extensions/filters/http/ext_authz/ext_authz.cc:196\tcalling authorization server with headers: authorization: Bearer ${SECRETS.bearerPlain}`,
      `[${logTime(20, 3).slice(0, 23)}Z] "GET /api/v1/products?id_token=${SECRETS.jwt} HTTP/1.1" 403 - rbac_access_denied_matched_policy[none] - "-" 0 19 0 - "-" "curl/8.5.0" "0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6" "productpage:9080" "-" inbound-vip|9080|http|productpage.default.svc.cluster.local - 10.43.172.254:9080 10.42.0.12:48100 - default`,
    );
  }
  return lines;
}

function ztunnelLog(pod) {
  const node = pod.spec.nodeName;
  const local = cluster().pods.filter((p) => p.spec.nodeName === node && p.metadata.namespace === 'default' && !isWaypoint(p) && !p.metadata.name.startsWith('bookinfo-gateway'));
  const lines = [
    `${logTime(0, 0, 14551)}\tinfo\tztunnel\tversion: version.BuildInfo{Version:"1.28.1", GitRevision:"5a3e1f0c9b7d2e4a6c8f0b1d3e5a7c9f2b4d6e8a", RustVersion:"1.88.0", BuildProfile:"release", BuildStatus:"Clean", GitTag:"1.28.1", IstioVersion:"1.28.1"}`,
    `${logTime(0, 0, 15012)}\tinfo\tapp\tin-pod mode enabled`,
    `${logTime(0, 0, 118330)}\tinfo\txds::client:xds{id=1}\tStream established`,
    `${logTime(0, 0, 120114)}\tinfo\txds::client:xds{id=1}\treceived response\ttype_url="type.googleapis.com/istio.workload.Address" size=31 removes=0`,
    `${logTime(0, 0, 120560)}\tinfo\txds::client:xds{id=1}\treceived response\ttype_url="type.googleapis.com/istio.security.Authorization" size=0 removes=0`,
  ];
  local.forEach((p, i) => {
    lines.push(`${logTime(1, i)}\tinfo\tinpod::statemanager\tpod received, starting proxy\tuid=${p.metadata.uid} name=${p.metadata.name} namespace=default`);
  });
  local.slice(0, 4).forEach((p, i) => {
    lines.push(
      `${logTime(10 + i, 7, 123456)}\tinfo\taccess\tconnection complete\tsrc.addr=${p.status.podIP}:${51000 + i} src.workload="${p.metadata.name}" src.namespace="default" ` +
        `src.identity="spiffe://cluster.local/ns/default/sa/${p.spec.serviceAccountName}" dst.addr=10.42.0.24:15008 dst.hbone_addr=10.43.172.254:9080 ` +
        `dst.service="productpage.default.svc.cluster.local" dst.workload="waypoint-hxzdgnszt2-m5q8z" dst.namespace="default" ` +
        `dst.identity="spiffe://cluster.local/ns/default/sa/waypoint" direction="outbound" bytes_sent=84 bytes_recv=1823 duration="6ms"`,
    );
  });
  return lines;
}

function istiodLog() {
  return [
    `${logTime(0, 0, 100123)}\tinfo\tFLAG: --domain="cluster.local"`,
    `${logTime(0, 0, 100502)}\tinfo\tFLAG: --monitoringAddr=":15014"`,
    `${logTime(0, 0, 412330)}\tinfo\tmesh configuration: accessLogFile: /dev/stdout`,
    `${logTime(0, 1, 210004)}\tinfo\tads\tIncremental push, service reviews.default.svc.cluster.local at shard Kubernetes/Kubernetes has no endpoints`,
    `${logTime(0, 2, 551201)}\tinfo\tads\tNew connection for node:waypoint-hxzdgnszt2-m5q8z.default-1`,
    `${logTime(0, 2, 551904)}\tinfo\tads\tCDS: PUSH request for node:waypoint-hxzdgnszt2-m5q8z.default resources:9 size:12.1kB`,
    `${logTime(0, 2, 552310)}\tinfo\tads\tLDS: PUSH request for node:waypoint-hxzdgnszt2-m5q8z.default resources:3 size:14.0kB`,
    `${logTime(3, 12, 401227)}\twarn\tads\tADS:CDS: ACK ERROR waypoint-hxzdgnszt2-m5q8z.default-1 Kubernetes (waypoint-hxzdgnszt2-m5q8z.default) Error adding/updating cluster(s) inbound-vip|9080|http|ratings.default.svc.cluster.local: duplicate cluster name`,
    `${logTime(4, 0, 900120)}\tinfo\tads\tPush debounce stable[45] 1 for config Service/default/ratings: 100.4ms since last change, 100.4ms since last push, full=true`,
    `${logTime(4, 0, 910554)}\tinfo\tads\tXDS: Pushing Services:14 ConnectedEndpoints:6 Version:2025-10-14T10:04:00Z/45`,
  ];
}

function kubectlLogs(args, flags) {
  const [name] = args;
  if (!name) fail('error: expected \'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]\'.');
  const ns = flags.namespace || 'default';
  const pod = podByName(ns, name);
  if (!pod) fail(`error: error from server (NotFound): pods "${name}" not found in namespace "${ns}"`);
  const containers = pod.spec.containers.map((c) => c.name);
  const container = flags.container || containers[0];
  if (!containers.includes(container)) fail(`error: container ${container} is not valid for pod ${name}`);
  let lines;
  if (isWaypoint(pod)) lines = BIG ? BIG.waypointLog(pod) : waypointLog(pod);
  else if (isZtunnel(pod)) lines = BIG ? BIG.ztunnelLog(pod) : ztunnelLog(pod);
  else if (name === ISTIOD_POD) lines = BIG ? BIG.istiodLog() : istiodLog();
  else lines = [`${logTime(0, 0)} ${name} started`];
  if (flags.tail !== undefined && Number(flags.tail) >= 0) lines = lines.slice(Math.max(0, lines.length - Number(flags.tail)));
  if (lines.length) out(lines.join('\n') + '\n');
}

// ---------------------------------------------------------------------------------------------------------------
// istioctl

const ISTIOCTL_VALUED = new Set(['context', 'istioNamespace', 'namespace', 'output', 'verbose', 'kubeconfig', 'revision', 'file', 'proxy-admin-port']);
const ISTIOCTL_ALIASES = { i: 'istioNamespace', n: 'namespace', o: 'output', A: 'all-namespaces', h: 'help', f: 'file', r: 'revision' };

function istioctl() {
  const pre = parseArgs(argv, ISTIOCTL_VALUED, { ...ISTIOCTL_ALIASES, v: 'verbose' });
  const cmd = pre.positional;
  const path2 = cmd.slice(0, 2).join(' ');
  const top = cmd[0] === 'x' || cmd[0] === 'experimental' ? cmd[1] : cmd[0];
  const sub = cmd[0] === 'x' || cmd[0] === 'experimental' ? cmd[2] : cmd[1];
  const writes = ['install', 'uninstall', 'upgrade', 'tag', 'operator', 'manifest', 'dashboard', 'kube-inject', 'create-remote-secret'];
  if (writes.includes(top) || (top === 'waypoint' && ['apply', 'delete', 'generate'].includes(sub)) ||
      ((top === 'ztunnel-config' || top === 'zc' || top === 'proxy-config' || top === 'pc') && sub === 'log')) {
    write(path2);
  }
  if (process.env.STUB_NO_ZTUNNEL_CONFIG === '1' && (top === 'ztunnel-config' || top === 'zc')) {
    log({ unsupported: true });
    fail(`Error: unknown command "${top}" for "istioctl"\nRun 'istioctl --help' for usage.`);
  }
  if (start()) return;
  if (pre.flags.context !== undefined && pre.flags.context !== CONTEXT) fail(`Error: context "${pre.flags.context}" does not exist`);

  // Each command has its own flags; parse again with its own shorthand set.
  const rest = (aliases) => {
    const parsed = parseArgs(argv, ISTIOCTL_VALUED, aliases);
    if (parsed.error) fail(`Error: ${parsed.error}`);
    return parsed.flags;
  };
  switch (top) {
    case 'version':
      return istioctlVersion(rest(ISTIOCTL_ALIASES));
    case 'analyze':
      return istioctlAnalyze(rest(ISTIOCTL_ALIASES));
    case 'proxy-status':
    case 'ps':
      // Before 1.30, proxy-status has no -o: only -v for the per-type table.
      return istioctlProxyStatus(rest({ i: 'istioNamespace', n: 'namespace', v: 'verbose', h: 'help' }));
    case 'waypoint':
    case 'wp':
      if (sub === 'list') return istioctlWaypointList(rest(ISTIOCTL_ALIASES));
      if (sub === 'status') return out('NAMESPACE     NAME         STATUS     TYPE     REASON     MESSAGE\n');
      fail(`Error: unknown command "${sub}" for "istioctl waypoint"`);
      return;
    case 'ztunnel-config':
    case 'zc':
      return istioctlZtunnelConfig(cmd[0] === 'x' ? cmd.slice(2) : cmd.slice(1), rest(ISTIOCTL_ALIASES));
    case 'proxy-config':
    case 'pc':
      return istioctlProxyConfig(cmd.slice(1), rest(ISTIOCTL_ALIASES));
    case undefined:
      return out('Istio configuration command line utility for service operators to\ndebug and diagnose their Istio mesh.\n');
    default:
      fail(`Error: unknown command "${top}" for "istioctl"\nRun 'istioctl --help' for usage.`);
  }
}

function help(flags, text) {
  if (!flags.help) return false;
  out(text);
  return true;
}

function istioctlVersion(flags) {
  const info = { version: ISTIO_VERSION, revision: '0c2e6d7d9a4fd4a1c7e3b0f5c8d2e9a1b6c4f3e2', golang_version: 'go1.24.10', status: 'Clean', tag: ISTIO_VERSION };
  if (flags.output === 'json') {
    const proxies = BIG ? [...BIG.waypointPods(), ...BIG.ztunnelPods()] : cluster().pods.filter((p) => isWaypoint(p) || isZtunnel(p) || p.metadata.name.startsWith('bookinfo-gateway-istio'));
    const dump = {
      clientVersion: info,
      meshVersion: [{ Component: 'istiod', Revision: 'default', Info: info }],
      dataPlaneVersion: proxies.map((p) => ({ ID: `${p.metadata.name}.${p.metadata.namespace}`, IstioVersion: ISTIO_VERSION, Type: isZtunnel(p) ? 'ztunnel' : 'sidecar' })),
    };
    return out(JSON.stringify(dump, null, 2) + '\n');
  }
  out(readText('istioctl/version.txt'));
}

function istioctlAnalyze(flags) {
  if (!flags['all-namespaces']) fail('stub: the collector is expected to run istioctl analyze -A');
  if (flags.output === 'json') {
    const messages = readText('istioctl/analyze.txt').trim().split('\n').map((line) => {
      const m = /^(\w+) \[(IST\d+)\] \(([^)]*)\) (.*)$/.exec(line);
      return { code: m[2], documentationUrl: `https://istio.io/v1.28/docs/reference/config/analysis/${m[2].toLowerCase()}/`, level: m[1], message: m[4], origin: m[3], reference: '' };
    });
    return out(JSON.stringify(messages, null, '\t') + '\n');
  }
  out(readText('istioctl/analyze.txt'));
}

/** `proxy-status -v 1` (1.27+), as the sample holds it. */
const proxyStatusText = () => (BIG ? BIG.proxyStatusText(tabwrite) : readText('istioctl/proxy-status.txt'));

function proxyStatusRows() {
  const lines = proxyStatusText().trimEnd().split('\n');
  const header = lines[0].split(/ {2,}/);
  return { header, rows: lines.slice(1).map((l) => l.split(/ {2,}/)) };
}

function istioctlProxyStatus(flags) {
  if (flags.output !== undefined) fail(`Error: unknown shorthand flag: 'o' in -o`);
  if (flags.verbose !== undefined && Number(flags.verbose) >= 1) return out(proxyStatusText());
  // 1.27+ default: SUBSCRIBED TYPES instead of per-type state.
  const { header, rows } = proxyStatusRows();
  const typeIdx = header.map((h, i) => [h, i]).filter(([h]) => !['NAME', 'CLUSTER', 'ISTIOD', 'VERSION'].includes(h));
  const order = ['CDS', 'LDS', 'EDS', 'RDS', 'ECDS', 'WADS', 'WDS'];
  const table = [['NAME', 'CLUSTER', 'ISTIOD', 'VERSION', 'SUBSCRIBED TYPES']];
  for (const r of rows) {
    const subscribed = typeIdx.filter(([, i]) => r[i] !== 'IGNORED').map(([h]) => h).sort((a, b) => order.indexOf(a) - order.indexOf(b));
    table.push([r[0], r[header.indexOf('CLUSTER')], r[header.indexOf('ISTIOD')], r[header.indexOf('VERSION')], `${subscribed.length} (${subscribed.join(',')})`]);
  }
  out(tabwrite(table, 5));
}

function istioctlWaypointList(flags) {
  const waypoints = cluster().gateways
    .filter((g) => g.spec.gatewayClassName === 'istio-waypoint')
    .filter((g) => flags['all-namespaces'] || g.metadata.namespace === (flags.namespace || 'default'))
    .sort((a, b) => a.metadata.namespace.localeCompare(b.metadata.namespace) || a.metadata.name.localeCompare(b.metadata.name));
  if (waypoints.length === 0) return out('No waypoints found.\n');
  const row = (g) => {
    const labels = g.metadata.labels || {};
    const programmed = ((g.status && g.status.conditions) || []).find((c) => c.type === 'Programmed');
    return [labels['istio.io/rev'] || 'default', labels['istio.io/waypoint-for'] || 'none', programmed ? programmed.status : 'False'];
  };
  const table = flags['all-namespaces']
    ? [['NAMESPACE', 'NAME', 'REVISION', 'TRAFFIC TYPE', 'PROGRAMMED'], ...waypoints.map((g) => [g.metadata.namespace, g.metadata.name, ...row(g)])]
    : [['NAME', 'REVISION', 'TRAFFIC TYPE', 'PROGRAMMED'], ...waypoints.map((g) => [g.metadata.name, ...row(g)])];
  out(tabwrite(table, 5));
}

/** `<pod>.<ns>` (or `<pod> -n <ns>`) naming a pod of the given kind, else istioctl's error. */
function targetPod(arg, flags, want) {
  if (!arg) fail('Error: pod name or --file must be specified');
  let name = arg;
  let ns = flags.namespace || 'default';
  const dot = arg.lastIndexOf('.');
  if (dot > 0 && !flags.namespace) {
    name = arg.slice(0, dot);
    ns = arg.slice(dot + 1);
  }
  const pod = podByName(ns, name);
  if (!pod) fail(`Error: failed to get config dump from pod ${name}.${ns}: pods "${name}" not found`);
  if (want === 'ztunnel' && !isZtunnel(pod)) fail(`Error: ${name}.${ns} is not a ztunnel pod`);
  return pod;
}

function ztunnelTable(file) {
  return readText(`istioctl/${file}`);
}

const SERVICE_WAYPOINTS = () => {
  // NAMESPACE SERVICE-NAME VIP WAYPOINT ENDPOINTS, from the sample's ztunnel view.
  return ztunnelTable('ztunnel-config-service.txt').trimEnd().split('\n').slice(1).map((l) => l.split(/\s+/));
};

function certificateTable(pod) {
  const local = cluster().pods.filter((p) => p.spec.nodeName === pod.spec.nodeName && p.metadata.namespace === 'default' && !isWaypoint(p) && !p.metadata.name.startsWith('bookinfo-gateway'));
  const accounts = [...new Set(local.map((p) => p.spec.serviceAccountName))].sort();
  const rows = [['CERTIFICATE NAME', 'TYPE', 'STATUS', 'VALID CERT', 'SERIAL NUMBER', 'NOT AFTER', 'NOT BEFORE']];
  accounts.forEach((sa, i) => {
    const name = `spiffe://cluster.local/ns/default/sa/${sa}`;
    rows.push([name, 'Leaf', 'Available', 'true', (0x5c7f3a2e1d0b4c6a8e9f1a2b3c4d5e60n + BigInt(i)).toString(16), '2025-10-15T10:01:12Z', '2025-10-14T10:01:12Z']);
    rows.push([name, 'Root', 'Available', 'true', '2ba33e4ad2f0f1dfb1b3d3c1ee39b7c0', '2035-10-12T09:05:45Z', '2025-10-14T09:05:45Z']);
  });
  return tabwrite(rows, 5);
}

function policyTable() {
  // No AuthorizationPolicy on this cluster: the header only.
  return tabwrite([['NAMESPACE', 'POLICY NAME', 'ACTION', 'SCOPE']], 1);
}

function ztunnelDump(pod) {
  const c = cluster();
  const svcRows = SERVICE_WAYPOINTS();
  const waypointOf = new Map(svcRows.map((r) => [`${r[0]}/${r[1]}`, r[3]]));
  const workloadRows = ztunnelTable('ztunnel-config-workload.txt').trimEnd().split('\n').slice(1).map((l) => l.split(/\s+/));
  const podsByKey = new Map(c.pods.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p]));
  const servicesOfPod = (p) => c.services
    .filter((s) => s.metadata.namespace === p.metadata.namespace && s.spec.selector && Object.entries(s.spec.selector).every(([k, v]) => (p.metadata.labels || {})[k] === v))
    .map((s) => `${s.metadata.namespace}/${s.metadata.name}.${s.metadata.namespace}.svc.cluster.local`);
  const workloads = workloadRows.map(([ns, name, address, node, , protocol]) => {
    const p = podsByKey.get(`${ns}/${name}`);
    const labels = (p && p.metadata.labels) || {};
    const w = {
      workloadIps: [address],
      protocol,
      networkMode: 'Standard',
      uid: `Kubernetes//Pod/${ns}/${name}`,
      name,
      namespace: ns,
      trustDomain: 'cluster.local',
      serviceAccount: (p && p.spec.serviceAccountName) || 'default',
      workloadName: name.replace(/-[a-z0-9]+-[a-z0-9]+$/, ''),
      workloadType: 'deployment',
      canonicalName: labels['service.istio.io/canonical-name'] || labels.app || name.replace(/-[a-z0-9]+-[a-z0-9]+$/, ''),
      canonicalRevision: labels['service.istio.io/canonical-revision'] || labels.version || 'latest',
      node,
      status: 'Healthy',
      clusterId: 'Kubernetes',
    };
    if (p) {
      const services = servicesOfPod(p);
      if (services.length) w.services = services;
    }
    w.capacity = 1;
    return w;
  });
  const services = c.services
    .filter((s) => waypointOf.has(`${s.metadata.namespace}/${s.metadata.name}`))
    .map((s) => {
      const ns = s.metadata.namespace;
      const name = s.metadata.name;
      const endpoints = {};
      for (const p of c.pods) {
        if (p.metadata.namespace !== ns || !s.spec.selector) continue;
        if (!Object.entries(s.spec.selector).every(([k, v]) => (p.metadata.labels || {})[k] === v)) continue;
        const uid = `Kubernetes//Pod/${ns}/${p.metadata.name}`;
        endpoints[uid] = { workloadUid: uid, port: {}, status: 'Healthy' };
      }
      const svc = {
        name,
        namespace: ns,
        hostname: `${name}.${ns}.svc.cluster.local`,
        vips: [`/${s.spec.clusterIP}`],
        ports: Object.fromEntries(s.spec.ports.map((p) => [String(p.port), typeof p.targetPort === 'number' ? p.targetPort : 0])),
        endpoints,
        subjectAltNames: [],
      };
      const waypoint = waypointOf.get(`${ns}/${name}`);
      if (waypoint && waypoint !== 'None') svc.waypoint = { destination: `${ns}/${waypoint}.${ns}.svc.cluster.local`, hboneMtlsPort: 15008 };
      svc.ipFamilies = 'IPv4Only';
      return svc;
    });
  const cert = fs.readFileSync(path.join(__dirname, 'cert.pem'), 'utf8');
  const local = c.pods.filter((p) => p.spec.nodeName === pod.spec.nodeName && p.metadata.namespace === 'default' && !isWaypoint(p) && !p.metadata.name.startsWith('bookinfo-gateway'));
  const certificates = [...new Set(local.map((p) => p.spec.serviceAccountName))].sort().map((sa) => ({
    identity: `spiffe://cluster.local/ns/default/sa/${sa}`,
    state: 'Available',
    certChain: [{ pem: cert, serialNumber: '405763224810529946453180937040372917346', validFrom: '2025-10-14T10:01:12Z', expirationTime: '2025-10-15T10:01:12Z' }],
    rootCerts: [{ pem: cert, serialNumber: '57982744513843427089414427536396474304', validFrom: '2025-10-14T09:05:45Z', expirationTime: '2035-10-12T09:05:45Z' }],
  }));
  return {
    workloads,
    services,
    policies: [],
    stagedServices: {},
    staticConfig: { workloads: [], policies: [], services: [] },
    version: { version: ISTIO_VERSION, gitRevision: '5a3e1f0c9b7d2e4a6c8f0b1d3e5a7c9f2b4d6e8a', rustVersion: '1.88.0', buildProfile: 'release', buildStatus: 'Clean', istioVersion: ISTIO_VERSION },
    config: { proxyMode: 'Shared', localNode: pod.spec.nodeName, clusterId: 'Kubernetes', clusterDomain: 'cluster.local', caAddress: 'https://istiod.istio-system.svc:15012', xdsAddress: 'https://istiod.istio-system.svc:15012', dnsProxy: true },
    certificates,
  };
}

function istioctlZtunnelConfig(args, flags) {
  const [sub, target] = args;
  if (help(flags, 'Update or retrieve current Ztunnel configuration.\n\nUsage:\n  istioctl ztunnel-config [command]\n\nAvailable Commands:\n  all, certificate, connections, log, policy, service, workload\n')) return;
  const subs = ['workload', 'workloads', 'w', 'service', 'services', 's', 'policy', 'policies', 'p', 'certificate', 'certificates', 'certs', 'c', 'all', 'connections'];
  if (!subs.includes(sub)) fail(`Error: unknown command "${sub}" for "istioctl ztunnel-config"`);
  // Without a pod, istioctl picks a ztunnel; the collector always names one.
  const pod = target ? targetPod(target, flags, 'ztunnel') : cluster().pods.find(isZtunnel);
  const json = flags.output === 'json';
  // Every call fetches the ztunnel's whole config dump, whatever it prints.
  if (BIG) movedBytes = BIG.ztunnelDumpBytes();
  const dump = () => (BIG ? BIG.ztunnelDump(pod) : ztunnelDump(pod));
  const workloads = () => (BIG ? BIG.workloadTable(tabwrite, pod) : ztunnelTable('ztunnel-config-workload.txt'));
  const services = () => (BIG ? BIG.serviceTable(tabwrite) : ztunnelTable('ztunnel-config-service.txt'));
  const policies = () => (BIG ? BIG.policyTable(tabwrite) : policyTable());
  const certificates = () => (BIG ? BIG.certificateTable(tabwrite, pod) : certificateTable(pod));
  switch (sub[0]) {
    case 'w':
      return out(json ? JSON.stringify(dump().workloads, null, 2) + '\n' : workloads());
    case 's':
      return out(json ? JSON.stringify(dump().services, null, 2) + '\n' : services());
    case 'p':
      return out(json ? (BIG ? JSON.stringify(dump().policies, null, 2) + '\n' : '[]\n') : policies());
    case 'c':
      if (sub === 'connections') return out(tabwrite([['WORKLOAD', 'DIRECTION', 'LOCAL', 'REMOTE', 'REMOTE TARGET', 'PROTOCOL']], 1));
      return out(json ? JSON.stringify(dump().certificates, null, 2) + '\n' : certificates());
    case 'a':
      if (json) return out(JSON.stringify(dump(), null, 2) + '\n');
      // PrintFullSummary: a blank line before each table; workloads, services, policies, certificates.
      return out(['', workloads(), services(), policies(), certificates()].join('\n'));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Envoy config dump of a waypoint (`istioctl proxy-config all <pod>.<ns> -o json`): admin API snake_case.

function envoyDump(pod) {
  const ns = pod.metadata.namespace;
  const name = pod.metadata.name;
  const gateway = pod.metadata.labels['gateway.networking.k8s.io/gateway-name'];
  const ip = pod.status.podIP;
  const now = '2025-10-14T09:58:31';
  const version = `${now}Z/45`;
  const bound = BIG ? [] : SERVICE_WAYPOINTS().filter((r) => r[3] === gateway && r[0] === ns).map((r) => r[1]);
  const services = BIG ? BIG.boundServices(ns) : cluster().services.filter((s) => s.metadata.namespace === ns && bound.includes(s.metadata.name));
  // One cluster and one chain per Service port, as listener_waypoint.go builds them.
  const servicePorts = services.flatMap((s) => s.spec.ports.filter((p) => p.protocol !== 'UDP').map((p) => ({ s, port: p.port })));
  const clusterFor = ({ s, port }) => {
    const cname = `inbound-vip|${port}|http|${s.metadata.name}.${ns}.svc.cluster.local`;
    return {
      version_info: version,
      cluster: {
        '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
        name: cname,
        type: 'EDS',
        eds_cluster_config: { eds_config: { ads: {}, initial_fetch_timeout: '0s', resource_api_version: 'V3' }, service_name: cname },
        connect_timeout: '10s',
        metadata: { filter_metadata: { istio: { services: [{ host: `${s.metadata.name}.${ns}.svc.cluster.local`, name: s.metadata.name, namespace: ns }] } } },
      },
      last_updated: `${now}.110Z`,
    };
  };
  const hcm = (statPrefix, routeConfig, extraFilters = []) => ({
    name: 'envoy.filters.network.http_connection_manager',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
      stat_prefix: statPrefix,
      route_config: routeConfig,
      http_filters: [...extraFilters, { name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } }],
    },
  });
  // The big cluster's AuthorizationPolicies target the waypoint: istiod puts them in every chain's RBAC filter,
  // one policy per rule, named as pkg/security/authz/builder names them.
  const policies = BIG ? BIG.authorizationPolicies(ns) : [];
  const rbac = policies.length === 0 ? [] : [{
    name: 'envoy.filters.http.rbac',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC',
      rules: {
        policies: Object.fromEntries(policies.flatMap((ap) => ap.spec.rules.map((rule, r) => [`ns[${ns}]-policy[${ap.metadata.name}]-rule[${r}]`, {
          permissions: [{ and_rules: { rules: [{ any: true }] } }],
          principals: [{ and_ids: { ids: [{ or_ids: { ids: rule.from[0].source.namespaces.map((n) => ({ authenticated: { principal_name: { safe_regex: { regex: `.*/ns/${n}/.*` } } } })) } }] } }],
        }]))),
      },
      shadow_rules_stat_prefix: 'istio_dry_run_allow_',
    },
  }];
  const chainFor = ({ s, port }) => {
    const cname = `inbound-vip|${port}|http|${s.metadata.name}.${ns}.svc.cluster.local`;
    return {
      filter_chain_match: { destination_port: port, prefix_ranges: [{ address_prefix: s.spec.clusterIP, prefix_len: 32 }] },
      filters: [hcm(`inbound_0.0.0.0_${port}`, {
        name: cname,
        virtual_hosts: [{ name: `inbound|http|${port}`, domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: cname, timeout: '0s' }, decorator: { operation: `:${port}/*` }, name: 'default' }] }],
        validate_clusters: false,
      }, [...rbac, { name: 'istio.stats', typed_config: { '@type': 'type.googleapis.com/stats.PluginConfig', reporter: 'SERVER_GATEWAY' } }])],
      name: cname,
    };
  };
  const cert = fs.readFileSync(path.join(__dirname, 'cert.pem'), 'utf8');
  const plant = SECRETS_ON && name.startsWith('waypoint-');
  const secrets = [
    {
      name: 'default',
      version_info: '2025-10-14 09:58:30.918309 +0000 UTC m=+1.05',
      last_updated: `${now}.920Z`,
      secret: {
        '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
        name: 'default',
        tls_certificate: {
          certificate_chain: { inline_bytes: Buffer.from(cert).toString('base64') },
          // Envoy itself prints "[redacted]"; a planted key stands for a dump that was not.
          private_key: plant ? { inline_bytes: SECRETS.pemBytes } : { inline_string: '[redacted]' },
        },
      },
    },
    {
      name: 'ROOTCA',
      version_info: '2025-10-14 09:58:30.921007 +0000 UTC m=+1.06',
      last_updated: `${now}.922Z`,
      secret: { '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret', name: 'ROOTCA', validation_context: { trusted_ca: { inline_bytes: Buffer.from(cert).toString('base64') } } },
    },
  ];
  if (plant) {
    secrets.push({
      name: 'file-cert:/etc/certs/upstream.pem~/etc/certs/upstream-key.pem',
      version_info: '2025-10-14 09:58:31.002214 +0000 UTC m=+1.11',
      last_updated: `${now}.930Z`,
      secret: {
        '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
        name: 'file-cert:/etc/certs/upstream.pem~/etc/certs/upstream-key.pem',
        tls_certificate: { certificate_chain: { inline_string: cert }, private_key: { inline_string: SECRETS.pemInline } },
      },
    });
  }
  return {
    configs: [
      {
        '@type': 'type.googleapis.com/envoy.admin.v3.BootstrapConfigDump',
        bootstrap: {
          node: {
            id: `waypoint~${ip}~${name}.${ns}~${ns}.svc.cluster.local`,
            cluster: `${gateway}.${ns}`,
            metadata: { CLUSTER_ID: 'Kubernetes', ISTIO_VERSION, NAMESPACE: ns, NAME: name, WORKLOAD_NAME: gateway, SERVICE_ACCOUNT: pod.spec.serviceAccountName },
            user_agent_name: 'envoy',
            user_agent_build_version: { version: { major_number: 1, minor_number: 36, patch: 2 }, metadata: { 'build.type': 'RELEASE', 'ssl.version': 'BoringSSL' } },
          },
          dynamic_resources: { lds_config: { ads: {}, resource_api_version: 'V3' }, cds_config: { ads: {}, resource_api_version: 'V3' } },
        },
        last_updated: `${now}.512Z`,
      },
      {
        '@type': 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump',
        version_info: version,
        static_clusters: [
          { cluster: { '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster', name: 'agent', type: 'STATIC', connect_timeout: '0.250s', load_assignment: { cluster_name: 'agent', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: 15020 } } } }] }] } }, last_updated: `${now}.520Z` },
          { cluster: { '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster', name: 'xds-grpc', type: 'STATIC', connect_timeout: '1s', load_assignment: { cluster_name: 'xds-grpc', endpoints: [{ lb_endpoints: [{ endpoint: { address: { pipe: { path: './var/run/istio/XDS' } } } }] }] } }, last_updated: `${now}.521Z` },
        ],
        dynamic_active_clusters: [
          { version_info: version, cluster: { '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster', name: 'connect_originate', type: 'ORIGINAL_DST', connect_timeout: '10s', lb_policy: 'CLUSTER_PROVIDED', cleanup_interval: '60s', original_dst_lb_config: { use_http_header: true, http_header_name: 'x-envoy-original-dst-host' } }, last_updated: `${now}.101Z` },
          { version_info: version, cluster: { '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster', name: 'encap', type: 'STATIC', connect_timeout: '10s', load_assignment: { cluster_name: 'encap', endpoints: [{ lb_endpoints: [{ endpoint: { address: { envoy_internal_address: { server_listener_name: 'connect_originate' } } } }] }] } }, last_updated: `${now}.102Z` },
          ...servicePorts.map(clusterFor),
        ],
      },
      {
        '@type': 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump',
        version_info: version,
        static_listeners: [
          {
            listener: {
              '@type': 'type.googleapis.com/envoy.config.listener.v3.Listener',
              address: { socket_address: { address: '0.0.0.0', port_value: 15090 } },
              filter_chains: [{ filters: [hcm('stats', { virtual_hosts: [{ name: 'backend', domains: ['*'], routes: [{ match: { prefix: '/stats/prometheus' }, route: { cluster: 'prometheus_stats' } }] }] })] }],
            },
            last_updated: `${now}.530Z`,
          },
        ],
        dynamic_listeners: [
          {
            name: 'connect_terminate',
            active_state: {
              version_info: version,
              listener: {
                '@type': 'type.googleapis.com/envoy.config.listener.v3.Listener',
                name: 'connect_terminate',
                address: { socket_address: { address: '0.0.0.0', port_value: 15008 } },
                filter_chains: [{ filters: [hcm('connect_terminate', { name: 'default', virtual_hosts: [{ name: 'default', domains: ['*'], routes: [{ match: { connect_matcher: {} }, route: { cluster: 'main_internal', upgrade_configs: [{ upgrade_type: 'CONNECT', connect_config: {} }] } }] }] })], name: 'default' }],
              },
              last_updated: `${now}.201Z`,
            },
          },
          {
            name: 'main_internal',
            active_state: {
              version_info: version,
              listener: {
                '@type': 'type.googleapis.com/envoy.config.listener.v3.Listener',
                name: 'main_internal',
                filter_chains: servicePorts.map(chainFor),
                listener_filters: [{ name: 'istio.set_internal_dst_address', typed_config: { '@type': 'type.googleapis.com/xds.type.v3.TypedStruct', type_url: 'type.googleapis.com/istio.set_internal_dst_address.v1.Config', value: {} } }],
                internal_listener: {},
              },
              last_updated: `${now}.202Z`,
            },
          },
        ],
      },
      { '@type': 'type.googleapis.com/envoy.admin.v3.ScopedRoutesConfigDump' },
      {
        '@type': 'type.googleapis.com/envoy.admin.v3.RoutesConfigDump',
        static_route_configs: [{ route_config: { '@type': 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration', name: 'encap', virtual_hosts: [{ name: 'inbound|http|0', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'encap', timeout: '0s' }, name: 'default' }] }], validate_clusters: false }, last_updated: `${now}.220Z` }],
      },
      { '@type': 'type.googleapis.com/envoy.admin.v3.SecretsConfigDump', dynamic_active_secrets: secrets },
    ],
  };
}

function istioctlProxyConfig(args, flags) {
  const [sub, target] = args;
  if (help(flags, 'A group of commands used to retrieve information about proxy configuration from the Envoy config dump\n')) return;
  const subs = ['all', 'cluster', 'clusters', 'listener', 'listeners', 'route', 'routes', 'endpoint', 'endpoints', 'secret', 'secrets', 'bootstrap'];
  if (!subs.includes(sub)) fail(`Error: unknown command "${sub}" for "istioctl proxy-config"`);
  const pod = targetPod(target, flags, 'envoy');
  if (isZtunnel(pod)) fail(`Error: ztunnel is not supported by this command. Use 'istioctl ztunnel-config' instead`);
  if (sub !== 'all' || flags.output !== 'json') fail('stub: only `proxy-config all <pod>.<ns> -o json` is implemented');
  out(JSON.stringify(envoyDump(pod), null, 2) + '\n');
}

// ---------------------------------------------------------------------------------------------------------------

try {
  if (tool === 'kubectl') kubectl();
  else if (tool === 'istioctl') istioctl();
  else fail(`stub: unknown tool ${tool}`, 2);
  answerLater();
} catch (err) {
  fail(`stub ${tool} internal error: ${err && err.stack ? err.stack : err}`, 70);
}
