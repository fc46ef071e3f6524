import type { PGlite } from '@electric-sql/pglite';
import { and, eq, sql } from 'drizzle-orm';
import type { CredentialRecord, CredentialSource } from '../auth/credential-source.js';
import type { Plan } from '../auth/outcome.js';
import type { Role } from '../auth/scopes.js';
import type { Database, Store } from './database.js';
import { type CompanySettings, type CredentialRow, companies, credentials, users } from './schema.js';

/** The columns verification needs, as one statement (the PGlite path prepares it server-side). */
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

/**
 * The embedded database parses and plans every statement Drizzle sends it, which costs more than
 * running it; a server-side `PREPARE` once and `EXECUTE` per lookup removes that. `EXECUTE` takes
 * no bind parameters, so values are inlined, and only after checking they are a hex digest or a
 * UUID (nothing else can reach here: the verifier hashes, the acting user is UUID-checked).
 */
function createPgliteSource(store: Store & { client: PGlite }): CredentialSource {
  const client = store.client;
  let ready: Promise<unknown> | null = null;
  const prepare = () => {
    ready ??= client.exec(
      `prepare keywarden_by_hash(text) as ${BY_HASH_SQL}; prepare keywarden_membership(uuid, uuid) as ${MEMBERSHIP_SQL};`,
    );
    return ready;
  };
  return {
    async findByHash(hash) {
      if (!HEX_64.test(hash)) return null;
      await prepare();
      store.noteStatement();
      const { rows } = await client.query<ByHashRow>(`execute keywarden_by_hash('${hash}')`);
      const row = rows[0];
      if (!row) return null;
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

/** The store's implementation of the verification port, for whichever database it runs on. */
export function createStoreCredentialSource(store: Store): CredentialSource {
  return store.driver === 'pglite'
    ? createPgliteSource(store as Store & { client: PGlite })
    : createCredentialSource(store.db);
}

/**
 * Builds the store's implementation of the verification port: one indexed query by hash that
 * also brings the company's plan, owner and default rate limit and the PAT owner's role.
 */
export function createCredentialSource(db: Database): CredentialSource {
  const owner = sql<
    string | null
  >`(select o.id from users o where o.company_id = ${credentials.companyId} and o.role = 'owner')`;
  const byHash = db
    .select({
      id: credentials.id,
      kind: credentials.kind,
      publicId: credentials.publicId,
      companyId: credentials.companyId,
      plan: companies.plan,
      settings: companies.settings,
      companyOwnerId: owner,
      ownerUserId: credentials.ownerUserId,
      ownerRole: users.role,
      scopes: credentials.scopes,
      expiresAt: credentials.expiresAt,
      state: credentials.state,
      replacedById: credentials.replacedById,
      ipAllowlist: credentials.ipAllowlist,
      rateLimit: credentials.rateLimit,
      usageRemaining: credentials.usageRemaining,
    })
    .from(credentials)
    .innerJoin(companies, eq(companies.id, credentials.companyId))
    .leftJoin(users, eq(users.id, credentials.ownerUserId))
    .where(eq(credentials.secretHash, sql.placeholder('hash')))
    .prepare('keywarden_credential_by_hash');

  const membership = db
    .select({ role: users.role })
    .from(users)
    .where(and(eq(users.id, sql.placeholder('userId')), eq(users.companyId, sql.placeholder('companyId'))))
    .prepare('keywarden_membership');

  return {
    async findByHash(hash: string): Promise<CredentialRecord | null> {
      const [row] = await byHash.execute({ hash });
      if (!row) return null;
      return {
        id: row.id,
        kind: row.kind,
        publicId: row.publicId,
        companyId: row.companyId,
        plan: row.plan,
        companyOwnerId: row.companyOwnerId,
        companyRateLimit: row.settings.rateLimit ?? null,
        ownerUserId: row.ownerUserId,
        ownerRole: row.ownerRole,
        scopes: row.scopes,
        expiresAt: row.expiresAt,
        state: row.state,
        replaced: row.replacedById !== null,
        ipAllowlist: row.ipAllowlist,
        rateLimit: row.rateLimit,
        limitedUsage: row.usageRemaining !== null,
      };
    },
    async findMembership(companyId: string, userId: string): Promise<Role | null> {
      const [row] = await membership.execute({ companyId, userId });
      return row?.role ?? null;
    },
  };
}
