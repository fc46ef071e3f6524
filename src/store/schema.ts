import { sql } from 'drizzle-orm';
import {
  bigserial,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const tz = (name: string) => timestamp(name, { withTimezone: true });

/** Per-company settings stored as JSON. */
export interface CompanySettings {
  /** Longest lifetime, in days, a PAT may be issued with (also forbids `never`). */
  maxPatLifetimeDays?: number | null;
  /** Default rate limit for the company's credentials. */
  rateLimit?: RateLimitSetting | null;
}

export interface RateLimitSetting {
  limit: number;
  windowSeconds: number;
}

export const companies = pgTable(
  'companies',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    plan: text('plan', { enum: ['free', 'essentials', 'enterprise'] }).notNull(),
    settings: jsonb('settings').$type<CompanySettings>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [check('companies_plan_check', sql`${t.plan} in ('free', 'essentials', 'enterprise')`)],
);

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    companyId: uuid('company_id')
      .notNull()
      .references(() => companies.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    givenName: text('given_name').notNull().default(''),
    familyName: text('family_name').notNull().default(''),
    role: text('role', { enum: ['owner', 'admin', 'member'] }).notNull(),
    timezone: text('timezone').notNull().default('UTC'),
    passwordHash: text('password_hash'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('users_email_unique').on(t.email),
    index('users_company_idx').on(t.companyId),
    // Exactly one owner per company (the "at least one" half is enforced by the service).
    uniqueIndex('users_one_owner_per_company').on(t.companyId).where(sql`${t.role} = 'owner'`),
    check('users_role_check', sql`${t.role} in ('owner', 'admin', 'member')`),
  ],
);

export const credentials = pgTable(
  'credentials',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind', { enum: ['pat', 'api_key'] }).notNull(),
    companyId: uuid('company_id')
      .notNull()
      .references(() => companies.id, { onDelete: 'cascade' }),
    ownerUserId: uuid('owner_user_id').references(() => users.id, { onDelete: 'set null' }),
    name: text('name').notNull(),
    publicId: text('public_id').notNull(),
    secretHash: text('secret_hash').notNull(),
    /** `null` = the default access of the acting user (never includes credential management). */
    scopes: text('scopes').array(),
    createdAt: createdAt(),
    createdBy: uuid('created_by'),
    expiresAt: tz('expires_at'),
    state: text('state', { enum: ['active', 'deactivated', 'revoked'] })
      .notNull()
      .default('active'),
    stateChangedAt: tz('state_changed_at'),
    replacedById: uuid('replaced_by_id'),
    rolledAt: tz('rolled_at'),
    lastUsedAt: tz('last_used_at'),
    lastUsedIp: text('last_used_ip'),
    ipAllowlist: text('ip_allowlist').array(),
    rateLimit: jsonb('rate_limit').$type<RateLimitSetting>(),
    usageRemaining: integer('usage_remaining'),
    usageRefillAmount: integer('usage_refill_amount'),
    usageRefillInterval: text('usage_refill_interval', { enum: ['day', 'month'] }),
    usageRefilledAt: tz('usage_refilled_at'),
  },
  (t) => [
    uniqueIndex('credentials_secret_hash_unique').on(t.secretHash),
    uniqueIndex('credentials_public_id_unique').on(t.kind, t.publicId),
    index('credentials_company_kind_idx').on(t.companyId, t.kind),
    index('credentials_owner_idx').on(t.ownerUserId),
    check('credentials_kind_check', sql`${t.kind} in ('pat', 'api_key')`),
    check('credentials_state_check', sql`${t.state} in ('active', 'deactivated', 'revoked')`),
  ],
);

export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    companyId: uuid('company_id')
      .notNull()
      .references(() => companies.id, { onDelete: 'cascade' }),
    actorUserId: uuid('actor_user_id'),
    actorCredentialId: uuid('actor_credential_id'),
    credentialId: uuid('credential_id'),
    action: text('action').notNull(),
    ip: text('ip'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index('audit_events_company_time_idx').on(t.companyId, t.createdAt)],
);

export const credentialUsageDaily = pgTable(
  'credential_usage_daily',
  {
    credentialId: uuid('credential_id')
      .notNull()
      .references(() => credentials.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    requests: integer('requests').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.credentialId, t.day] })],
);

export const credentialActivity = pgTable(
  'credential_activity',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    credentialId: uuid('credential_id')
      .notNull()
      .references(() => credentials.id, { onDelete: 'cascade' }),
    at: tz('at').notNull(),
    method: text('method').notNull(),
    route: text('route').notNull(),
    status: integer('status').notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    actingUserId: uuid('acting_user_id'),
  },
  (t) => [index('credential_activity_credential_time_idx').on(t.credentialId, t.at)],
);

export const sessions = pgTable(
  'sessions',
  {
    /** SHA-256 of the session cookie value. */
    tokenHash: text('token_hash').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    expiresAt: tz('expires_at').notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/** One pending invitation per user: how a user created by an admin sets their first password. */
export const invitations = pgTable(
  'invitations',
  {
    userId: uuid('user_id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    companyId: uuid('company_id')
      .notNull()
      .references(() => companies.id, { onDelete: 'cascade' }),
    /** SHA-256 of the one-time invitation token (the token itself is never stored). */
    tokenHash: text('token_hash').notNull(),
    expiresAt: tz('expires_at').notNull(),
    createdBy: uuid('created_by'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('invitations_token_hash_unique').on(t.tokenHash)],
);

export const meetingTypes = pgTable(
  'meeting_types',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    companyId: uuid('company_id')
      .notNull()
      .references(() => companies.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    duration: integer('duration').notNull(),
    bufferBefore: integer('buffer_before').notNull().default(0),
    bufferAfter: integer('buffer_after').notNull().default(0),
    slug: text('slug').notNull(),
    createdAt: createdAt(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('meeting_types_company_idx').on(t.companyId),
    uniqueIndex('meeting_types_user_slug_unique').on(t.userId, t.slug),
  ],
);

/** One weekly schedule per user: `{ monday: [{ start: '09:00', end: '17:00' }], … }`. */
export type WeeklySchedule = Record<string, { start: string; end: string }[]>;

export const availability = pgTable('availability', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  companyId: uuid('company_id')
    .notNull()
    .references(() => companies.id, { onDelete: 'cascade' }),
  timezone: text('timezone').notNull(),
  schedule: jsonb('schedule').$type<WeeklySchedule>().notNull(),
  updatedAt: tz('updated_at').notNull().defaultNow(),
});

export const appointments = pgTable(
  'appointments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    companyId: uuid('company_id')
      .notNull()
      .references(() => companies.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    meetingTypeId: uuid('meeting_type_id').references(() => meetingTypes.id, { onDelete: 'set null' }),
    start: tz('start').notNull(),
    end: tz('end').notNull(),
    status: text('status', { enum: ['booked', 'cancelled'] })
      .notNull()
      .default('booked'),
    attendeeName: text('attendee_name').notNull().default(''),
    attendeeEmail: text('attendee_email').notNull().default(''),
    cancelReason: text('cancel_reason'),
    cancelledAt: tz('cancelled_at'),
    createdAt: createdAt(),
  },
  (t) => [
    index('appointments_user_start_idx').on(t.userId, t.start),
    index('appointments_company_idx').on(t.companyId),
  ],
);

export type CompanyRow = typeof companies.$inferSelect;
export type UserRow = typeof users.$inferSelect;
export type CredentialRow = typeof credentials.$inferSelect;
export type AuditEventRow = typeof auditEvents.$inferSelect;
export type InvitationRow = typeof invitations.$inferSelect;
