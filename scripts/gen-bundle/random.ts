/**
 * Seeded randomness for the bundle generator: a small fast PRNG (sfc32, seeded by a string hash) and helpers.
 * Every random choice of a generated bundle comes from here, derived from `--seed` and the name of the thing it
 * decides (`rngFor(seed, 'pod:17')`), so a bundle is the same bytes for the same arguments whatever order things
 * are generated in, and nothing reads the clock or Math.random.
 */

/** cyrb128: four 32-bit words from a string, to seed sfc32. */
function hash128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  return [(h1 ^ h2 ^ h3 ^ h4) >>> 0, (h2 ^ h1) >>> 0, (h3 ^ h1) >>> 0, (h4 ^ h1) >>> 0];
}

/** Kubernetes' SafeEncodeString alphabet (pod-template-hash, generated name suffixes). */
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string) {
    [this.a, this.b, this.c, this.d] = hash128(seed);
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A float in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [lo, hi]. */
  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  hex(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += '0123456789abcdef'[this.int(16)];
    return out;
  }

  safe(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += SAFE[this.int(SAFE.length)];
    return out;
  }

  /** A version 4 UUID. */
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[this.int(4)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  bytes(length: number): Buffer {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i++) out[i] = this.int(256);
    return out;
  }
}

/** A generator of its own for one decision, so results do not depend on generation order. */
export const rngFor = (seed: string, key: string): Rng => new Rng(`${seed}\u0000${key}`);

// ---- names ------------------------------------------------------------------------------------

export const TEAMS = [
  'payments', 'checkout', 'catalog', 'search', 'identity', 'billing', 'shipping', 'inventory', 'orders', 'ledger',
  'pricing', 'loyalty', 'fraud', 'messaging', 'media', 'analytics', 'reporting', 'recs', 'ads', 'support', 'partners',
  'compliance', 'risk', 'storefront', 'mobile', 'growth', 'platform', 'data', 'ml', 'geo', 'booking', 'travel',
  'claims', 'quotes', 'policy', 'accounts', 'cards', 'lending', 'trading', 'wallet',
] as const;

export const STAGES = ['prod', 'staging', 'canary', 'qa', 'perf', 'eu', 'us', 'apac', 'blue', 'green'] as const;

export const APPS = [
  'api', 'web', 'gateway', 'worker', 'frontend', 'backend', 'auth', 'session', 'profile', 'cart', 'pricing', 'quote',
  'invoice', 'ledger', 'notifier', 'mailer', 'scheduler', 'search', 'indexer', 'feed', 'ranker', 'scorer', 'tokenizer',
  'uploader', 'thumbnailer', 'exporter', 'importer', 'reconciler', 'audit', 'config', 'flags', 'router', 'proxy',
  'renderer', 'pdf', 'geo', 'rates', 'fx', 'tax', 'stock', 'catalog', 'reviews', 'ratings', 'details', 'orders',
  'payments', 'refunds', 'shipping', 'tracking', 'returns',
] as const;

export const ROLES = ['svc', 'v1', 'v2', 'core', 'edge', 'sync', 'read', 'write', 'batch', 'stream'] as const;
