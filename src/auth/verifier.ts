import { now } from '../clock.js';
import type { CredentialFormats } from '../credentials/format.js';
import { credentialDigest, digestToHex } from '../credentials/hash.js';
import { isUuid } from '../ids.js';
import type { CredentialSource } from './credential-source.js';
import type { Principal, VerifyOutcome } from './outcome.js';
import { type CachedCredential, ipAllowed, toCached, VerificationCache } from './verification-cache.js';

/** One request's authentication inputs. */
export interface VerifyRequest {
  /** The raw `Authorization` header value. */
  authorization: string | undefined;
  /** The raw acting-user header value (`x-meetergo-api-user-id` by default). */
  actingUserId?: string | undefined;
  /** Endpoints such as `GET /v4/user/me` let an API key act as the company owner without the header. */
  ownerDefault?: boolean;
  /** Client IP, checked against a key's IP allow-list. */
  ip?: string | undefined;
}

/** A rolled credential used after its overlap window ended (worth an audit entry). */
export interface RolledReuse {
  credentialId: string;
  companyId: string;
  ip: string | undefined;
}

export interface VerifierOptions {
  formats: CredentialFormats;
  source: CredentialSource;
  cache?: VerificationCache;
  /** Milliseconds since the epoch; injectable for tests. */
  clock?: () => number;
  onRolledReuse?: (event: RolledReuse) => void;
}

export interface Verifier {
  /** Verifies a request. Never throws for bad input; throws only if the store fails. */
  verify(request: VerifyRequest): Promise<VerifyOutcome>;
  /**
   * The synchronous warm path: the outcome when it can be decided from memory alone
   * (malformed, cached or known-unknown credentials), else `undefined`.
   */
  verifyFromCache(request: VerifyRequest): VerifyOutcome | undefined;
  readonly cache: VerificationCache;
}

const MISSING: VerifyOutcome = { kind: 'missing' };
const SCHEME: VerifyOutcome = { kind: 'invalid', reason: 'scheme' };
const MALFORMED: VerifyOutcome = { kind: 'invalid', reason: 'malformed' };
const UNKNOWN: VerifyOutcome = { kind: 'invalid', reason: 'unknown' };

const BEARER = 'bearer';

/** A cold lookup in progress, shared by concurrent verifications of one digest. */
interface InflightLoad {
  hash: string;
  generation: number;
  promise: Promise<CachedCredential | null>;
}

/**
 * Slots of the table of cold lookups in progress (a power of two). The table is an array indexed
 * by the digest's first bytes, not a `Map`: a `Map` written and cleared on every cold lookup
 * rebuilds its hash table every few lookups, and V8 allocates the new table in the old generation
 * when the old one is there, with the lookups then in flight in it, and leaves the old table
 * holding its entries and a link to the new one (`OrderedHashTable::Rehash`). Whatever an
 * old-generation table points to survives minor GCs, so finished lookups were promoted until the
 * next major GC: about 350 KB per scavenge in a probe of bench row 3 on PostgreSQL, where the main
 * thread spent 34 µs per cold verification and V8's helper threads 2.5 µs (28.6 and 0.7 µs with
 * this table). An array slot holds only the lookup running in it. Two digests in one slot only
 * share no query.
 */
const INFLIGHT_SLOTS = 1024;

/**
 * What a verification must still ask the store after memory could not decide it. Told apart
 * from outcomes by `kind`, like the outcomes themselves (a property read, cheaper than `in`).
 */
type StoreLookup =
  | { kind: 'lookup_credential'; hash: string; checksumTag: number }
  | { kind: 'lookup_membership'; entry: CachedCredential; userId: string };
const isSpace = (code: number) => code === 32 || code === 9;

/**
 * Extracts the token from `Bearer <token>` (scheme case-insensitive, surrounding spaces and tabs
 * ignored); `null` for anything else. Whatever else the token holds is the format's concern.
 */
export function bearerToken(header: string): string | null {
  if (header.length < 8 || header.charCodeAt(6) !== 32) return null;
  // The common spelling, one native compare; any other casing takes the loop below.
  if (
    header.startsWith('Bearer ') &&
    !isSpace(header.charCodeAt(7)) &&
    !isSpace(header.charCodeAt(header.length - 1))
  )
    return header.slice(7);
  // `| 32` lower-cases an ASCII letter; only 'B'/'b' (…) map onto the letters of "bearer".
  for (let i = 0; i < 6; i++) if ((header.charCodeAt(i) | 32) !== BEARER.charCodeAt(i)) return null;
  let start = 7;
  let end = header.length;
  while (start < end && isSpace(header.charCodeAt(start))) start++;
  while (end > start && isSpace(header.charCodeAt(end - 1))) end--;
  return start === end ? null : header.slice(start, end);
}

/**
 * The verification pipeline: header → parse (checksum, no I/O) → SHA-256 → cache or one store
 * query → state, expiry, plan, IP and acting-user rules → a typed outcome.
 *
 * @example
 * const verifier = createVerifier({ formats: createFormats(), source });
 * const outcome = await verifier.verify({ authorization: req.headers.authorization });
 * if (outcome.kind === 'valid') console.log(outcome.principal.userId);
 */
export function createVerifier(options: VerifierOptions): Verifier {
  const { formats, source } = options;
  const cache = options.cache ?? new VerificationCache();
  const clock = options.clock ?? now;
  // Concurrent cold lookups of one hash share a query, but only within one cache generation.
  const inflight: (InflightLoad | undefined)[] = new Array(INFLIGHT_SLOTS).fill(undefined);
  /** The slot of a digest (a binary string of uniformly random characters). */
  const slotOf = (hash: string) => ((hash.charCodeAt(0) << 8) | hash.charCodeAt(1)) & (INFLIGHT_SLOTS - 1);
  /** The lookup of `hash` in this generation, when its slot still holds it. */
  const pendingIn = (slot: number, hash: string, generation: number) => {
    const pending = inflight[slot];
    return pending !== undefined && pending.hash === hash && pending.generation === generation
      ? pending
      : undefined;
  };

  /**
   * The token when the header holds something shaped like a credential (scheme, length, prefix),
   * else the outcome. The full format check (alphabet and CRC32) runs only on a cache miss: a
   * cache hit means the SHA-256 of this exact token matched a stored credential, which only a
   * well-formed token can. Either way nothing malformed reaches the database.
   */
  // The common spelling of a well-shaped header, `Bearer <prefix>…` at the exact length, is
  // recognised with one length compare and one native prefix compare.
  const patHeader = `Bearer ${formats.patPrefix}`;
  const patHeaderLength = 7 + formats.lengths.pat;
  const apiKeyHeader = `Bearer ${formats.apiKeyPrefix}:`;
  const apiKeyHeaderLength = 7 + formats.lengths.api_key;

  function prepare(request: VerifyRequest): VerifyOutcome | string {
    const header = request.authorization;
    if (header === undefined || header === '') return MISSING;
    if (
      (header.length === patHeaderLength && header.startsWith(patHeader)) ||
      (header.length === apiKeyHeaderLength && header.startsWith(apiKeyHeader))
    )
      return header.slice(7);
    const token = bearerToken(header);
    if (token === null) return SCHEME;
    return formats.hasShape(token) ? token : MALFORMED;
  }

  function decideMembership(
    entry: CachedCredential,
    actingUserId: string,
    role: Principal['role'] | null,
  ): VerifyOutcome {
    if (role === null) return { kind: 'acting_user_not_in_company', credentialId: entry.id };
    return { kind: 'valid', principal: principalOf(entry, actingUserId, role) };
  }

  /** Everything after the lookup; the acting user's id when their membership must be looked up. */
  // The entry was found by the SHA-256 of the whole token, so it is this token's row.
  function decide(entry: CachedCredential, request: VerifyRequest): VerifyOutcome | string {
    if (entry.state === 'revoked') return { kind: 'invalid', reason: 'revoked' };
    if (entry.expiresAtMs !== null && clock() >= entry.expiresAtMs) {
      if (entry.replaced) {
        options.onRolledReuse?.({ credentialId: entry.id, companyId: entry.companyId, ip: request.ip });
        return { kind: 'invalid', reason: 'rolled' };
      }
      return { kind: 'expired', credentialId: entry.id };
    }
    if (entry.state === 'deactivated') return { kind: 'deactivated', credentialId: entry.id };
    if (!entry.planAllowed) return { kind: 'plan_required', credentialId: entry.id };
    if (entry.allow !== null && !ipAllowed(entry.allow, request.ip)) {
      return { kind: 'ip_not_allowed', credentialId: entry.id };
    }

    const header = request.actingUserId?.trim() || undefined;
    if (entry.kind === 'pat') {
      if (entry.ownerUserId === null || entry.ownerRole === null)
        return { kind: 'invalid', reason: 'owner_gone' };
      if (header !== undefined && header.toLowerCase() !== entry.ownerUserId) {
        return { kind: 'impersonation_forbidden', credentialId: entry.id };
      }
      return ownerOutcome(entry, entry.ownerUserId, entry.ownerRole);
    }

    if (header === undefined) {
      if (!request.ownerDefault) return { kind: 'acting_user_required', credentialId: entry.id };
      if (entry.companyOwnerId === null)
        return { kind: 'acting_user_not_in_company', credentialId: entry.id };
      return ownerOutcome(entry, entry.companyOwnerId, 'owner');
    }
    if (!isUuid(header)) return { kind: 'acting_user_not_in_company', credentialId: entry.id };
    const actingUserId = header.toLowerCase();
    const member = cache.getMembership(entry.companyId, actingUserId);
    if (member === undefined) return actingUserId;
    return decideMembership(entry, actingUserId, member.role);
  }

  /**
   * The cache entry for a digest from the store, caching it unless an invalidation happened
   * meanwhile. Concurrent lookups of one digest share one query.
   */
  function load(hash: string, checksumTag: number): Promise<CachedCredential | null> {
    const generation = cache.generation;
    const slot = slotOf(hash);
    const pending = pendingIn(slot, hash, generation);
    if (pending !== undefined) return pending.promise;
    const promise = fetchEntry(hash, checksumTag, generation, slot);
    inflight[slot] = { hash, generation, promise };
    return promise;
  }

  // One async frame with the bookkeeping in `finally`: no `.then()`/`.finally()` promises, and
  // the caller awaits this frame's own promise (an async function returning another promise would
  // cost two more microtask turns to adopt it). The slot is cleared only when it still holds this
  // digest in this generation (a later lookup of another digest may have taken it).
  async function fetchEntry(
    hash: string,
    checksumTag: number,
    generation: number,
    slot: number,
  ): Promise<CachedCredential | null> {
    try {
      const record = await source.findByHash(digestToHex(hash));
      // An invalidation while the query ran may mean the row we read is already stale
      // (revoked, deactivated, rolled): answer this request from it, but never cache it.
      const fresh = cache.generation === generation;
      if (record === null) {
        if (fresh) cache.rememberUnknown(hash);
        return null;
      }
      const entry = toCached(record, checksumTag);
      if (fresh) cache.setCredential(hash, entry);
      return entry;
    } finally {
      if (pendingIn(slot, hash, generation) !== undefined) inflight[slot] = undefined;
    }
  }

  /**
   * What memory alone decides: an outcome, or what the store must still be asked — the digest of
   * a well-formed credential that is not cached, or an acting user's membership. Runs the
   * header parse, SHA-256 and the format check at most once per verification. The format check
   * (alphabet and CRC32) is skipped on a cache hit, which only the exact token of a stored
   * credential can produce; it runs first when no cached credential carries the token's
   * checksum tag, so that a malformed token costs a CRC32 and never a SHA-256.
   */
  function fromMemory(request: VerifyRequest): VerifyOutcome | StoreLookup {
    const token = prepare(request);
    if (typeof token !== 'string') return token;
    const checksumTag = formats.checksumTag(token);
    const checkedFirst = !cache.mayHold(checksumTag);
    if (checkedFirst && formats.check(token) === null) return MALFORMED;
    const hash = credentialDigest(token);
    const entry = cache.getCredential(hash);
    if (entry === undefined) {
      if (!checkedFirst && formats.check(token) === null) return MALFORMED;
      return cache.isKnownUnknown(hash) ? UNKNOWN : { kind: 'lookup_credential', hash, checksumTag };
    }
    const decided = decide(entry, request);
    return typeof decided === 'string' ? { kind: 'lookup_membership', entry, userId: decided } : decided;
  }

  function verifyFromCache(request: VerifyRequest): VerifyOutcome | undefined {
    const decided = fromMemory(request);
    return decided.kind === 'lookup_credential' || decided.kind === 'lookup_membership' ? undefined : decided;
  }

  /**
   * Everything decided in memory (a cached credential, anything malformed, a known unknown) is
   * answered with an already-settled promise and no async frame; the rest goes to the store.
   */
  function verify(request: VerifyRequest): Promise<VerifyOutcome> {
    const decided = fromMemory(request);
    if (decided.kind === 'lookup_credential')
      return loadAndDecide(decided.hash, decided.checksumTag, request);
    if (decided.kind === 'lookup_membership') return membershipOutcome(decided.entry, decided.userId);
    return Promise.resolve(decided);
  }

  async function loadAndDecide(
    hash: string,
    checksumTag: number,
    request: VerifyRequest,
  ): Promise<VerifyOutcome> {
    const entry = await load(hash, checksumTag);
    if (entry === null) return UNKNOWN;
    const decided = decide(entry, request);
    return typeof decided === 'string' ? membershipOutcome(entry, decided) : decided;
  }

  async function membershipOutcome(entry: CachedCredential, userId: string): Promise<VerifyOutcome> {
    const generation = cache.generation;
    const role = await source.findMembership(entry.companyId, userId);
    if (cache.generation === generation) cache.setMembership(entry.companyId, userId, role);
    return decideMembership(entry, userId, role);
  }

  return { verify, verifyFromCache, cache };
}

/**
 * The valid outcome of a credential acting as its PAT owner or, for an API key without the
 * header, as the company owner: the same every time, so it is built once per cache entry and
 * frozen (callers must treat outcomes as read-only).
 */
function ownerOutcome(entry: CachedCredential, userId: string, role: Principal['role']): VerifyOutcome {
  if (entry.ownerOutcome === null) {
    const principal = principalOf(entry, userId, role);
    Object.freeze(principal.credential);
    entry.ownerOutcome = Object.freeze({ kind: 'valid' as const, principal: Object.freeze(principal) });
  }
  return entry.ownerOutcome;
}

function principalOf(entry: CachedCredential, userId: string, role: Principal['role']): Principal {
  return {
    companyId: entry.companyId,
    plan: entry.plan,
    userId,
    role,
    via: entry.kind,
    credential: {
      id: entry.id,
      kind: entry.kind,
      publicId: entry.publicId,
      scopes: entry.scopes,
      expiresAt: entry.expiresAt,
      rateLimit: entry.rateLimit ?? entry.companyRateLimit,
      limitedUsage: entry.limitedUsage,
      usage: entry.usage,
    },
  };
}
