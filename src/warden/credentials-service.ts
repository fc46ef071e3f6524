import { isIP } from 'node:net';
import { and, desc, eq, gt, isNull, ne, or, sql } from 'drizzle-orm';
import { PLAN_FOR_KIND, planAllows, type RateLimitPolicy } from '../auth/outcome.js';
import { isCompanyAdmin, isScope, type Role } from '../auth/scopes.js';
import { addDays, expiryFromPreset, type PatExpiryPreset } from '../credentials/expiry.js';
import type { CredentialFormats, CredentialKind } from '../credentials/format.js';
import { fail, ok, type Result } from '../errors.js';
import { type Actor, type AuditAction, writeAudit } from '../store/audit.js';
import type { Database } from '../store/database.js';
import { idIs } from '../store/ids.js';
import { type CredentialRow, companies, credentials, users } from '../store/schema.js';
import { type CredentialView, toView } from './credential-view.js';
import { hasControlCharacters } from './names.js';

/** The authenticated caller of a management operation. */
export interface Caller extends Actor {
  userId: string;
  role: Role;
}

/** The one-time result of issuing or rolling: the secret appears here and nowhere else. */
export interface IssuedCredential {
  token: string;
  credential: CredentialView;
  warning?: string;
}

export interface UsageLimitInput {
  remaining: number;
  refillAmount?: number | null;
  refillInterval?: 'day' | 'month' | null;
}

export interface CreatePatInput {
  name: string;
  /** A preset, or give `expiresAt` instead. */
  expiresIn?: PatExpiryPreset;
  expiresAt?: Date | string;
  scopes?: readonly string[] | null;
  ipAllowlist?: readonly string[] | null;
  rateLimit?: RateLimitPolicy | null;
  usageLimit?: UsageLimitInput | null;
}

export interface CreateApiKeyInput {
  name?: string;
  /** Whole days, 1–90. */
  expiresInDays: number;
  scopes?: readonly string[] | null;
  ipAllowlist?: readonly string[] | null;
  rateLimit?: RateLimitPolicy | null;
  usageLimit?: UsageLimitInput | null;
}

export const DEFAULT_ROLL_OVERLAP_SECONDS = 86_400;
export const MAX_ROLL_OVERLAP_SECONDS = 30 * 86_400;
const MAX_NAME_LENGTH = 100;
const MAX_PAT_LIFETIME_DAYS = 3660;
const NEVER_WARNING =
  'Tokens without an expiration date are not recommended: anyone holding it keeps access until it is revoked.';

/** A cache-relevant change, announced after its transaction commits. */
export type ChangeEvent =
  | { type: 'credential'; id: string }
  | { type: 'user'; companyId: string; userId: string }
  | { type: 'company'; companyId: string };

export interface CredentialsServiceOptions {
  db: Database;
  formats: CredentialFormats;
  clock: () => number;
  onChange: (event: ChangeEvent) => void;
}

function validateName(name: string | undefined, required: boolean): Result<string> {
  const trimmed = (name ?? '').trim();
  if (required && trimmed.length === 0) return fail('validation_failed', 'name is required');
  if (trimmed.length > MAX_NAME_LENGTH)
    return fail('validation_failed', `name must be at most ${MAX_NAME_LENGTH} characters`);
  if (hasControlCharacters(trimmed))
    return fail('validation_failed', 'name must not contain control characters');
  return ok(trimmed);
}

function validateScopes(scopes: readonly string[] | null | undefined): Result<string[] | null> {
  if (!scopes || scopes.length === 0) return ok(null);
  const unknown = scopes.filter((scope) => !isScope(scope));
  if (unknown.length > 0)
    return fail('validation_failed', `Unknown scope: ${unknown.join(', ').slice(0, 200)}`);
  return ok([...new Set(scopes)].sort());
}

function validateAllowlist(entries: readonly string[] | null | undefined): Result<string[] | null> {
  if (!entries || entries.length === 0) return ok(null);
  if (entries.length > 100) return fail('validation_failed', 'ipAllowlist holds at most 100 entries');
  for (const entry of entries) {
    const [address = '', bits, extra] = entry.split('/');
    const family = isIP(address);
    const max = family === 4 ? 32 : 128;
    const validBits = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= max);
    if (family === 0 || !validBits || extra !== undefined) {
      return fail('validation_failed', 'ipAllowlist entries must be IP addresses or CIDR ranges');
    }
  }
  return ok([...entries]);
}

function validateRateLimit(limit: RateLimitPolicy | null | undefined): Result<RateLimitPolicy | null> {
  if (!limit) return ok(null);
  const good =
    Number.isInteger(limit.limit) &&
    limit.limit >= 1 &&
    limit.limit <= 1_000_000 &&
    Number.isInteger(limit.windowSeconds) &&
    limit.windowSeconds >= 1 &&
    limit.windowSeconds <= 86_400;
  return good
    ? ok({ limit: limit.limit, windowSeconds: limit.windowSeconds })
    : fail(
        'validation_failed',
        'rateLimit needs an integer limit (1–1,000,000) and windowSeconds (1–86,400)',
      );
}

/** The most a usage limit may hold or refill (its columns are 32-bit integers). */
export const MAX_USAGE = 1_000_000_000;

function validateUsage(usage: UsageLimitInput | null | undefined): Result<UsageLimitInput | null> {
  if (!usage) return ok(null);
  const amount = usage.refillAmount ?? null;
  const interval = usage.refillInterval ?? null;
  const inRange = (value: number, min: number) =>
    Number.isInteger(value) && value >= min && value <= MAX_USAGE;
  const good =
    inRange(usage.remaining, 0) &&
    (amount === null || inRange(amount, 1)) &&
    (amount === null) === (interval === null);
  return good
    ? ok({ remaining: usage.remaining, refillAmount: amount, refillInterval: interval })
    : fail(
        'validation_failed',
        'usageLimit needs remaining (0–1,000,000,000) and, together or not at all, refillAmount (1–1,000,000,000) and refillInterval',
      );
}

/** Issue, list, deactivate, activate, revoke and roll credentials: each change one transaction with its audit event. */
export function createCredentialsService(options: CredentialsServiceOptions) {
  const { db, formats, clock, onChange } = options;
  const now = () => new Date(clock());
  const view = (row: CredentialRow) => toView(row, formats, now());

  async function companyOf(companyId: string) {
    const [company] = await db.select().from(companies).where(idIs(companies.id, companyId));
    return company;
  }

  /** The expiry for a new PAT after applying the company's cap. */
  function patExpiry(
    input: Pick<CreatePatInput, 'expiresIn' | 'expiresAt'>,
    capDays: number | null | undefined,
  ): Result<Date | null> {
    const at = now();
    // Both given would silently drop one of them; the contract is one or the other.
    if (input.expiresAt !== undefined && input.expiresIn !== undefined)
      return fail('validation_failed', 'Give expiresIn or expiresAt, not both');
    let expiresAt: Date | null;
    if (input.expiresAt !== undefined) {
      expiresAt = new Date(input.expiresAt);
      if (Number.isNaN(expiresAt.getTime()))
        return fail('validation_failed', 'expiresAt must be an ISO date');
      if (expiresAt.getTime() <= at.getTime())
        return fail('expiry_not_allowed', 'expiresAt must be in the future');
      if (expiresAt.getTime() > addDays(at, MAX_PAT_LIFETIME_DAYS).getTime()) {
        return fail(
          'expiry_not_allowed',
          'expiresAt must be within 10 years; use expiresIn "never" for no expiry',
        );
      }
    } else {
      expiresAt = expiryFromPreset(input.expiresIn ?? '30d', at);
    }
    if (capDays) {
      const cap = addDays(at, capDays);
      if (expiresAt === null || expiresAt.getTime() > cap.getTime()) {
        return fail('expiry_not_allowed', `Your company limits personal access tokens to ${capDays} days`);
      }
    }
    return ok(expiresAt);
  }

  async function insertCredential(
    tx: Database,
    caller: Caller,
    kind: CredentialKind,
    values: {
      name: string;
      ownerUserId: string | null;
      expiresAt: Date | null;
      scopes: string[] | null;
      ipAllowlist: string[] | null;
      rateLimit: RateLimitPolicy | null;
      usage: UsageLimitInput | null;
    },
  ) {
    const generated = formats.generate(kind);
    const [row] = await tx
      .insert(credentials)
      .values({
        kind,
        companyId: caller.companyId,
        ownerUserId: values.ownerUserId,
        name: values.name,
        publicId: generated.publicId,
        secretHash: generated.hash,
        scopes: values.scopes,
        createdAt: now(),
        createdBy: caller.userId,
        expiresAt: values.expiresAt,
        ipAllowlist: values.ipAllowlist,
        rateLimit: values.rateLimit,
        usageRemaining: values.usage?.remaining ?? null,
        usageRefillAmount: values.usage?.refillAmount ?? null,
        usageRefillInterval: values.usage?.refillInterval ?? null,
        usageRefilledAt: values.usage ? now() : null,
      })
      .returning();
    if (!row) throw new Error('insert returned no row');
    return { row, token: generated.token };
  }

  function collect<T extends Record<string, Result<unknown>>>(
    results: T,
  ): Result<{ [K in keyof T]: T[K] extends Result<infer V> ? V : never }> {
    const values: Record<string, unknown> = {};
    for (const [key, result] of Object.entries(results)) {
      if (!result.ok) return result;
      values[key] = result.value;
    }
    return ok(values as { [K in keyof T]: T[K] extends Result<infer V> ? V : never });
  }

  /** A live PAT: not revoked, not rolled away, not expired. */
  const livePat = (ownerUserId: string, name: string) =>
    and(
      eq(credentials.kind, 'pat'),
      eq(credentials.ownerUserId, ownerUserId),
      eq(credentials.name, name),
      ne(credentials.state, 'revoked'),
      isNull(credentials.replacedById),
      or(isNull(credentials.expiresAt), gt(credentials.expiresAt, now())),
    );

  async function createPat(caller: Caller, input: CreatePatInput): Promise<Result<IssuedCredential>> {
    const company = await companyOf(caller.companyId);
    if (!company) return fail('not_found');
    if (!planAllows(company.plan, 'pat')) {
      return fail('plan_required', `Personal access tokens need the ${PLAN_FOR_KIND.pat} plan or above`);
    }
    const checked = collect({
      name: validateName(input.name, true),
      expiresAt: patExpiry(input, company.settings.maxPatLifetimeDays),
      scopes: validateScopes(input.scopes),
      ipAllowlist: validateAllowlist(input.ipAllowlist),
      rateLimit: validateRateLimit(input.rateLimit),
      usage: validateUsage(input.usageLimit),
    });
    if (!checked.ok) return checked;
    const values = checked.value;

    const issued = await db.transaction(async (tx) => {
      // Serialises concurrent creates for one user, so the live-name check below is race-free.
      await tx.execute(sql`select 1 from ${users} where ${users.id} = ${caller.userId} for update`);
      const [clash] = await tx
        .select({ id: credentials.id })
        .from(credentials)
        .where(livePat(caller.userId, values.name));
      if (clash) return null;
      const { row, token } = await insertCredential(tx, caller, 'pat', {
        ...values,
        ownerUserId: caller.userId,
      });
      await writeAudit(tx, caller, 'pat.created', row.id, { name: row.name, expiresAt: row.expiresAt });
      return { row, token };
    });
    if (!issued) return fail('name_taken');
    const result: IssuedCredential = { token: issued.token, credential: view(issued.row) };
    if (issued.row.expiresAt === null) result.warning = NEVER_WARNING;
    return ok(result);
  }

  async function createApiKey(caller: Caller, input: CreateApiKeyInput): Promise<Result<IssuedCredential>> {
    if (!isCompanyAdmin(caller.role)) return fail('forbidden', 'Only owners and admins can manage API keys');
    const company = await companyOf(caller.companyId);
    if (!company) return fail('not_found');
    if (!planAllows(company.plan, 'api_key')) {
      return fail('plan_required', `Platform API keys need the ${PLAN_FOR_KIND.api_key} plan`);
    }
    const days = input.expiresInDays;
    if (!Number.isInteger(days) || days < 1 || days > 90) {
      return fail('validation_failed', 'expiresInDays must be a whole number of days from 1 to 90');
    }
    const checked = collect({
      name: validateName(input.name, false),
      scopes: validateScopes(input.scopes),
      ipAllowlist: validateAllowlist(input.ipAllowlist),
      rateLimit: validateRateLimit(input.rateLimit),
      usage: validateUsage(input.usageLimit),
    });
    if (!checked.ok) return checked;
    const values = checked.value;
    const issued = await db.transaction(async (tx) => {
      const created = await insertCredential(tx, caller, 'api_key', {
        ...values,
        name: values.name || 'API key',
        ownerUserId: null,
        expiresAt: addDays(now(), days),
      });
      await writeAudit(tx, caller, 'api_key.created', created.row.id, {
        name: created.row.name,
        expiresAt: created.row.expiresAt,
      });
      return created;
    });
    return ok({ token: issued.token, credential: view(issued.row) });
  }

  /** Finds a credential the caller may manage; others' PATs and other companies' rows are "not found". */
  async function findManaged(tx: Database, caller: Caller, kind: CredentialKind, id: string, lock = false) {
    const query = tx
      .select()
      .from(credentials)
      .where(
        and(
          idIs(credentials.id, id),
          eq(credentials.companyId, caller.companyId),
          eq(credentials.kind, kind),
        ),
      );
    const [row] = lock ? await query.for('update') : await query;
    if (!row) return fail<CredentialRow>('not_found');
    if (kind === 'pat' && row.ownerUserId !== caller.userId) return fail<CredentialRow>('not_found');
    if (kind === 'api_key' && !isCompanyAdmin(caller.role)) {
      return fail<CredentialRow>('forbidden', 'Only owners and admins can manage API keys');
    }
    return ok(row);
  }

  async function list(caller: Caller, kind: CredentialKind): Promise<Result<CredentialView[]>> {
    if (kind === 'api_key' && !isCompanyAdmin(caller.role)) {
      return fail('forbidden', 'Only owners and admins can manage API keys');
    }
    const scope =
      kind === 'pat'
        ? and(
            eq(credentials.companyId, caller.companyId),
            eq(credentials.kind, 'pat'),
            eq(credentials.ownerUserId, caller.userId),
          )
        : and(eq(credentials.companyId, caller.companyId), eq(credentials.kind, 'api_key'));
    const rows = await db
      .select()
      .from(credentials)
      .where(scope)
      .orderBy(desc(credentials.createdAt))
      .limit(1000);
    return ok(rows.map(view));
  }

  /** A credential the caller may see (its own PAT, or any company credential for admins). */
  async function get(caller: Caller, id: string): Promise<Result<CredentialView>> {
    const [row] = await db
      .select()
      .from(credentials)
      .where(and(idIs(credentials.id, id), eq(credentials.companyId, caller.companyId)));
    if (!row) return fail('not_found');
    const mine = row.kind === 'pat' && row.ownerUserId === caller.userId;
    if (!mine && !isCompanyAdmin(caller.role)) return fail('not_found');
    return ok(view(row));
  }

  async function changeState(
    caller: Caller,
    kind: CredentialKind,
    id: string,
    change: (
      row: CredentialRow,
    ) => Result<{ state: CredentialRow['state']; action: AuditAction } | 'unchanged'>,
  ): Promise<Result<CredentialView>> {
    const result = await db.transaction(async (tx) => {
      const found = await findManaged(tx, caller, kind, id, true);
      if (!found.ok) return found;
      const decided = change(found.value);
      if (!decided.ok) return decided;
      if (decided.value === 'unchanged') return ok(found.value);
      const [row] = await tx
        .update(credentials)
        .set({ state: decided.value.state, stateChangedAt: now() })
        .where(eq(credentials.id, id))
        .returning();
      if (!row) throw new Error('update returned no row');
      await writeAudit(tx, caller, decided.value.action, id, { name: row.name });
      return ok(row);
    });
    if (!result.ok) return result;
    onChange({ type: 'credential', id });
    return ok(view(result.value));
  }

  function revoke(caller: Caller, kind: CredentialKind, id: string) {
    return changeState(caller, kind, id, (row) =>
      row.state === 'revoked'
        ? ok('unchanged')
        : ok({ state: 'revoked', action: kind === 'pat' ? 'pat.revoked' : 'api_key.revoked' }),
    );
  }

  function setActive(caller: Caller, id: string, active: boolean) {
    return changeState(caller, 'api_key', id, (row) => {
      if (row.state === 'revoked') return fail('conflict', 'A revoked API key cannot be changed');
      const target = active ? 'active' : 'deactivated';
      if (row.state === target) return ok('unchanged');
      return ok({ state: target, action: active ? 'api_key.activated' : 'api_key.deactivated' });
    });
  }

  /**
   * Issues a new secret with the same name, scopes and limits; the old one keeps working for
   * `overlapSeconds` (0 = dead at once), never past its own expiry. The new one gets the old
   * one's lifetime again, counted from now.
   */
  async function roll(
    caller: Caller,
    kind: CredentialKind,
    id: string,
    overlapSeconds: number = DEFAULT_ROLL_OVERLAP_SECONDS,
  ): Promise<Result<IssuedCredential & { previous: CredentialView }>> {
    if (
      !Number.isInteger(overlapSeconds) ||
      overlapSeconds < 0 ||
      overlapSeconds > MAX_ROLL_OVERLAP_SECONDS
    ) {
      return fail(
        'validation_failed',
        `overlapSeconds must be a whole number from 0 to ${MAX_ROLL_OVERLAP_SECONDS}`,
      );
    }
    const company = await companyOf(caller.companyId);
    if (!company) return fail('not_found');
    const result = await db.transaction(async (tx) => {
      const found = await findManaged(tx, caller, kind, id, true);
      if (!found.ok) return found;
      const old = found.value;
      const at = now();
      if (old.state === 'revoked') return fail<never>('conflict', 'A revoked credential cannot be rolled');
      if (old.replacedById !== null) return fail<never>('conflict', 'This credential was already rolled');
      if (old.state === 'deactivated')
        return fail<never>('conflict', 'Activate the API key before rolling it');
      if (old.expiresAt !== null && old.expiresAt.getTime() <= at.getTime()) {
        return fail<never>('conflict', 'An expired credential cannot be rolled; create a new one');
      }
      let expiresAt =
        old.expiresAt === null
          ? null
          : new Date(at.getTime() + (old.expiresAt.getTime() - old.createdAt.getTime()));
      const cap = kind === 'pat' ? company.settings.maxPatLifetimeDays : null;
      if (cap && (expiresAt === null || expiresAt.getTime() > addDays(at, cap).getTime()))
        expiresAt = addDays(at, cap);
      const created = await insertCredential(tx, caller, kind, {
        name: old.name,
        ownerUserId: old.ownerUserId,
        expiresAt,
        scopes: old.scopes,
        ipAllowlist: old.ipAllowlist,
        rateLimit: old.rateLimit,
        usage:
          old.usageRemaining === null
            ? null
            : {
                remaining: old.usageRemaining,
                refillAmount: old.usageRefillAmount,
                refillInterval: old.usageRefillInterval,
              },
      });
      const graceEnd = new Date(at.getTime() + overlapSeconds * 1000);
      const oldEnd =
        old.expiresAt !== null && old.expiresAt.getTime() < graceEnd.getTime() ? old.expiresAt : graceEnd;
      const [previous] = await tx
        .update(credentials)
        .set({ replacedById: created.row.id, rolledAt: at, expiresAt: oldEnd })
        .where(eq(credentials.id, id))
        .returning();
      if (!previous) throw new Error('update returned no row');
      await writeAudit(tx, caller, kind === 'pat' ? 'pat.rolled' : 'api_key.rolled', id, {
        name: old.name,
        newCredentialId: created.row.id,
        overlapSeconds,
      });
      return ok({ created, previous });
    });
    if (!result.ok) return result;
    onChange({ type: 'credential', id });
    return ok({
      token: result.value.created.token,
      credential: view(result.value.created.row),
      previous: view(result.value.previous),
    });
  }

  /**
   * Takes one request from a credential's usage limit, refilling it first when its day or month
   * has turned. One atomic UPDATE, so every node sharing the database counts against one budget.
   * Returns the remaining count, or `null` when the limit is used up.
   */
  async function consumeUsage(credentialId: string): Promise<number | null> {
    // Days and months are UTC ones, whatever the database server's time zone.
    const due = sql`(${credentials.usageRefillInterval} is not null and date_trunc(${credentials.usageRefillInterval}, now(), 'UTC') > coalesce(${credentials.usageRefilledAt}, 'epoch'::timestamptz))`;
    const [row] = await db
      .update(credentials)
      .set({
        usageRemaining: sql`case when ${due} then ${credentials.usageRefillAmount} - 1 else ${credentials.usageRemaining} - 1 end`,
        usageRefilledAt: sql`case when ${due} then now() else ${credentials.usageRefilledAt} end`,
      })
      .where(and(idIs(credentials.id, credentialId), sql`(${due} or ${credentials.usageRemaining} > 0)`))
      .returning({ remaining: credentials.usageRemaining });
    return row?.remaining ?? null;
  }

  /**
   * When a credential's usage limit is next refilled (the start of its next day or month, the
   * same UTC `date_trunc` as {@link consumeUsage}), or `null` when it is never refilled. Asked only
   * after a request was refused, for its `Retry-After`.
   */
  async function nextUsageRefill(credentialId: string): Promise<Date | null> {
    const interval = credentials.usageRefillInterval;
    const [row] = await db
      .select({
        // The start of the next UTC day or month, computed in UTC (adding a month is calendar arithmetic).
        epoch:
          sql<number>`extract(epoch from (date_trunc(${interval}, now(), 'UTC') at time zone 'UTC' + ('1 ' || ${interval})::interval) at time zone 'UTC')::float8`.mapWith(
            Number,
          ),
      })
      .from(credentials)
      .where(and(idIs(credentials.id, credentialId), sql`${interval} is not null`));
    return row ? new Date(row.epoch * 1000) : null;
  }

  return { createPat, createApiKey, list, get, revoke, setActive, roll, consumeUsage, nextUsageRefill };
}

export type CredentialsService = ReturnType<typeof createCredentialsService>;
