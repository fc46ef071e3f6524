import { randomBytes } from 'node:crypto';
import { and, eq, gt, lt } from 'drizzle-orm';
import type { Plan } from '../auth/outcome.js';
import type { Role } from '../auth/scopes.js';
import { hashCredential } from '../credentials/hash.js';
import type { Database } from '../store/database.js';
import { companies, sessions, users } from '../store/schema.js';

export interface SessionUser {
  userId: string;
  companyId: string;
  role: Role;
  plan: Plan;
}

/** Dashboard sessions: a random cookie value, stored only as its SHA-256. */
export function createSessionsService(options: { db: Database; ttlHours: number }) {
  const { db } = options;

  async function create(userId: string): Promise<{ token: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + options.ttlHours * 3_600_000);
    await db.insert(sessions).values({ tokenHash: hashCredential(token), userId, expiresAt });
    // Expired sessions are pruned as new ones are made.
    await db.delete(sessions).where(lt(sessions.expiresAt, new Date()));
    return { token, expiresAt };
  }

  async function lookup(token: string): Promise<SessionUser | null> {
    if (token.length !== 43) return null;
    const [row] = await db
      .select({ userId: users.id, companyId: users.companyId, role: users.role, plan: companies.plan })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .innerJoin(companies, eq(companies.id, users.companyId))
      .where(and(eq(sessions.tokenHash, hashCredential(token)), gt(sessions.expiresAt, new Date())));
    return row ?? null;
  }

  async function destroy(token: string): Promise<void> {
    await db.delete(sessions).where(eq(sessions.tokenHash, hashCredential(token)));
  }

  return { create, lookup, destroy };
}

export type SessionsService = ReturnType<typeof createSessionsService>;
