/**
 * Workload certificates for generated waypoint config dumps, without openssl or any private key: a DER X.509
 * certificate shaped like the one istiod's CA issues (v3, empty subject, 24 hours from the pod's start, RSA 2048,
 * key usage, server and client auth, the SPIFFE URI SAN, issued by the sample's root `O=cluster.local`), whose key
 * and signature are seeded random bytes. It parses everywhere (the analyzer reads its validity and serial) but
 * verifies nowhere: a dump never carries a usable credential.
 */
import { Rng } from './random.js';

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, content]);
}

const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));
const oid = (hex: string) => tlv(0x06, Buffer.from(hex, 'hex'));
const octets = (content: Buffer) => tlv(0x04, content);
const NULL = Buffer.from([0x05, 0x00]);
const TRUE = Buffer.from([0x01, 0x01, 0xff]);

/** A positive INTEGER from big-endian bytes (a leading 0 when the top bit is set). */
function integer(bytes: Buffer): Buffer {
  return tlv(0x02, bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

const utcTime = (iso: string) => tlv(0x17, Buffer.from(iso.replace(/[-:T]/g, '').replace(/\.\d+/, '').slice(2), 'ascii'));
const extension = (id: string, value: Buffer, critical = false) => seq(oid(id), ...(critical ? [TRUE] : []), octets(value));

const SHA256_RSA = seq(oid('2a864886f70d01010b'), NULL);
const RSA = seq(oid('2a864886f70d010101'), NULL);
/** O=cluster.local, as openssl encodes the root's subject (UTF8String). */
const ISSUER = seq(tlv(0x31, seq(oid('55040a'), tlv(0x0c, Buffer.from('cluster.local', 'utf8')))));

/** The root's subject key identifier, from its DER: the authority key id of every leaf. */
export function subjectKeyId(rootPem: string): Buffer | undefined {
  const der = Buffer.from(rootPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const marker = Buffer.from('0603551d0e04160414', 'hex');
  const at = der.indexOf(marker);
  return at < 0 ? undefined : der.subarray(at + marker.length, at + marker.length + 20);
}

export interface LeafRequest {
  namespace: string;
  serviceAccount: string;
  /** The pod's start (RFC 3339): the certificate is valid from then for 24 hours. */
  notBefore: string;
  /** The issuing root's subject key id. */
  authorityKeyId?: Buffer;
}

/** The PEM of a workload certificate for `spiffe://cluster.local/ns/<namespace>/sa/<serviceAccount>`. */
export function leafPem(seed: string, l: LeafRequest): string {
  const rng = new Rng(`${seed}\u0000cert:${l.namespace}/${l.serviceAccount}/${l.notBefore}`);
  const serial = rng.bytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  const modulus = rng.bytes(256);
  modulus[0] = modulus[0]! | 0x80;
  modulus[255] = modulus[255]! | 0x01;
  const notAfter = new Date(Date.parse(l.notBefore) + 86_400_000).toISOString();
  const spki = seq(RSA, tlv(0x03, Buffer.concat([Buffer.from([0]), seq(integer(modulus), integer(Buffer.from([1, 0, 1])))])));
  const san = `spiffe://cluster.local/ns/${l.namespace}/sa/${l.serviceAccount}`;
  const extensions = [
    extension('551d0f', Buffer.from([0x03, 0x02, 0x05, 0xa0]), true),
    extension('551d25', seq(oid('2b06010505070301'), oid('2b06010505070302'))),
    extension('551d13', seq(), true),
    ...(l.authorityKeyId ? [extension('551d23', seq(tlv(0x80, l.authorityKeyId)))] : []),
    extension('551d11', seq(tlv(0x86, Buffer.from(san, 'ascii'))), true),
  ];
  const tbs = seq(
    tlv(0xa0, integer(Buffer.from([2]))), integer(serial), SHA256_RSA, ISSUER, seq(utcTime(l.notBefore), utcTime(notAfter)), seq(), spki,
    tlv(0xa3, seq(...extensions)),
  );
  const der = seq(tbs, SHA256_RSA, tlv(0x03, Buffer.concat([Buffer.from([0]), rng.bytes(256)])));
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}
