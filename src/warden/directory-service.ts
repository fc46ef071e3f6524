import { and, asc, eq } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';
import type { Plan } from '../auth/outcome.js';
import type { Role } from '../auth/scopes.js';
import { requestPathTtl } from '../clock.js';
import { fail, ok, type Result } from '../errors.js';
import { type Actor, writeAudit } from '../store/audit.js';
import type { Database } from '../store/database.js';
import { idIs } from '../store/ids.js';
import {
  type CompanyRow,
  type CompanySettings,
  companies,
  credentials,
  type UserRow,
  users,
} from '../store/schema.js';
import type { ChangeEvent } from './credentials-service.js';
import { hasControlCharacters } from './names.js';

/** A user as returned by the API (never the password hash). */
export interface UserView {
  id: string;
  companyId: string;
  email: string;
  givenName: string;
  familyName: string;
  role: Role;
  timezone: string;
  createdAt: string;
}

export interface CompanyView {
  id: string;
  name: string;
  plan: Plan;
  settings: CompanySettings;
  createdAt: string;
}

export function toUserView(row: UserRow): UserView {
  return {
    id: row.id,
    companyId: row.companyId,
    email: row.email,
    givenName: row.givenName,
    familyName: row.familyName,
    role: row.role,
    timezone: row.timezone,
    createdAt: row.createdAt.toISOString(),
  };
}

export function toCompanyView(row: CompanyRow): CompanyView {
  return {
    id: row.id,
    name: row.name,
    plan: row.plan,
    settings: row.settings,
    createdAt: row.createdAt.toISOString(),
  };
}

export interface NewUserInput {
  email: string;
  givenName?: string;
  familyName?: string;
  role?: Exclude<Role, 'owner'>;
  timezone?: string;
  passwordHash?: string | null;
}

export interface UserPatch {
  email?: string;
  givenName?: string;
  familyName?: string;
  role?: Exclude<Role, 'owner'>;
  timezone?: string;
}

const EMAIL_RE = /^[^\s@]{1,64}@[^\s@]{1,255}$/;
const UNIQUE_VIOLATION = '23505';

function isUniqueViolation(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    if ((current as { code?: unknown }).code === UNIQUE_VIOLATION) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

function validTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

function checkUserFields(input: {
  email?: string;
  timezone?: string;
  givenName?: string;
  familyName?: string;
}) {
  if (input.email !== undefined && !EMAIL_RE.test(input.email))
    return fail('validation_failed', 'email is not valid');
  if (input.timezone !== undefined && !validTimezone(input.timezone)) {
    return fail('validation_failed', 'timezone must be an IANA time zone');
  }
  for (const name of [input.givenName, input.familyName]) {
    if (name === undefined) continue;
    if (name.length > 100) return fail('validation_failed', 'names must be at most 100 characters');
    if (hasControlCharacters(name))
      return fail('validation_failed', 'names must not contain control characters');
  }
  return ok(true);
}

/** A company name as stored: trimmed, 1–200 characters, one line of text. */
function checkCompanyName(raw: string): Result<string> {
  const name = raw.trim();
  if (name.length === 0 || name.length > 200)
    return fail('validation_failed', 'company name must be 1–200 characters');
  if (hasControlCharacters(name))
    return fail('validation_failed', 'company name must not contain control characters');
  return ok(name);
}

/** Companies and their users. Every change is one transaction with its audit event. */
export function createDirectoryService(options: {
  db: Database;
  defaultPlan: Plan;
  onChange: (event: ChangeEvent) => void;
  /** Most user views kept in memory for `getUser` (the `/v4/user/me` path). Default 100,000; 0 disables. */
  maxCachedUsers?: number;
  /** Longest a cached user view is trusted without a reload (ms). Default 60,000. */
  userTtlMs?: number;
}) {
  const { db, defaultPlan, onChange } = options;
  const maxCachedUsers = options.maxCachedUsers ?? 100_000;
  // Users change rarely and every change goes through `onChange`, which calls `forget` on this
  // node and, through the invalidation bus, on the others.
  const userViews =
    maxCachedUsers > 0
      ? new LRUCache<string, UserView>({
          max: maxCachedUsers,
          ttl: options.userTtlMs ?? 60_000,
          ...requestPathTtl,
        })
      : null;
  let generation = 0;

  /** Drops cached views touched by a change (from this node or, via the bus, another). */
  function forget(event: ChangeEvent | { type: 'all' }): void {
    if (userViews === null || event.type === 'credential') return;
    generation++;
    if (event.type === 'user') userViews.delete(event.userId);
    else if (event.type === 'company') {
      for (const [userId, view] of [...userViews.entries()])
        if (view.companyId === event.companyId) userViews.delete(userId);
    } else userViews.clear();
  }

  /** Creates a company and its owner in one transaction. */
  async function createCompany(input: {
    name: string;
    plan?: Plan;
    owner: Omit<NewUserInput, 'role'>;
    ip?: string | null;
  }): Promise<Result<{ company: CompanyView; owner: UserView }>> {
    const named = checkCompanyName(input.name);
    if (!named.ok) return named;
    const name = named.value;
    const email = input.owner.email.trim().toLowerCase();
    const checked = checkUserFields({ ...input.owner, email });
    if (!checked.ok) return checked;
    try {
      return await db.transaction(async (tx) => {
        const [company] = await tx
          .insert(companies)
          .values({ name, plan: input.plan ?? defaultPlan })
          .returning();
        if (!company) throw new Error('insert returned no row');
        const [owner] = await tx
          .insert(users)
          .values({ ...input.owner, email, companyId: company.id, role: 'owner' })
          .returning();
        if (!owner) throw new Error('insert returned no row');
        const actor: Actor = {
          companyId: company.id,
          userId: owner.id,
          credentialId: null,
          ip: input.ip ?? null,
        };
        await writeAudit(tx, actor, 'company.created', null, { name });
        return ok({ company: toCompanyView(company), owner: toUserView(owner) });
      });
    } catch (error) {
      if (isUniqueViolation(error)) return fail('email_taken');
      throw error;
    }
  }

  async function getCompany(companyId: string): Promise<CompanyView | null> {
    const [row] = await db.select().from(companies).where(idIs(companies.id, companyId));
    return row ? toCompanyView(row) : null;
  }

  async function updateCompany(
    actor: Actor,
    patch: { name?: string; plan?: Plan; settings?: CompanySettings },
  ): Promise<Result<CompanyView>> {
    const named = patch.name === undefined ? null : checkCompanyName(patch.name);
    if (named && !named.ok) return named;
    const values = named ? { ...patch, name: named.value } : patch;
    const result = await db.transaction(async (tx) => {
      const [row] = await tx
        .update(companies)
        .set(values)
        .where(eq(companies.id, actor.companyId))
        .returning();
      if (!row) return null;
      await writeAudit(tx, actor, 'company.updated', null, { ...values });
      return row;
    });
    if (!result) return fail('not_found');
    onChange({ type: 'company', companyId: actor.companyId });
    return ok(toCompanyView(result));
  }

  async function findUserByEmail(email: string): Promise<UserRow | null> {
    const [row] = await db.select().from(users).where(eq(users.email, email.trim().toLowerCase()));
    return row ?? null;
  }

  /**
   * {@link getUser} answered from memory alone, without a promise: the view when it is cached,
   * `null` when the cached user is not of this company, `undefined` when it is not in memory.
   */
  function cachedUser(companyId: string, userId: string): UserView | null | undefined {
    // Keyed by the user id alone (ids are unique across companies, and the principal's id string
    // is reused request after request, so the lookup hashes nothing new); the company must match.
    const cached = userViews?.get(userId);
    if (cached === undefined) return undefined;
    return cached.companyId === companyId ? cached : null;
  }

  /** One user of a company, from memory when warm. The view is frozen: callers must not change it. */
  async function getUser(companyId: string, userId: string): Promise<UserView | null> {
    const cached = cachedUser(companyId, userId);
    if (cached !== undefined) return cached;
    const before = generation;
    const [row] = await db
      .select()
      .from(users)
      .where(and(idIs(users.id, userId), idIs(users.companyId, companyId)));
    if (!row) return null;
    const view = Object.freeze(toUserView(row));
    // A change that landed while we read may have made `row` stale: don't keep it.
    if (before === generation) userViews?.set(userId, view);
    return view;
  }

  async function listUsers(companyId: string): Promise<UserView[]> {
    const rows = await db
      .select()
      .from(users)
      .where(idIs(users.companyId, companyId))
      .orderBy(asc(users.createdAt), asc(users.email));
    return rows.map(toUserView);
  }

  async function createUser(actor: Actor, input: NewUserInput): Promise<Result<UserView>> {
    const email = input.email.trim().toLowerCase();
    const checked = checkUserFields({ ...input, email });
    if (!checked.ok) return checked;
    try {
      const row = await db.transaction(async (tx) => {
        const [created] = await tx
          .insert(users)
          .values({ ...input, email, companyId: actor.companyId, role: input.role ?? 'member' })
          .returning();
        if (!created) throw new Error('insert returned no row');
        await writeAudit(tx, actor, 'user.created', null, { userId: created.id, email, role: created.role });
        return created;
      });
      onChange({ type: 'user', companyId: actor.companyId, userId: row.id });
      return ok(toUserView(row));
    } catch (error) {
      if (isUniqueViolation(error)) return fail('email_taken');
      throw error;
    }
  }

  async function updateUser(actor: Actor, userId: string, patch: UserPatch): Promise<Result<UserView>> {
    const email = patch.email?.trim().toLowerCase();
    const values = email === undefined ? patch : { ...patch, email };
    const checked = checkUserFields(values);
    if (!checked.ok) return checked;
    try {
      const result = await db.transaction(async (tx) => {
        const [current] = await tx
          .select()
          .from(users)
          .where(and(idIs(users.id, userId), eq(users.companyId, actor.companyId)))
          .for('update');
        if (!current) return fail<UserRow>('not_found');
        if (current.role === 'owner' && values.role !== undefined) {
          return fail<UserRow>('conflict', "The company owner's role cannot be changed");
        }
        if (Object.keys(values).length === 0) return ok(current);
        const [row] = await tx.update(users).set(values).where(eq(users.id, userId)).returning();
        if (!row) throw new Error('update returned no row');
        await writeAudit(tx, actor, 'user.updated', null, { userId, ...values });
        return ok(row);
      });
      if (!result.ok) return result;
      onChange({ type: 'user', companyId: actor.companyId, userId });
      return ok(toUserView(result.value));
    } catch (error) {
      if (isUniqueViolation(error)) return fail('email_taken');
      throw error;
    }
  }

  /** Deletes a user and revokes their PATs (kept as tombstones). The owner cannot be deleted. */
  async function deleteUser(actor: Actor, userId: string): Promise<Result<UserView>> {
    const result = await db.transaction(async (tx) => {
      const [current] = await tx
        .select()
        .from(users)
        .where(and(idIs(users.id, userId), eq(users.companyId, actor.companyId)))
        .for('update');
      if (!current) return fail<UserRow>('not_found');
      if (current.role === 'owner') return fail<UserRow>('conflict', 'The company owner cannot be deleted');
      await tx
        .update(credentials)
        .set({ state: 'revoked', stateChangedAt: new Date() })
        .where(and(eq(credentials.ownerUserId, userId), eq(credentials.kind, 'pat')));
      await tx.delete(users).where(eq(users.id, userId));
      await writeAudit(tx, actor, 'user.deleted', null, { userId, email: current.email });
      return ok(current);
    });
    if (!result.ok) return result;
    onChange({ type: 'user', companyId: actor.companyId, userId });
    return ok(toUserView(result.value));
  }

  return {
    createCompany,
    getCompany,
    updateCompany,
    findUserByEmail,
    getUser,
    cachedUser,
    listUsers,
    createUser,
    updateUser,
    deleteUser,
    forget,
  };
}

export type DirectoryService = ReturnType<typeof createDirectoryService>;
