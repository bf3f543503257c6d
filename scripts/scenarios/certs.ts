/**
 * Workload certificates for the waypoints' Envoy config dumps: what istiod's CA (self-signed root `O=cluster.local`,
 * created when istiod started) issues to a pod when it starts: 24 hours, an empty subject and the SPIFFE URI SAN.
 *
 * The PEMs are kept in scripts/scenarios/certs/ so that every run writes the same bytes. When a scenario needs a
 * certificate that is not there yet, the whole set is issued again with openssl under a new throwaway root (the keys
 * are never written anywhere that stays; dumps carry no key material at all).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('./certs/', import.meta.url));
const INDEX = join(DIR, 'index.json');
/** istiod-nd49fnlq5d-mnsrx became ready at 09:05:49 and created its self-signed root then (10 years). */
const ROOT_FROM = '2025-10-14T09:05:48Z';

export interface Leaf {
  namespace: string;
  serviceAccount: string;
  /** When the certificate was issued (the pod's start), RFC 3339. */
  notBefore: string;
}

const leafFile = (l: Leaf) => `${l.namespace}.${l.serviceAccount}.${l.notBefore.replace(/[-:]/g, '')}.pem`;
const opensslTime = (iso: string) => iso.replace(/[-:T]/g, '').replace(/\.\d+/, '');
const plusSeconds = (iso: string, s: number) => new Date(Date.parse(iso) + s * 1000).toISOString().replace('.000Z', 'Z');

function readIndex(): Leaf[] {
  return existsSync(INDEX) ? (JSON.parse(readFileSync(INDEX, 'utf8')) as Leaf[]) : [];
}

/** Issues the root and every leaf of `leaves` (a fresh root: all files are rewritten together). */
function issueAll(leaves: Leaf[]): void {
  const tmp = mkdtempSync(join(tmpdir(), 'wp-certs-'));
  try {
    const run = (...args: string[]) => execFileSync('openssl', args, { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
    writeFileSync(join(tmp, 'index.txt'), '');
    writeFileSync(join(tmp, 'serial'), '01\n');
    writeFileSync(join(tmp, 'ca.cnf'), [
      '[ca]', 'default_ca = istio', '[istio]', `dir = ${tmp}`, 'database = $dir/index.txt', 'new_certs_dir = $dir', 'serial = $dir/serial',
      'default_md = sha256', 'policy = anything', 'unique_subject = no', 'copy_extensions = none', '[anything]', 'organizationName = optional',
      '[root]', 'basicConstraints = critical,CA:TRUE', 'keyUsage = critical,keyCertSign', 'subjectKeyIdentifier = hash',
      '[req]', 'distinguished_name = dn', 'prompt = no', '[dn]', 'O = cluster.local', '',
    ].join('\n'));
    run('req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'root.key', '-config', 'ca.cnf', '-out', 'root.csr');
    run('ca', '-selfsign', '-batch', '-notext', '-rand_serial', '-config', 'ca.cnf', '-keyfile', 'root.key', '-in', 'root.csr',
      '-startdate', opensslTime(ROOT_FROM), '-enddate', opensslTime(plusSeconds(ROOT_FROM, 3650 * 86400)), '-extensions', 'root', '-out', 'root.pem');
    mkdirSync(DIR, { recursive: true });
    writeFileSync(join(DIR, 'root-cert.pem'), readFileSync(join(tmp, 'root.pem')));
    leaves.forEach((l, i) => {
      writeFileSync(join(tmp, `leaf${i}.cnf`), [
        'basicConstraints = critical,CA:FALSE', 'keyUsage = critical,digitalSignature,keyEncipherment', 'extendedKeyUsage = serverAuth,clientAuth',
        'authorityKeyIdentifier = keyid', `subjectAltName = critical,URI:spiffe://cluster.local/ns/${l.namespace}/sa/${l.serviceAccount}`, '',
      ].join('\n'));
      // Istio's workload certificates have an empty subject.
      run('req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', `leaf${i}.key`, '-subj', '/', '-out', `leaf${i}.csr`);
      run('ca', '-batch', '-notext', '-rand_serial', '-config', 'ca.cnf', '-cert', 'root.pem', '-keyfile', 'root.key', '-in', `leaf${i}.csr`,
        '-startdate', opensslTime(l.notBefore), '-enddate', opensslTime(plusSeconds(l.notBefore, 86400)), '-extfile', `leaf${i}.cnf`, '-out', `leaf${i}.pem`);
      writeFileSync(join(DIR, leafFile(l)), readFileSync(join(tmp, `leaf${i}.pem`)));
    });
    writeFileSync(INDEX, JSON.stringify(leaves, null, 2) + '\n');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const have = (known: Leaf[], leaf: Leaf) => known.some((k) => leafFile(k) === leafFile(leaf)) && existsSync(join(DIR, leafFile(leaf)));

/** Makes sure every one of `leaves` has a certificate, issuing the whole set again (once) if one is missing. */
export function ensureCerts(leaves: Leaf[]): void {
  const known = readIndex();
  const missing = leaves.filter((l, i) => !have(known, l) && leaves.findIndex((x) => leafFile(x) === leafFile(l)) === i);
  if (missing.length === 0 && existsSync(join(DIR, 'root-cert.pem'))) return;
  const all = [...known.filter((k) => existsSync(join(DIR, leafFile(k)))), ...missing].filter((l, i, a) => a.findIndex((x) => leafFile(x) === leafFile(l)) === i);
  all.sort((x, y) => (leafFile(x) < leafFile(y) ? -1 : 1));
  for (const f of known) rmSync(join(DIR, leafFile(f)), { force: true });
  issueAll(all);
  console.log(`scripts/scenarios/certs: issued ${all.length} workload certificates (new: ${missing.map(leafFile).join(', ')})`);
}

/** The PEM certificate chain (leaf, then root) and the root, for a pod of `serviceAccount` that started at `notBefore`. */
export function workloadCert(leaf: Leaf): { chain: string; root: string } {
  if (!have(readIndex(), leaf)) ensureCerts([leaf]);
  const root = readFileSync(join(DIR, 'root-cert.pem'), 'utf8');
  return { chain: readFileSync(join(DIR, leafFile(leaf)), 'utf8') + root, root };
}
