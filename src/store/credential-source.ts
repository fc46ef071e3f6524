import { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import type { CredentialRecord, CredentialSource } from '../auth/credential-source.js';
import type { Plan } from '../auth/outcome.js';
import type { Role } from '../auth/scopes.js';
import { isUuid } from '../ids.js';
import type { Store } from './database.js';
import type { CredentialRow, RateLimitSetting } from './schema.js';

/**
 * What verification needs, as one statement: the credential, its company's plan, default rate
 * limit and owner, and the PAT owner's role. The row comes back as one JSON array, so the client
 * decodes it with a single native `JSON.parse` instead of a type parser per column (timestamps,
 * arrays and JSON objects are the costly ones): measured, about 1.5× the cold lookups per second
 * on PGlite and about 6% more on PostgreSQL (bench row 3). The expiry travels as epoch
 * milliseconds.
 */
const BY_HASH_COLUMNS =
  'json_build_array(c.id, c.kind, c.public_id, c.company_id, co.plan, ' +
  "co.settings -> 'rateLimit', " +
  // Only an API key acts as its company's owner; for a PAT the sub-select is never run.
  "case when c.kind = 'api_key' then (select o.id from users o where o.company_id = c.company_id and o.role = 'owner') end, " +
  'c.owner_user_id, u.role, c.scopes, floor(extract(epoch from c.expires_at) * 1000)::bigint, c.state, ' +
  'c.replaced_by_id is not null, c.ip_allowlist, c.rate_limit, c.usage_remaining is not null)';
const BY_HASH_FROM =
  'from credentials c inner join companies co on co.id = c.company_id ' +
  'left join users u on u.id = c.owner_user_id';
export const BY_HASH_SQL = `select ${BY_HASH_COLUMNS} as r ${BY_HASH_FROM} where c.secret_hash = $1`;
/**
 * {@link BY_HASH_SQL} for several hashes at once, each row with the hash it was found by. The
 * lateral join runs the one-hash lookup per element (`limit 1` keeps the planner from flattening
 * it), so every element is one index probe whatever the planner thinks of the table's size: with
 * `= any($1)` or a flattened join, a generic plan scanned the table.
 */
export const BY_HASHES_SQL =
  `select h.hash, x.r from unnest($1::text[]) as h(hash) cross join lateral ` +
  `(select ${BY_HASH_COLUMNS} as r ${BY_HASH_FROM} where c.secret_hash = h.hash limit 1) as x`;
const MEMBERSHIP_SQL = 'select role from users where id = $1 and company_id = $2';
const HEX_64 = /^[0-9a-f]{64}$/;

/** The JSON array of {@link BY_HASH_SQL}, in its order. */
type ByHashRow = [
  id: string,
  kind: CredentialRow['kind'],
  publicId: string,
  companyId: string,
  plan: Plan,
  companyRateLimit: RateLimitSetting | null,
  companyOwnerId: string | null,
  ownerUserId: string | null,
  ownerRole: Role | null,
  scopes: string[] | null,
  expiresAtMs: number | null,
  state: CredentialRow['state'],
  replaced: boolean,
  ipAllowlist: string[] | null,
  rateLimit: RateLimitSetting | null,
  limitedUsage: boolean,
];

function toRecord(row: ByHashRow): CredentialRecord {
  const [
    id,
    kind,
    publicId,
    companyId,
    plan,
    companyRateLimit,
    companyOwnerId,
    ownerUserId,
    ownerRole,
    scopes,
    expiresAtMs,
    state,
    replaced,
    ipAllowlist,
    rateLimit,
    limitedUsage,
  ] = row;
  return {
    id,
    kind,
    publicId,
    companyId,
    plan,
    companyOwnerId,
    companyRateLimit,
    ownerUserId,
    ownerRole,
    scopes,
    expiresAt: expiresAtMs === null ? null : new Date(expiresAtMs),
    state,
    replaced,
    ipAllowlist,
    rateLimit,
    limitedUsage,
  };
}

/**
 * The embedded database parses and plans every statement it is sent, which costs more than
 * running it; a server-side `PREPARE` once and `EXECUTE` per lookup removes that. `EXECUTE` takes
 * no bind parameters, so values are inlined, and only after checking they are a hex digest or a
 * UUID (nothing else can reach here: the verifier hashes, the acting user is UUID-checked).
 */
/** Statements are prepared once per embedded database, however many sources (wardens) share it. */
const prepared = new WeakMap<PGlite, Promise<unknown>>();

function prepareOnce(client: PGlite): Promise<unknown> {
  let ready = prepared.get(client);
  if (ready === undefined) {
    ready = client
      .exec(
        `prepare keywarden_by_hash(text) as ${BY_HASH_SQL}; ` +
          `prepare keywarden_by_hashes(text[]) as ${BY_HASHES_SQL}; ` +
          `prepare keywarden_membership(uuid, uuid) as ${MEMBERSHIP_SQL};`,
      )
      .catch((error: unknown) => {
        // A failed PREPARE (the database closing under us) is retried by the next lookup.
        prepared.delete(client);
        throw error;
      });
    prepared.set(client, ready);
  }
  return ready;
}

function createPgliteSource(store: Store, client: PGlite): CredentialSource {
  const prepare = () => prepareOnce(client);
  const findByHash = batchedByHash(
    store,
    lookupsInFlight(client),
    async (hash) => {
      await prepare();
      const { rows } = await client.query<{ r: ByHashRow }>(`execute keywarden_by_hash('${hash}')`);
      return rows[0] ? toRecord(rows[0].r) : null;
    },
    async (hashes) => {
      await prepare();
      const list = hashes.map((hash) => `'${hash}'`).join(',');
      const { rows } = await client.query<{ hash: string; r: ByHashRow }>(
        `execute keywarden_by_hashes(array[${list}])`,
      );
      return new Map(rows.map((row) => [row.hash, toRecord(row.r)]));
    },
  );
  return {
    findByHash,
    async findMembership(companyId, userId) {
      if (!isUuid(companyId) || !isUuid(userId)) return null;
      await prepare();
      store.noteStatement();
      const { rows } = await client.query<{ role: Role }>(
        `execute keywarden_membership('${userId}', '${companyId}')`,
      );
      return rows[0]?.role ?? null;
    },
  };
}

/**
 * A named prepared statement's query configs, one per call. pg 8.23 copies every config object
 * it is given, property descriptors and all (about 2 µs; brianc/node-postgres#3743 would remove
 * it), so the constant fields live on a shared frozen prototype and only `values` is the call's
 * own to copy. Rows come back as arrays: the statements return one column.
 */
function namedStatement(name: string, text: string): (values: unknown[]) => pg.QueryArrayConfig {
  const constant = Object.freeze({ name, text, rowMode: 'array' as const });
  return (values) => {
    const config: pg.QueryArrayConfig = Object.create(constant);
    config.values = values;
    return config;
  };
}

/** On a server: named prepared statements (parsed and planned once per connection), no ORM in between. */
function createServerSource(store: Store, pool: pg.Pool): CredentialSource {
  const byHash = namedStatement('keywarden_by_hash', BY_HASH_SQL);
  const byHashes = namedStatement('keywarden_by_hashes', BY_HASHES_SQL);
  const membership = namedStatement('keywarden_membership', MEMBERSHIP_SQL);
  const findByHash = batchedByHash(
    store,
    lookupsInFlight(pool),
    async (hash) => {
      const { rows } = await pool.query<[ByHashRow]>(byHash([hash]));
      return rows[0] ? toRecord(rows[0][0]) : null;
    },
    async (hashes) => {
      const { rows } = await pool.query<[string, ByHashRow]>(byHashes([hashes]));
      return new Map(rows.map(([hash, row]) => [hash, toRecord(row)]));
    },
  );
  return {
    findByHash,
    async findMembership(companyId, userId) {
      if (!isUuid(companyId) || !isUuid(userId)) return null;
      store.noteStatement();
      const { rows } = await pool.query<[Role]>(membership([userId, companyId]));
      return rows[0]?.[0] ?? null;
    },
  };
}

/** The most hashes one statement asks for; more waiting lookups go out as several statements. */
const MAX_BATCH = 64;

/**
 * How many lookup statements run at once (see {@link batchedByHash}). The embedded database runs
 * one statement at a time on this thread anyway: one, and every miss that arrives meanwhile joins
 * the next. On a server, as many as the pool has connections: a miss never waits while a
 * connection is free, and misses batch only once every connection is busy (where they would
 * otherwise queue in the pool). In bench row 3 (8 verifications in flight, a pool of 10, two
 * cores shared with PostgreSQL), this read 0.83× of the raw one-table baseline on a quiet machine
 * where four statements with batching read 0.60× (batches of two or three hashes ran one after
 * another in one backend while the others idled), and both read 0.77–0.78× with one core taken by
 * another process.
 */
export function lookupsInFlight(client: PGlite | pg.Pool): number {
  return client instanceof PGlite ? 1 : (client.options.max ?? 10);
}

interface PendingLookup {
  hash: string;
  resolve(record: CredentialRecord | null): void;
  reject(error: unknown): void;
}

/**
 * Lookups by hash, batched the way a database batches commits: while fewer than `inFlight`
 * lookup statements are running, a lookup goes out at once, alone; once they all run, lookups
 * wait, and when one finishes, everything that waited goes out as one statement. An idle server
 * answers each lookup without delay, and under load N waiting lookups cost one round trip and
 * one socket write instead of N (on PostgreSQL that write, which wakes a backend, is the largest
 * single cost of a lookup in Node.js: bench row 3); the batches grow with the load. A failed
 * statement fails every lookup in it, as a shared lookup does. Only hex digests (what the
 * verifier sends) are looked up; anything else is unknown without a statement.
 */
export function batchedByHash(
  store: Pick<Store, 'noteStatement' | 'noteLookups'>,
  inFlight: number,
  one: (hash: string) => Promise<CredentialRecord | null>,
  many: (hashes: readonly string[]) => Promise<Map<string, CredentialRecord>>,
): CredentialSource['findByHash'] {
  const waiting: PendingLookup[] = [];
  let running = 0;

  async function run(batch: PendingLookup[]): Promise<void> {
    store.noteStatement();
    store.noteLookups(batch.length);
    try {
      if (batch.length === 1) {
        const only = batch[0] as PendingLookup;
        only.resolve(await one(only.hash));
      } else {
        const found = await many(batch.map((lookup) => lookup.hash));
        for (const lookup of batch) lookup.resolve(found.get(lookup.hash) ?? null);
      }
    } catch (error) {
      for (const lookup of batch) lookup.reject(error);
    } finally {
      running--;
      dispatch();
    }
  }

  function dispatch(): void {
    while (waiting.length > 0 && running < inFlight) {
      running++;
      void run(waiting.splice(0, MAX_BATCH));
    }
  }

  const none = Promise.resolve(null);
  return (hash) => {
    if (!HEX_64.test(hash)) return none;
    return new Promise((resolve, reject) => {
      waiting.push({ hash, resolve, reject });
      dispatch();
    });
  };
}

/**
 * The store's implementation of the verification port: one indexed statement by hash that also
 * brings the company's plan, owner and default rate limit and the PAT owner's role, plus the
 * acting user's membership. The same SQL on both drivers, each run the cheapest way it allows.
 */
export function createStoreCredentialSource(store: Store): CredentialSource {
  const client = store.client;
  return client instanceof PGlite ? createPgliteSource(store, client) : createServerSource(store, client);
}
