import { eq } from 'drizzle-orm';
import { loadConfig } from '../config.js';
import { users } from '../store/schema.js';
import { createWarden, type Warden } from '../warden/create-warden.js';
import type { Caller } from '../warden/credentials-service.js';
import { type CompanyView, toUserView, type UserView } from '../warden/directory-service.js';
import { CliError } from './errors.js';
import type { UserRef } from './parsers.js';

/**
 * Opens a warden on the server's configuration (environment and `.env`), runs `action` and
 * closes it again, also when `action` fails (closing also sends pending invalidations).
 */
export async function withWarden<T>(action: (warden: Warden) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const warden = await createWarden({
    databaseUrl: config.DATABASE_URL,
    defaultPlan: config.DEFAULT_PLAN,
    formats: { patPrefix: config.PAT_PREFIX, apiKeyPrefix: config.API_KEY_PREFIX },
    // Not 'local': on a PostgreSQL server, running servers must hear that a credential was
    // revoked or a user changed, or they would keep honouring their cached verifications.
    // (PGlite is single-process, so there it is local anyway.)
    invalidation: 'auto',
  });
  try {
    return await action(warden);
  } finally {
    await warden.close();
  }
}

/** A management caller acting as `user`, as a dashboard session of that user would. */
export function callerFor(user: Pick<UserView, 'id' | 'companyId' | 'role'>): Caller {
  return { companyId: user.companyId, userId: user.id, role: user.role, credentialId: null, ip: null };
}

/** The company and its owner: the CLI administers a company with the owner's rights. */
export async function ownerOf(
  warden: Warden,
  companyId: string,
): Promise<{ company: CompanyView; owner: UserView; caller: Caller }> {
  const company = await warden.directory.getCompany(companyId);
  if (!company) throw new CliError(`No company with id ${companyId}`);
  const owner = (await warden.directory.listUsers(companyId)).find((user) => user.role === 'owner');
  if (!owner) throw new CliError(`Company ${companyId} has no owner`);
  return { company, owner, caller: callerFor(owner) };
}

/** A user of any company, by id or email. */
export async function findUser(warden: Warden, ref: UserRef): Promise<UserView> {
  if ('email' in ref) {
    const row = await warden.directory.findUserByEmail(ref.email);
    if (!row) throw new CliError(`No user with email ${ref.email}`);
    return toUserView(row);
  }
  // The directory looks users up within a company; the CLI is told only the id.
  const [row] = await warden.store.db.select().from(users).where(eq(users.id, ref.id));
  if (!row) throw new CliError(`No user with id ${ref.id}`);
  return toUserView(row);
}
