import { BlockList, isIP } from 'node:net';
import { LRUCache } from 'lru-cache';
import { requestPathTtl } from '../clock.js';
import { CHECKSUM_TAG_MASK } from '../credentials/format.js';
import type { CredentialRecord } from './credential-source.js';
import { planAllows, type VerifyOutcome } from './outcome.js';
import type { Role } from './scopes.js';
import { newUsageMeter, type UsageMeter } from './usage-meter.js';

/** A verified credential as kept in memory: the record plus what is precomputed from it. */
export interface CachedCredential extends CredentialRecord {
  expiresAtMs: number | null;
  allow: BlockList | null;
  /** Whether the company's plan allows this kind (a plan change drops the company's entries). */
  planAllowed: boolean;
  /** The owner-acting valid outcome, built on first use (see the verifier). */
  ownerOutcome: VerifyOutcome | null;
  /** The tag of the checksum its token claims (see `CredentialFormats.checksumTag`). */
  checksumTag: number;
  /** Its requests since the last usage flush, handed out on every principal it verifies. */
  usage: UsageMeter;
}

export interface VerificationCacheOptions {
  /** Most credentials kept (LRU). Default 100,000. */
  maxCredentials?: number;
  /** Most acting-user memberships kept (LRU). Default 100,000. */
  maxMemberships?: number;
  /**
   * Longest a positive entry is trusted without a reload (ms). Invalidation is immediate in this
   * process and, through the invalidation bus, on other nodes; the TTL bounds staleness when no
   * bus is configured. Default 60,000.
   */
  ttlMs?: number;
  /** How long an unknown but well-formed credential is remembered (ms). Default 30,000. */
  negativeTtlMs?: number;
  /** Most unknown credentials remembered. Default 50,000. */
  maxNegative?: number;
}

/** Turns an allow-list of CIDRs (or bare addresses) into a `BlockList`; invalid entries are skipped. */
export function buildAllowList(cidrs: readonly string[] | null): BlockList | null {
  if (!cidrs || cidrs.length === 0) return null;
  const list = new BlockList();
  for (const entry of cidrs) {
    const [address = '', bits] = entry.split('/');
    const family = isIP(address);
    if (family === 0) continue;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return list;
}

/** True when `ip` is inside the allow-list (IPv4-mapped IPv6 addresses count as IPv4). */
export function ipAllowed(list: BlockList, ip: string | undefined): boolean {
  if (!ip) return false;
  const plain = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  const family = isIP(plain);
  if (family === 0) return false;
  return list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
}

/** Builds the cache entry as one literal so every entry shares one object shape. */
export function toCached(record: CredentialRecord, checksumTag: number): CachedCredential {
  return {
    id: record.id,
    kind: record.kind,
    publicId: record.publicId,
    companyId: record.companyId,
    plan: record.plan,
    companyOwnerId: record.companyOwnerId,
    companyRateLimit: record.companyRateLimit,
    ownerUserId: record.ownerUserId,
    ownerRole: record.ownerRole,
    scopes: record.scopes,
    expiresAt: record.expiresAt,
    state: record.state,
    replaced: record.replaced,
    ipAllowlist: record.ipAllowlist,
    rateLimit: record.rateLimit,
    limitedUsage: record.limitedUsage,
    expiresAtMs: record.expiresAt ? record.expiresAt.getTime() : null,
    allow: buildAllowList(record.ipAllowlist),
    planAllowed: planAllows(record.plan, record.kind),
    ownerOutcome: null,
    checksumTag,
    usage: newUsageMeter(record.id),
  };
}

/**
 * Bounded in-memory caches that make a warm verification free of database queries:
 * credentials by hash, acting-user memberships, and recently seen unknown hashes. Hashes here are
 * the in-memory digests of `credentialDigest`.
 */
export class VerificationCache {
  readonly #credentials: LRUCache<string, CachedCredential>;
  readonly #idToHash = new Map<string, string>();
  readonly #memberships: LRUCache<string, { role: Role | null }>;
  readonly #unknown: LRUCache<string, true>;
  /**
   * How many cached credentials carry each checksum tag (see {@link VerificationCache.mayHold}),
   * saturating at 255 (a saturated count is never lowered: it only keeps a shortcut off).
   */
  readonly #tags = new Uint8Array(CHECKSUM_TAG_MASK + 1);
  #generation = 0;

  constructor(options: VerificationCacheOptions = {}) {
    const ttl = options.ttlMs ?? 60_000;
    this.#credentials = new LRUCache({
      max: options.maxCredentials ?? 100_000,
      ttl,
      ...requestPathTtl,
      dispose: (value, hash) => {
        if (this.#idToHash.get(value.id) === hash) this.#idToHash.delete(value.id);
        const count = this.#tags[value.checksumTag] ?? 0;
        if (count > 0 && count < 255) this.#tags[value.checksumTag] = count - 1;
      },
    });
    this.#memberships = new LRUCache({ max: options.maxMemberships ?? 100_000, ttl, ...requestPathTtl });
    this.#unknown = new LRUCache({
      max: options.maxNegative ?? 50_000,
      ttl: options.negativeTtlMs ?? 30_000,
      ...requestPathTtl,
    });
  }

  /**
   * Bumped by every invalidation. A load that started under an older generation may have read
   * state from before the change, so its result must not be cached (or shared with requests that
   * arrive after the change).
   */
  get generation(): number {
    return this.#generation;
  }

  getCredential(hash: string): CachedCredential | undefined {
    return this.#credentials.get(hash);
  }

  setCredential(hash: string, entry: CachedCredential): void {
    this.#credentials.set(hash, entry);
    this.#idToHash.set(entry.id, hash);
    const count = this.#tags[entry.checksumTag] ?? 0;
    if (count < 255) this.#tags[entry.checksumTag] = count + 1;
  }

  /**
   * Whether a cached credential may carry this checksum tag. When none does, a token cannot be a
   * cache hit, so the verifier checks its format (CRC32) before spending a SHA-256 on it.
   */
  mayHold(checksumTag: number): boolean {
    return this.#tags[checksumTag] !== 0;
  }

  isKnownUnknown(hash: string): boolean {
    return this.#unknown.has(hash);
  }

  rememberUnknown(hash: string): void {
    this.#unknown.set(hash, true);
  }

  getMembership(companyId: string, userId: string): { role: Role | null } | undefined {
    return this.#memberships.get(`${companyId}:${userId}`);
  }

  setMembership(companyId: string, userId: string, role: Role | null): void {
    this.#memberships.set(`${companyId}:${userId}`, { role });
  }

  /** Drops one credential (revoked, deactivated, activated, rolled or changed). */
  invalidateCredential(credentialId: string): void {
    this.#generation++;
    const hash = this.#idToHash.get(credentialId);
    if (hash !== undefined) this.#credentials.delete(hash);
  }

  /** Drops a user's membership and every cached PAT they own (role change, deletion, creation). */
  invalidateUser(companyId: string, userId: string): void {
    this.#generation++;
    this.#memberships.delete(`${companyId}:${userId}`);
    this.#dropWhere((entry) => entry.ownerUserId === userId || entry.companyOwnerId === userId);
  }

  /** Drops everything cached for a company (plan, owner or settings change). */
  invalidateCompany(companyId: string): void {
    this.#generation++;
    this.#dropWhere((entry) => entry.companyId === companyId);
    for (const key of [...this.#memberships.keys()]) {
      if (key.startsWith(`${companyId}:`)) this.#memberships.delete(key);
    }
  }

  clear(): void {
    this.#generation++;
    this.#credentials.clear();
    this.#memberships.clear();
    this.#unknown.clear();
  }

  get size(): { credentials: number; memberships: number; unknown: number } {
    return {
      credentials: this.#credentials.size,
      memberships: this.#memberships.size,
      unknown: this.#unknown.size,
    };
  }

  // Company- and user-wide changes are rare admin actions, so a scan beats keeping more indexes
  // on the hot path.
  #dropWhere(predicate: (entry: CachedCredential) => boolean): void {
    const doomed: string[] = [];
    for (const [hash, entry] of this.#credentials.entries()) if (predicate(entry)) doomed.push(hash);
    for (const hash of doomed) this.#credentials.delete(hash);
  }
}
