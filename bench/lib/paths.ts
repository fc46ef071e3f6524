import { createHash } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import type { VerifyOutcome } from '../../src/auth/outcome.js';
import { BY_HASH_SQL } from '../../src/store/credential-source.js';
import type { Store } from '../../src/store/database.js';
import type { Warden, WardenOptions } from '../../src/warden/create-warden.js';
import type { KnownCredential } from './seed.js';

/**
 * Cache options that make every verification cold: one cached credential at most, trusted for
 * 1 ms. Cycling over more credentials than that (the benchmarks use ≥ 1,000) means every call
 * misses the cache and runs the store's one indexed query, which `store.queryCount()` confirms.
 */
export const COLD_CACHE: NonNullable<WardenOptions['cache']> = {
  maxCredentials: 1,
  maxMemberships: 1,
  ttlMs: 1,
  negativeTtlMs: 1,
  maxNegative: 1,
};

/**
 * Cache options for warm measurements: the defaults, except that entries are trusted for 30
 * minutes instead of 60 s so none expires in the middle of a row (a row can outlast a minute once
 * seeding and warming are counted). The TTL is checked on every lookup whatever its value, so
 * the measured path is the shipped one.
 */
export const WARM_CACHE: NonNullable<WardenOptions['cache']> = { ttlMs: 30 * 60_000 };

/** One awaited verification of the i-th credential (cycling), failing loudly if it is not valid. */
export function verifyNth(
  warden: Warden,
  known: readonly KnownCredential[],
  options: { ownerDefault?: boolean } = {},
): (i: number) => Promise<VerifyOutcome> {
  const count = known.length;
  return async (i) => {
    const outcome = await warden.verify({
      authorization: known[i % count]?.authorization,
      ownerDefault: options.ownerDefault,
    });
    if (outcome.kind !== 'valid') throw new Error(`verification failed: ${outcome.kind}`);
    return outcome;
  };
}

/** The columns of `credentials` a verification needs, by the secret's hash: the raw baseline. */
export const RAW_SELECT =
  'select id, kind, company_id, owner_user_id, public_id, scopes, expires_at, state, replaced_by_id, ' +
  'ip_allowlist, rate_limit, usage_remaining from credentials where secret_hash = $1';

/**
 * The least a hashed-key lookup can do on the same database through the same client:
 * `sha256(token)` and one indexed `SELECT … WHERE secret_hash = $1` (a named prepared statement
 * on PostgreSQL, as the store's own query is).
 */
export function rawSelectNth(
  store: Store,
  known: readonly KnownCredential[],
): (i: number) => Promise<unknown> {
  const count = known.length;
  const client = store.client;
  const sha = (token: string) => createHash('sha256').update(token).digest('hex');
  if (client instanceof PGlite) {
    return async (i) => {
      const result = await client.query(RAW_SELECT, [sha(known[i % count]?.token ?? '')]);
      if (result.rows.length !== 1) throw new Error('raw select found no row');
      return result;
    };
  }
  return async (i) => {
    const result = await client.query({
      name: 'bench_raw_by_hash',
      text: RAW_SELECT,
      values: [sha(known[i % count]?.token ?? '')],
    });
    if (result.rows.length !== 1) throw new Error('raw select found no row');
    return result;
  };
}

const HEX_64 = /^[0-9a-f]{64}$/;

/**
 * `sha256(token)` and the statement the store runs for a cold verification (`BY_HASH_SQL` in
 * `src/store/credential-source.ts`: the credential joined to its company and PAT owner, plus the
 * company owner, as one JSON array) through the same client: on PostgreSQL a named prepared
 * statement; on PGlite either a fresh parse and plan per call (`prepared: false`, what Drizzle's
 * PGlite driver does) or a server-side `PREPARE` run with `EXECUTE` (`prepared: true`).
 */
export async function rawJoinNth(
  store: Store,
  known: readonly KnownCredential[],
  prepared: boolean,
): Promise<(i: number) => Promise<unknown>> {
  const count = known.length;
  const client = store.client;
  const sha = (token: string) => createHash('sha256').update(token).digest('hex');
  const check = (rows: unknown[]) => {
    if (rows.length !== 1) throw new Error('join select found no row');
  };
  if (client instanceof PGlite) {
    if (!prepared) {
      return async (i) => {
        const result = await client.query(BY_HASH_SQL, [sha(known[i % count]?.token ?? '')]);
        check(result.rows);
        return result;
      };
    }
    await client.exec(`prepare bench_join_by_hash(text) as ${BY_HASH_SQL}`);
    return async (i) => {
      const hash = sha(known[i % count]?.token ?? '');
      // EXECUTE takes no bind parameters; the value is a validated hex digest.
      if (!HEX_64.test(hash)) throw new Error('not a hex digest');
      const result = await client.query(`execute bench_join_by_hash('${hash}')`);
      check(result.rows);
      return result;
    };
  }
  return async (i) => {
    const result = await client.query({
      name: 'bench_join_by_hash',
      text: BY_HASH_SQL,
      values: [sha(known[i % count]?.token ?? '')],
    });
    check(result.rows);
    return result;
  };
}
