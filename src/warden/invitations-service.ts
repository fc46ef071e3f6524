import { and, eq } from 'drizzle-orm';
import { hashPassword } from '../auth/passwords.js';
import { isCompanyAdmin } from '../auth/scopes.js';
import { hashCredential } from '../credentials/hash.js';
import { generateInvitationToken, INVITATION_TTL_MS, isInvitationToken } from '../credentials/invitation.js';
import { fail, ok, type Result } from '../errors.js';
import { writeAudit } from '../store/audit.js';
import type { Database } from '../store/database.js';
import { idIs } from '../store/ids.js';
import { invitations, type UserRow, users } from '../store/schema.js';
import type { Caller } from './credentials-service.js';
import { toUserView, type UserView } from './directory-service.js';

/** A fresh invitation: `token` exists only in this value (the database keeps its SHA-256). */
export interface IssuedInvitation {
  token: string;
  expiresAt: Date;
  user: UserView;
}

/** Same rule as sign-up. */
const PASSWORD_MIN = 8;
const PASSWORD_MAX = 200;

/**
 * Invitations: how a user created by an owner or admin sets their first dashboard password.
 * One pending invitation per user (a new one replaces it); the token is one-time and lasts 7 days.
 */
export function createInvitationsService(options: { db: Database; clock: () => number }) {
  const { db, clock } = options;

  /**
   * Invites a user of the caller's company (owners and admins only). Only the owner may invite
   * the owner, and a user who already has a password cannot be invited: an invitation sets a
   * password, so it must never let an admin take over an account that is already in use.
   */
  async function create(caller: Caller, userId: string): Promise<Result<IssuedInvitation>> {
    if (!isCompanyAdmin(caller.role)) return fail('forbidden', 'Only owners and admins can invite users');
    const { token, hash } = generateInvitationToken();
    const expiresAt = new Date(clock() + INVITATION_TTL_MS);
    const result = await db.transaction(async (tx) => {
      const [user] = await tx
        .select()
        .from(users)
        .where(and(idIs(users.id, userId), eq(users.companyId, caller.companyId)))
        .for('update');
      if (!user) return fail<UserRow>('not_found');
      if (user.role === 'owner' && caller.role !== 'owner')
        return fail<UserRow>('forbidden', 'Only the owner can invite the owner');
      if (user.passwordHash !== null)
        return fail<UserRow>('conflict', 'This user has already set a password');
      // Replaces an earlier invitation: its link stops working.
      await tx.delete(invitations).where(eq(invitations.userId, userId));
      await tx.insert(invitations).values({
        userId,
        companyId: caller.companyId,
        tokenHash: hash,
        expiresAt,
        createdBy: caller.userId,
      });
      await writeAudit(tx, caller, 'user.invited', null, {
        userId,
        email: user.email,
        expiresAt: expiresAt.toISOString(),
      });
      return ok(user);
    });
    if (!result.ok) return result;
    return ok({ token, expiresAt, user: toUserView(result.value) });
  }

  /**
   * Accepts an invitation: sets the user's password and deletes the invitation. Unknown, used
   * and expired tokens all answer `invalid_invitation`, which does not say which it was.
   */
  async function accept(input: {
    token: string;
    password: string;
    ip?: string | null;
  }): Promise<Result<UserView>> {
    if (!isInvitationToken(input.token)) return fail('invalid_invitation');
    const tokenHash = hashCredential(input.token);
    const pending = await findPending(db, tokenHash);
    if (!pending) return fail('invalid_invitation');
    if (input.password.length < PASSWORD_MIN || input.password.length > PASSWORD_MAX)
      return fail('validation_failed', `password must be ${PASSWORD_MIN}–${PASSWORD_MAX} characters`);
    // scrypt is slow: derive the hash before taking the row lock.
    const passwordHash = await hashPassword(input.password);
    const result = await db.transaction(async (tx) => {
      // Checked again under the lock: two accepts of one token cannot both win.
      const invitation = await findPending(tx, tokenHash, true);
      if (!invitation) return fail<UserRow>('invalid_invitation');
      const [user] = await tx
        .update(users)
        .set({ passwordHash })
        .where(eq(users.id, invitation.userId))
        .returning();
      if (!user) return fail<UserRow>('invalid_invitation');
      await tx.delete(invitations).where(eq(invitations.userId, invitation.userId));
      await writeAudit(
        tx,
        { companyId: user.companyId, userId: user.id, credentialId: null, ip: input.ip ?? null },
        'user.invitation_accepted',
        null,
        { userId: user.id, email: user.email },
      );
      return ok(user);
    });
    return result.ok ? ok(toUserView(result.value)) : result;
  }

  /** The unexpired invitation stored under `tokenHash` (one indexed lookup), else `null`. */
  async function findPending(tx: Database, tokenHash: string, lock = false) {
    const query = tx.select().from(invitations).where(eq(invitations.tokenHash, tokenHash));
    const [row] = lock ? await query.for('update') : await query;
    // Expiry is compared to the full timestamp.
    return row && row.expiresAt.getTime() > clock() ? row : null;
  }

  return { create, accept };
}

export type InvitationsService = ReturnType<typeof createInvitationsService>;
