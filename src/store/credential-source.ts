import { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import type { CredentialRecord, CredentialSource } from '../auth/credential-source.js';
import type { Plan } from '../auth/outcome.js';
import type { Role } from '../auth/scopes.js';
import type { Store } from './database.js';
import type { CompanySettings, CredentialRow } from './schema.js';

/** The columns verification needs, as one statement. */
const BY_HASH_SQL =
  'select c.id, c.kind, c.public_id, c.company_id, co.plan, co.settings, ' +
  "(select o.id from users o where o.company_id = c.company_id and o.role = 'owner') as company_owner_id, " +
  'c.owner_user_id, u.role as owner_role, c.scopes, c.expires_at, c.state, c.replaced_by_id, ' +
  'c.ip_allowlist, c.rate_limit, c.usage_remaining ' +
  'from credentials c inner join companies co on co.id = c.company_id ' +
  'left join users u on u.id = c.owner_user_id where c.secret_hash = $1';
const MEMBERSHIP_SQL = 'select role from users where id = $1 and company_id = $2';
const HEX_64 = /^[0-9a-f]{64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface ByHashRow {
  id: string;
  kind: CredentialRow['kind'];
  public_id: string;
  company_id: string;
  plan: Plan;
  settings: CompanySettings;
  company_owner_id: string | null;
  owner_user_id: string | null;
  owner_role: Role | null;
  scopes: string[] | null;
  expires_at: Date | null;
  state: CredentialRow['state'];
  replaced_by_id: string | null;
  ip_allowlist: string[] | null;
  rate_limit: CredentialRow['rateLimit'];
  usage_remaining: number | null;
}

function toRecord(row: ByHashRow): CredentialRecord {
  return {
    id: row.id,
    kind: row.kind,
    publicId: row.public_id,
    companyId: row.company_id,
    plan: row.plan,
    companyOwnerId: row.company_owner_id,
    companyRateLimit: row.settings.rateLimit ?? null,
    ownerUserId: row.owner_user_id,
    ownerRole: row.owner_role,
    scopes: row.scopes,
    expiresAt: row.expires_at,
    state: row.state,
    replaced: row.replaced_by_id !== null,
    ipAllowlist: row.ip_allowlist,
    rateLimit: row.rate_limit,
    limitedUsage: row.usage_remaining !== null,
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
        `prepare keywarden_by_hash(text) as ${BY_HASH_SQL}; prepare keywarden_membership(uuid, uuid) as ${MEMBERSHIP_SQL};`,
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
  return {
    async findByHash(hash) {
      if (!HEX_64.test(hash)) return null;
      await prepare();
      store.noteStatement();
      const { rows } = await client.query<ByHashRow>(`execute keywarden_by_hash('${hash}')`);
      return rows[0] ? toRecord(rows[0]) : null;
    },
    async findMembership(companyId, userId) {
      if (!UUID.test(companyId) || !UUID.test(userId)) return null;
      await prepare();
      store.noteStatement();
      const { rows } = await client.query<{ role: Role }>(
        `execute keywarden_membership('${userId}', '${companyId}')`,
      );
      return rows[0]?.role ?? null;
    },
  };
}

/** On a server: named prepared statements (parsed and planned once per connection), no ORM in between. */
function createServerSource(store: Store, pool: pg.Pool): CredentialSource {
  return {
    async findByHash(hash) {
      store.noteStatement();
      const { rows } = await pool.query<ByHashRow>({
        name: 'keywarden_by_hash',
        text: BY_HASH_SQL,
        values: [hash],
      });
      return rows[0] ? toRecord(rows[0]) : null;
    },
    async findMembership(companyId, userId) {
      if (!UUID.test(companyId) || !UUID.test(userId)) return null;
      store.noteStatement();
      const { rows } = await pool.query<{ role: Role }>({
        name: 'keywarden_membership',
        text: MEMBERSHIP_SQL,
        values: [userId, companyId],
      });
      return rows[0]?.role ?? null;
    },
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
