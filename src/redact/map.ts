/**
 * The redaction map: the key that makes pseudonyms, and every pseudonym given, both ways. It stays
 * with the customer: whoever holds it can turn a report about the redacted bundle back into real
 * names (`unmask`); whoever holds only the bundle cannot. Pseudonyms are HMAC-SHA256(key, kind:name),
 * so two bundles of one cluster redacted with one map use the same pseudonyms.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { InputError } from '../errors.js';

/** What an original is, which decides its pseudonym's shape; earlier kinds win when a name is several. */
export const NAME_KINDS = ['namespace', 'node', 'service', 'workload', 'gateway', 'serviceaccount', 'policy', 'route', 'cluster', 'host', 'name', 'hash'] as const;
export type NameKind = (typeof NAME_KINDS)[number];

const PREFIX: Record<Exclude<NameKind, 'hash'>, string> = {
  namespace: 'ns', service: 'svc', workload: 'wl', gateway: 'gw', serviceaccount: 'sa', policy: 'pol', route: 'rt', node: 'node', cluster: 'cluster', host: 'dom', name: 'name',
};

/** The alphabet of Kubernetes' generated suffixes (no vowels, no look-alikes): a pseudo-hash reads like one. */
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export const MAP_VERSION = 1;

interface MapFile {
  version: number;
  tool: string;
  key: string;
  keyId: string;
  names: Record<string, { kind: NameKind; pseudonym: string }>;
  addresses: Record<string, string>;
  backward: Record<string, string>;
}

export class RedactionMap {
  readonly forward = new Map<string, string>();
  readonly backward = new Map<string, string>();
  readonly kinds = new Map<string, NameKind>();
  readonly addresses = new Map<string, string>();

  constructor(readonly key: Buffer) {}

  static fresh(): RedactionMap {
    return new RedactionMap(randomBytes(32));
  }

  get keyId(): string {
    return createHmac('sha256', this.key).update('waypoint-analyze map key id').digest('hex').slice(0, 16);
  }

  /**
   * The pseudonym of `original`, made on first use. `taken` holds words a pseudonym must not be
   * (the bundle's own names), so a pseudonym never reads as another real name.
   */
  assign(original: string, kind: NameKind, taken: ReadonlySet<string> = new Set()): string {
    const known = this.forward.get(original);
    if (known !== undefined) return known;
    const digest = createHmac('sha256', this.key).update(`${kind}:${original}`).digest();
    for (let length = 4; ; length += 2) {
      const pseudonym = kind === 'hash' ? suffixLike(digest, original.length, length - 4) : `${PREFIX[kind]}-${digest.toString('hex').slice(0, length)}`;
      if (!this.backward.has(pseudonym) && !taken.has(pseudonym) && pseudonym !== original) {
        this.forward.set(original, pseudonym);
        this.backward.set(pseudonym, original);
        this.kinds.set(original, kind);
        return pseudonym;
      }
      if (length > 60) throw new Error(`no free pseudonym for ${kind} ${original}`);
    }
  }

  recordAddress(original: string, pseudonym: string): void {
    if (original === pseudonym || this.addresses.has(original)) return;
    this.addresses.set(original, pseudonym);
    this.backward.set(pseudonym, original);
  }

  toJson(): string {
    const file: MapFile = {
      version: MAP_VERSION,
      tool: 'waypoint-analyze redact',
      key: this.key.toString('base64'),
      keyId: this.keyId,
      names: Object.fromEntries([...this.forward].sort(([a], [b]) => (a < b ? -1 : 1)).map(([o, p]) => [o, { kind: this.kinds.get(o)!, pseudonym: p }])),
      addresses: Object.fromEntries([...this.addresses].sort(([a], [b]) => (a < b ? -1 : 1))),
      backward: Object.fromEntries([...this.backward].sort(([a], [b]) => (a < b ? -1 : 1))),
    };
    return `${JSON.stringify(file, null, 2)}\n`;
  }

  /** Reads a map; anything that is not one this tool wrote, whole and with its own key, is refused. */
  static load(path: string): RedactionMap {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new InputError(`cannot read the map ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
    }
    const bad = (why: string) => new InputError(`${path} is not a usable redaction map: ${why}`);
    let file: Partial<MapFile>;
    try {
      file = JSON.parse(text) as Partial<MapFile>;
    } catch {
      throw bad('not JSON (corrupt or truncated)');
    }
    if (!file || typeof file !== 'object' || file.version !== MAP_VERSION) throw bad(`version is not ${MAP_VERSION}`);
    const key = typeof file.key === 'string' ? Buffer.from(file.key, 'base64') : Buffer.alloc(0);
    if (key.length !== 32) throw bad('its key is missing or not 32 bytes');
    const map = new RedactionMap(key);
    if (file.keyId !== map.keyId) throw bad('its key does not match its key id (edited, or put together from two maps)');
    if (typeof file.names !== 'object' || typeof file.addresses !== 'object' || file.names === null || file.addresses === null) throw bad('names or addresses missing');
    for (const [original, entry] of Object.entries(file.names)) {
      if (!entry || typeof entry.pseudonym !== 'string' || !(NAME_KINDS as readonly string[]).includes(entry.kind)) throw bad(`entry for "${original}" is malformed`);
      // An entry another key made would not be the pseudonym this key makes: the map was mixed.
      if (entry.kind !== 'hash' && !map.expected(original, entry.kind, entry.pseudonym)) throw bad(`entry for "${original}" was not made with this map's key`);
      map.forward.set(original, entry.pseudonym);
      map.backward.set(entry.pseudonym, original);
      map.kinds.set(original, entry.kind);
    }
    for (const [original, pseudonym] of Object.entries(file.addresses)) {
      if (typeof pseudonym !== 'string') throw bad(`address entry for "${original}" is malformed`);
      map.recordAddress(original, pseudonym);
    }
    return map;
  }

  private expected(original: string, kind: NameKind, pseudonym: string): boolean {
    if (kind === 'hash') return true;
    const hex = createHmac('sha256', this.key).update(`${kind}:${original}`).digest('hex');
    return pseudonym === `${PREFIX[kind]}-${hex.slice(0, pseudonym.length - PREFIX[kind].length - 1)}`;
  }

  /** Written whole or not at all (temp file + rename), readable by its owner only. */
  save(path: string): void {
    writeAtomically(path, this.toJson(), 0o600);
  }
}

/** A same-length stand-in for a generated suffix (`5kc4ht8nnd`), in the alphabet Kubernetes uses. */
function suffixLike(digest: Buffer, length: number, attempt: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += SUFFIX_ALPHABET[(digest[(i + attempt) % digest.length]! + attempt * 7 + i * 13) % SUFFIX_ALPHABET.length];
  return out;
}

/** Writes beside the target and renames over it, so a reader never sees half a file. */
export function writeAtomically(path: string, data: string | Buffer, mode = 0o644): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx', mode);
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw new InputError(`cannot write ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
  }
}
