import { and, desc, eq, lt, sql } from 'drizzle-orm';
import type { Database } from './database.js';
import { idIs } from './ids.js';
import { auditEvents, credentials, users } from './schema.js';

/** Who did something, from where: attached to every audit event. */
export interface Actor {
  companyId: string;
  userId: string | null;
  credentialId: string | null;
  ip: string | null;
}

export type AuditAction =
  | 'auth.signup'
  | 'auth.login'
  | 'auth.login_failed'
  | 'auth.logout'
  | 'pat.created'
  | 'pat.revoked'
  | 'pat.rolled'
  | 'api_key.created'
  | 'api_key.deactivated'
  | 'api_key.activated'
  | 'api_key.revoked'
  | 'api_key.rolled'
  | 'credential.rolled_reuse'
  | 'company.created'
  | 'company.updated'
  | 'user.created'
  | 'user.updated'
  | 'user.deleted'
  | 'user.invited'
  | 'user.invitation_accepted';

/** Writes one audit event; call it inside the transaction of the change it records. */
export async function writeAudit(
  db: Database,
  actor: Actor,
  action: AuditAction,
  credentialId: string | null = null,
  details: Record<string, unknown> = {},
): Promise<void> {
  await db.insert(auditEvents).values({
    companyId: actor.companyId,
    actorUserId: actor.userId,
    actorCredentialId: actor.credentialId,
    credentialId,
    action,
    ip: actor.ip,
    details,
  });
}

export interface AuditEntry {
  id: number;
  at: Date;
  action: string;
  actorUserId: string | null;
  actorEmail: string | null;
  actorCredentialId: string | null;
  credentialId: string | null;
  credentialName: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

/** A company's audit log, newest first; `before` pages by event id. */
export async function listAudit(
  db: Database,
  companyId: string,
  options: { limit?: number; before?: number } = {},
): Promise<AuditEntry[]> {
  const company = idIs(auditEvents.companyId, companyId);
  const before = options.before;
  // Ids are safe integers: a larger cursor is after every event, anything else (a fraction, NaN)
  // names none, and neither may reach a bigint comparison.
  const where =
    before === undefined || before > Number.MAX_SAFE_INTEGER
      ? company
      : Number.isSafeInteger(before)
        ? and(company, lt(auditEvents.id, before))
        : sql`false`;
  return db
    .select({
      id: auditEvents.id,
      at: auditEvents.createdAt,
      action: auditEvents.action,
      actorUserId: auditEvents.actorUserId,
      actorEmail: users.email,
      actorCredentialId: auditEvents.actorCredentialId,
      credentialId: auditEvents.credentialId,
      credentialName: credentials.name,
      ip: auditEvents.ip,
      details: auditEvents.details,
    })
    .from(auditEvents)
    .leftJoin(users, eq(users.id, auditEvents.actorUserId))
    .leftJoin(credentials, eq(credentials.id, auditEvents.credentialId))
    .where(where)
    .orderBy(desc(auditEvents.id))
    .limit(Math.min(options.limit ?? 100, 500));
}
