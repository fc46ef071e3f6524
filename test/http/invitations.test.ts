import { createHash, randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/passwords.js';
import { buildApp } from '../../src/http/app.js';
import { auditEvents, invitations } from '../../src/store/schema.js';
import { createWarden } from '../../src/warden/create-warden.js';
import { bearer, sessionHeaders } from '../support/app.js';
import { databaseTargets } from '../support/databases.js';
import { callerIn, unwrap } from '../support/fixtures.js';

/**
 * Invitations: an admin invites a user created without a password, the user sets one through the
 * link and logs in. On PGlite and on a PostgreSQL server.
 */

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';
const OWN_ORIGIN = 'http://localhost:80';
const DAY = 86_400_000;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The real app on a warden whose clock only moves when the test says so. */
async function buildClockedApp(databaseUrl: string) {
  let now = Date.now();
  const warden = await createWarden({ databaseUrl, invalidation: 'local', clock: () => now });
  const apps: FastifyInstance[] = [];
  /** An app on this warden; `authFailureLimit` sets the failed-authentication budget per IP. */
  async function app(authFailureLimit = 1_000_000) {
    const built = await buildApp({
      warden,
      config: { LOG_LEVEL: 'silent', AUTH_FAILURE_LIMIT: authFailureLimit, DASHBOARD_ENABLED: false },
    });
    await built.ready();
    apps.push(built);
    return built;
  }
  const main = await app();
  return {
    app: main,
    warden,
    newApp: app,
    advance(ms: number) {
      now += ms;
    },
    async close() {
      for (const built of apps) await built.close();
      await warden.close();
    },
  };
}

function expectError(response: LightMyRequestResponse, status: number, code: string, message?: string) {
  expect(response.statusCode, response.body).toBe(status);
  const body = response.json();
  expect(body).toMatchObject({ statusCode: status, code });
  if (message !== undefined) expect(body.message).toBe(message);
}

for (const target of databaseTargets) {
  describe.skipIf(!target.available)(`invitations on ${target.name}`, () => {
    let t: Awaited<ReturnType<typeof buildClockedApp>>;
    let drop: () => Promise<void>;
    let passwordHash: string;

    beforeAll(async () => {
      const db = await target.create();
      drop = db.drop;
      t = await buildClockedApp(db.url);
      passwordHash = await hashPassword(PASSWORD);
    }, 60_000);
    afterAll(async () => {
      await t?.close();
      await drop?.();
    });

    /** A company whose owner and admin can log in, and a member created without a password. */
    async function company() {
      const tag = randomUUID().slice(0, 8);
      const { company, owner } = unwrap(
        await t.warden.directory.createCompany({
          name: `Company ${tag}`,
          owner: { email: `owner-${tag}@example.test`, passwordHash },
        }),
      );
      const ownerCaller = callerIn(company.id, { id: owner.id, role: 'owner' });
      const admin = unwrap(
        await t.warden.directory.createUser(ownerCaller, {
          email: `admin-${tag}@example.test`,
          role: 'admin',
          passwordHash,
        }),
      );
      const adminCaller = { ...ownerCaller, userId: admin.id, role: 'admin' as const };
      const adminSession = await sessionHeaders(t.app, admin.email, PASSWORD);
      // Created the way `POST /v4/user` creates users: no password.
      const newMember = async () =>
        unwrap(await t.warden.directory.createUser(adminCaller, { email: `m-${randomUUID()}@example.test` }));
      return { company, owner, admin, ownerCaller, adminCaller, adminSession, newMember };
    }

    const invite = (userId: string, headers: Record<string, string>) =>
      t.app.inject({ method: 'POST', url: `/v4/user/${userId}/invitation`, headers });
    const accept = (token: string, password = NEW_PASSWORD, app = t.app) =>
      app.inject({ method: 'POST', url: '/auth/accept-invitation', payload: { token, password } });
    const login = (email: string, password: string) =>
      t.app.inject({ method: 'POST', url: '/auth/login', payload: { email, password } });

    it('admin invites a member, who sets a password, logs in and creates a PAT in the dashboard', async () => {
      const acme = await company();
      const member = await acme.newMember();
      // Before: no password, so no way into the dashboard.
      expectError(await login(member.email, NEW_PASSWORD), 401, 'invalid_login');

      const invited = await invite(member.id, acme.adminSession);
      expect(invited.statusCode, invited.body).toBe(201);
      const body = invited.json() as { token: string; url: string; expiresAt: string };
      expect(Object.keys(body).sort()).toEqual(['expiresAt', 'token', 'url']);
      expect(body.token).toMatch(/^kwi_[0-9A-Za-z]{32}$/);
      expect(body.url).toBe(`http://localhost:80/#/invite/${body.token}`);
      expect(Math.abs(Date.parse(body.expiresAt) - (Date.now() + 7 * DAY))).toBeLessThan(60_000);

      const accepted = await accept(body.token);
      expect(accepted.statusCode, accepted.body).toBe(200);
      expect(accepted.json()).toMatchObject({
        user: { id: member.id, email: member.email, role: 'member' },
        company: { id: acme.company.id },
      });
      expect(accepted.body).not.toContain(NEW_PASSWORD);
      const cookie = accepted.cookies.find((c) => c.name === 'kw_session');
      expect(cookie?.httpOnly).toBe(true);
      const session = { cookie: `kw_session=${cookie?.value}`, origin: OWN_ORIGIN };
      const me = await t.app.inject({ url: '/auth/session', headers: session });
      expect(me.json()).toMatchObject({ user: { id: member.id } });

      // The password works for a normal log-in too, and the session manages the member's own PATs.
      const loginSession = await sessionHeaders(t.app, member.email, NEW_PASSWORD);
      const pat = await t.app.inject({
        method: 'POST',
        url: '/v4/personal-access-tokens',
        headers: loginSession,
        payload: { name: 'laptop', expiresIn: '30d' },
      });
      expect(pat.statusCode, pat.body).toBe(201);
      const verified = await t.warden.verify({ authorization: `Bearer ${pat.json().token}` });
      expect(verified).toMatchObject({ kind: 'valid', principal: { userId: member.id, role: 'member' } });

      // Both steps are in the audit log.
      const actions = (
        await t.warden.store.db.select().from(auditEvents).where(eq(auditEvents.companyId, acme.company.id))
      ).map((event) => [event.action, event.actorUserId, event.details.userId]);
      expect(actions).toContainEqual(['user.invited', acme.admin.id, member.id]);
      expect(actions).toContainEqual(['user.invitation_accepted', member.id, member.id]);
    });

    it('stores only a SHA-256 of the token, one invitation per user, gone once used', async () => {
      const acme = await company();
      const member = await acme.newMember();
      const first = (await invite(member.id, acme.adminSession)).json().token as string;
      const second = (await invite(member.id, acme.adminSession)).json().token as string;
      expect(second).not.toBe(first);

      const rows = await t.warden.store.db
        .select()
        .from(invitations)
        .where(eq(invitations.userId, member.id));
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ tokenHash: sha256(second), createdBy: acme.admin.id });
      expect(JSON.stringify(rows)).not.toContain(second);
      expect(JSON.stringify(rows)).not.toContain(second.slice(4));

      // The replaced link no longer works; the newer one does, once.
      expectError(
        await accept(first),
        400,
        'invalid_invitation',
        'This invitation link is invalid or has expired',
      );
      expect((await accept(second)).statusCode).toBe(200);
      expect(
        await t.warden.store.db.select().from(invitations).where(eq(invitations.userId, member.id)),
      ).toEqual([]);
    });

    it('refuses a used, an expired, an unknown and a malformed token with the same error', async () => {
      const acme = await company();
      const used = await acme.newMember();
      const usedToken = (await invite(used.id, acme.adminSession)).json().token as string;
      expect((await accept(usedToken)).statusCode).toBe(200);
      const reuse = await accept(usedToken, 'someone else entirely');
      expectError(reuse, 400, 'invalid_invitation');
      expect(reuse.cookies.find((c) => c.name === 'kw_session')).toBeUndefined();
      // The reuse did not change the password.
      expect((await login(used.email, NEW_PASSWORD)).statusCode).toBe(200);

      const late = await acme.newMember();
      const lateToken = (await invite(late.id, acme.adminSession)).json().token as string;
      t.advance(7 * DAY + 1_000);
      try {
        expectError(await accept(lateToken), 400, 'invalid_invitation');
      } finally {
        t.advance(-(7 * DAY + 1_000));
      }
      expectError(await login(late.email, NEW_PASSWORD), 401, 'invalid_login');

      const responses = [
        await accept(`kwi_${'A'.repeat(32)}`),
        await accept('kwi_short'),
        await accept(`rgo-${'A'.repeat(48)}`),
      ];
      const messages = new Set(responses.map((response) => response.body));
      expect(messages.size).toBe(1);
      for (const response of responses) expectError(response, 400, 'invalid_invitation');

      // Password rules are sign-up's.
      const short = await acme.newMember();
      const shortToken = (await invite(short.id, acme.adminSession)).json().token as string;
      expectError(await accept(shortToken, 'short'), 400, 'validation_failed');
      expect((await accept(shortToken)).statusCode).toBe(200);
    });

    it('is user management: API keys and sessions of owners and admins only, never PATs', async () => {
      const acme = await company();
      const apiKey = unwrap(
        await t.warden.credentials.createApiKey(acme.ownerCaller, { expiresInDays: 30 }),
      ).token;
      const pat = unwrap(
        await t.warden.credentials.createPat(acme.adminCaller, {
          name: 'p',
          scopes: ['users:write', 'users:read'],
        }),
      ).token;

      const viaKey = await invite((await acme.newMember()).id, bearer(apiKey, acme.owner.id));
      expect(viaKey.statusCode, viaKey.body).toBe(201);
      expectError(
        await invite((await acme.newMember()).id, bearer(pat)),
        403,
        'user_management_requires_api_key',
      );

      // A member (who has set a password) cannot invite anyone.
      const member = await acme.newMember();
      const token = (await invite(member.id, acme.adminSession)).json().token as string;
      expect((await accept(token)).statusCode).toBe(200);
      const memberSession = await sessionHeaders(t.app, member.email, NEW_PASSWORD);
      expectError(await invite((await acme.newMember()).id, memberSession), 403, 'forbidden');
      expectError(await invite((await acme.newMember()).id, bearer(apiKey, member.id)), 403, 'forbidden');

      // An admin may not invite the owner, and nobody may invite a user who already has a password.
      expectError(await invite(acme.owner.id, acme.adminSession), 403, 'forbidden');
      expectError(
        await invite(member.id, acme.adminSession),
        409,
        'conflict',
        'This user has already set a password',
      );
      expect(
        await t.warden.store.db.select().from(invitations).where(eq(invitations.userId, member.id)),
      ).toEqual([]);
    });

    it("answers 404 for another company's user and an unknown id", async () => {
      const acme = await company();
      const other = await company();
      const theirs = await other.newMember();
      expectError(await invite(theirs.id, acme.adminSession), 404, 'not_found');
      expectError(await invite(randomUUID(), acme.adminSession), 404, 'not_found');
      expect(
        await t.warden.store.db.select().from(invitations).where(eq(invitations.userId, theirs.id)),
      ).toEqual([]);
    });

    it('counts failed accepts toward the failed-authentication budget shared with logins', async () => {
      const strict = await t.newApp(3);
      const acme = await company();
      const member = await acme.newMember();
      const token = (await invite(member.id, acme.adminSession)).json().token as string;
      const ip = { remoteAddress: '203.0.113.7' };
      const tryAccept = (value: string) =>
        strict.inject({
          method: 'POST',
          url: '/auth/accept-invitation',
          payload: { token: value, password: NEW_PASSWORD },
          ...ip,
        });

      expectError(await tryAccept(`kwi_${'B'.repeat(32)}`), 400, 'invalid_invitation');
      const failedLogin = await strict.inject({
        method: 'POST',
        url: '/auth/login',
        payload: { email: acme.admin.email, password: 'wrong password' },
        ...ip,
      });
      expectError(failedLogin, 401, 'invalid_login');
      expectError(await tryAccept('kwi_nope'), 400, 'invalid_invitation');
      // The budget (3) is spent: even the right token is refused now, and it stays usable.
      const blocked = await tryAccept(token);
      expectError(blocked, 429, 'rate_limited');
      expect(blocked.headers['retry-after']).toBeDefined();
      expect(
        await t.warden.store.db.select().from(invitations).where(eq(invitations.userId, member.id)),
      ).toHaveLength(1);
      // Another address is not affected.
      expect((await accept(token, NEW_PASSWORD, strict)).statusCode).toBe(200);
    });
  });
}
