import { createHash, randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Plan } from '../../src/auth/outcome.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { ALL_SCOPES, type Role } from '../../src/auth/scopes.js';
import { buildApp } from '../../src/http/app.js';
import type { AuditEntry } from '../../src/store/audit.js';
import { createWarden } from '../../src/warden/create-warden.js';
import type { CredentialView } from '../../src/warden/credential-view.js';
import { bearer, json, sessionHeaders } from '../support/app.js';
import { databaseTargets } from '../support/databases.js';
import { callerIn, unwrap, withLastCharChanged } from '../support/fixtures.js';

/**
 * The credential-management endpoints through `app.inject`: PAT and API key creation and its
 * validation, the one-time secret, plan gating, deactivate / activate / revoke / roll (each one
 * effective on the credential's next request), activity, the audit log, the management scope
 * for Bearer callers and who may touch whose credentials. The warden's clock is the test's, so
 * expiry and roll overlaps are checked to the millisecond without sleeping.
 */

const DAY = 86_400_000;
const PASSWORD = 'correct horse battery staple';
const MASK = '••••••••';
const PATS = '/v4/personal-access-tokens';
const KEYS = '/v4/api-keys';
const PAT_TOKEN = /^rgo-[0-9A-Za-z]{48}$/;
const API_KEY_TOKEN =
  /^ak_live:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:[0-9A-Za-z]{36}$/;
const PHRASES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
};

type Headers = Record<string, string>;
type Method = 'GET' | 'POST' | 'DELETE';

interface Issued {
  token: string;
  credential: CredentialView;
  warning?: string;
}
interface Rolled {
  token: string;
  credential: CredentialView;
  previous: CredentialView;
}
/** An audit event as the API sends it (its time as a string, not read here). */
type AuditEvent = Omit<AuditEntry, 'at'>;

const iso = (ms: number) => new Date(ms).toISOString();
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The real app on a warden whose clock only moves when the test says so. */
async function buildClockedApp(databaseUrl: string) {
  let now = Date.now();
  const warden = await createWarden({
    databaseUrl,
    invalidation: 'local',
    clock: () => now,
    // Only explicit flushes write usage (the activity endpoint flushes before it reads).
    usage: { flushIntervalMs: 60_000 },
  });
  const app = await buildApp({
    warden,
    config: { LOG_LEVEL: 'silent', AUTH_FAILURE_LIMIT: 1_000_000, DASHBOARD_ENABLED: false },
  });
  await app.ready();
  return {
    app,
    warden,
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
    async close() {
      await app.close();
      await warden.close();
    },
  };
}

/** The documented error body, exactly: status, code, reason phrase and (when given) message. */
function expectError(response: LightMyRequestResponse, status: number, code: string, message?: string) {
  expect(response.statusCode, response.body).toBe(status);
  const body = json(response);
  expect(Object.keys(body).sort()).toEqual(['code', 'error', 'message', 'statusCode']);
  expect(body).toMatchObject({ statusCode: status, code, error: PHRASES[status] });
  if (message === undefined) expect(body.message).toEqual(expect.stringMatching(/\S/));
  else expect(body.message).toBe(message);
}

for (const target of databaseTargets) {
  describe.skipIf(!target.available)(`credential management over HTTP on ${target.name}`, () => {
    let t: Awaited<ReturnType<typeof buildClockedApp>>;
    let drop: () => Promise<void>;
    let passwordHash: string;
    let acme: Awaited<ReturnType<typeof company>>;

    /** A company on `plan` whose owner, admin and member can log in to the dashboard. */
    async function company(plan: Plan = 'enterprise') {
      const tag = randomUUID().slice(0, 8);
      const emails = {
        owner: `owner-${tag}@example.test`,
        admin: `admin-${tag}@example.test`,
        member: `member-${tag}@example.test`,
      };
      const { company, owner } = unwrap(
        await t.warden.directory.createCompany({
          name: `Company ${tag}`,
          plan,
          owner: { email: emails.owner, givenName: 'Olive', passwordHash },
        }),
      );
      const ownerCaller = callerIn(company.id, { id: owner.id, role: 'owner' });
      const add = async (role: 'admin' | 'member') =>
        unwrap(await t.warden.directory.createUser(ownerCaller, { email: emails[role], role, passwordHash }));
      const admin = await add('admin');
      const member = await add('member');
      return {
        company,
        owner,
        admin,
        member,
        emails,
        ownerCaller,
        callerOf: (user: { id: string; role: Role }) => ({
          ...ownerCaller,
          userId: user.id,
          role: user.role,
        }),
        session: {
          owner: await sessionHeaders(t.app, emails.owner, PASSWORD),
          admin: await sessionHeaders(t.app, emails.admin, PASSWORD),
          member: await sessionHeaders(t.app, emails.member, PASSWORD),
        },
      };
    }

    /** A company on `plan` with only an owner, logged in. */
    async function ownerOn(plan: Plan) {
      const email = `plan-${plan}-${randomUUID().slice(0, 8)}@example.test`;
      const { company, owner } = unwrap(
        await t.warden.directory.createCompany({
          name: `On ${plan}`,
          plan,
          owner: { email, passwordHash },
        }),
      );
      const caller = {
        companyId: company.id,
        userId: owner.id,
        role: 'owner' as const,
        credentialId: null,
        ip: null,
      };
      return { caller, session: await sessionHeaders(t.app, email, PASSWORD) };
    }
    beforeAll(async () => {
      const db = await target.create();
      drop = db.drop;
      t = await buildClockedApp(db.url);
      passwordHash = await hashPassword(PASSWORD);
      acme = await company();
    });
    afterAll(async () => {
      await t?.close();
      await drop?.();
    });

    const send = (method: Method, url: string, headers: Headers, payload?: Record<string, unknown>) =>
      t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
    const get = (url: string, headers: Headers) => send('GET', url, headers);
    const post = (url: string, headers: Headers, payload?: Record<string, unknown>) =>
      send('POST', url, headers, payload);
    const del = (url: string, headers: Headers) => send('DELETE', url, headers);
    const me = (token: string, actingUserId?: string) => get('/v4/user/me', bearer(token, actingUserId));

    async function created<T = Issued>(response: LightMyRequestResponse): Promise<T> {
      expect(response.statusCode, response.body).toBe(201);
      return json<T>(response);
    }
    async function changed(response: LightMyRequestResponse): Promise<CredentialView> {
      expect(response.statusCode, response.body).toBe(200);
      return json<{ credential: CredentialView }>(response).credential;
    }
    async function list(path: string, headers: Headers): Promise<CredentialView[]> {
      const response = await get(path, headers);
      expect(response.statusCode, response.body).toBe(200);
      return json<{ data: CredentialView[] }>(response).data;
    }
    async function listed(path: string, headers: Headers, id: string): Promise<CredentialView | undefined> {
      return (await list(path, headers)).find((credential) => credential.id === id);
    }
    async function audit(headers: Headers = acme.session.owner): Promise<AuditEvent[]> {
      const response = await get('/v4/audit-log?limit=500', headers);
      expect(response.statusCode, response.body).toBe(200);
      return json<{ data: AuditEvent[] }>(response).data;
    }
    /** The audit events about one credential, oldest first. */
    const auditOf = async (credentialId: string) =>
      (await audit()).filter((event) => event.credentialId === credentialId).reverse();
    const patOf = async (user: { id: string; role: Role }, scopes: string[] | null = null) =>
      unwrap(
        await t.warden.credentials.createPat(acme.callerOf(user), { name: `pat-${randomUUID()}`, scopes }),
      );
    const apiKey = async (input: { expiresInDays?: number; name?: string; scopes?: string[] } = {}) =>
      unwrap(await t.warden.credentials.createApiKey(acme.ownerCaller, { expiresInDays: 30, ...input }));

    describe('personal access tokens', () => {
      it('creates a PAT for each expiry preset, counted from the request time (30d by default)', async () => {
        const at = t.now();
        const months = (n: number) => {
          const date = new Date(at);
          date.setUTCMonth(date.getUTCMonth() + n);
          return date.getTime();
        };
        const presets: [Record<string, unknown>, number | null][] = [
          [{ expiresIn: '30d' }, at + 30 * DAY],
          [{ expiresIn: '90d' }, at + 90 * DAY],
          [{ expiresIn: '6m' }, months(6)],
          [{ expiresIn: '1y' }, months(12)],
          [{ expiresIn: 'never' }, null],
          [{}, at + 30 * DAY],
        ];
        for (const [index, [input, expiresAt]] of presets.entries()) {
          const name = `preset ${index}`;
          const body = await created(await post(PATS, acme.session.member, { name, ...input }));
          expect(body.token).toMatch(PAT_TOKEN);
          expect(body.credential, JSON.stringify(input)).toMatchObject({
            kind: 'pat',
            name,
            status: 'active',
            scopes: null,
            ownerUserId: acme.member.id,
            createdBy: acme.member.id,
            createdAt: iso(at),
            expiresAt: expiresAt === null ? null : iso(expiresAt),
            expiresLabel: expiresAt === null ? 'Never' : `Expires in ${(expiresAt - at) / DAY} days`,
            lastUsedAt: null,
            replacedById: null,
            rolledAt: null,
          });
          if (expiresAt === null) expect(body.warning).toMatch(/not recommended/);
          else expect(body).not.toHaveProperty('warning');

          const used = await me(body.token);
          expect(used.statusCode).toBe(200);
          expect(json(used).id).toBe(acme.member.id);
          expect(used.headers['x-credential-expires-at']).toBe(expiresAt === null ? 'never' : iso(expiresAt));
        }
      });

      it('accepts a custom future expiry and compares it to the millisecond', async () => {
        const at = t.now();
        const expiresAt = iso(at + 3 * DAY + 1234);
        const { token, credential } = await created(
          await post(PATS, acme.session.admin, { name: 'custom date', expiresAt }),
        );
        expect(credential).toMatchObject({ expiresAt, status: 'active', expiresLabel: 'Expires in 4 days' });

        t.advance(3 * DAY + 1233);
        expect((await me(token)).statusCode).toBe(200);
        expect(await listed(PATS, acme.session.admin, credential.id)).toMatchObject({
          status: 'active',
          expiresLabel: 'Expires in 1 day',
        });

        t.advance(1);
        expectError(await me(token), 401, 'credential_expired', 'API key has expired');
        expect(await listed(PATS, acme.session.admin, credential.id)).toMatchObject({
          status: 'expired',
          expiresLabel: 'Expired',
        });
        // An expired token no longer holds its name.
        await created(await post(PATS, acme.session.admin, { name: 'custom date' }));
      });

      it('refuses invalid input with the documented 400 bodies and creates nothing', async () => {
        const at = t.now();
        const before = (await list(PATS, acme.session.member)).map((c) => c.id).sort();
        const auditBefore = (await audit()).length;
        const cases: [Record<string, unknown>, string, string?][] = [
          [{ name: '', expiresIn: '30d' }, 'validation_failed'],
          [{ name: '   ', expiresIn: '30d' }, 'validation_failed', 'name is required'],
          [{ expiresIn: '30d' }, 'validation_failed'],
          [{ name: 'x'.repeat(101) }, 'validation_failed'],
          [{ name: 'bell\u0007' }, 'validation_failed', 'name must not contain control characters'],
          [{ name: 'fortnight', expiresIn: '2w' }, 'validation_failed'],
          [{ name: 'past', expiresAt: iso(at - 1) }, 'expiry_not_allowed', 'expiresAt must be in the future'],
          [{ name: 'now', expiresAt: iso(at) }, 'expiry_not_allowed', 'expiresAt must be in the future'],
          [
            { name: 'far', expiresAt: iso(at + 3661 * DAY) },
            'expiry_not_allowed',
            'expiresAt must be within 10 years; use expiresIn "never" for no expiry',
          ],
          [{ name: 'soon', expiresAt: 'tomorrow' }, 'validation_failed'],
          [
            { name: 'both', expiresIn: '30d', expiresAt: iso(at + DAY) },
            'validation_failed',
            'Give expiresIn or expiresAt, not both',
          ],
          [{ name: 'scoped', scopes: ['users:read', 'root'] }, 'validation_failed', 'Unknown scope: root'],
          [{ name: 'extra', ownerUserId: acme.admin.id }, 'validation_failed'],
          [
            { name: 'ip', ipAllowlist: ['300.1.1.1'] },
            'validation_failed',
            'ipAllowlist entries must be IP addresses or CIDR ranges',
          ],
        ];
        for (const [payload, code, message] of cases) {
          const response = await post(PATS, acme.session.member, payload);
          expect(response.statusCode, JSON.stringify(payload)).toBe(400);
          expectError(response, 400, code, message);
        }
        const sendJson = (payload: string) =>
          t.app.inject({
            method: 'POST',
            url: PATS,
            headers: { ...acme.session.member, 'content-type': 'application/json' },
            payload,
          });
        expectError(
          await sendJson('{"name": "half",'),
          400,
          'invalid_json',
          'Request body is not valid JSON',
        );
        // An empty body sent as JSON is no body: this route needs one.
        expectError(await sendJson(''), 400, 'validation_failed', 'body must be object');

        expect((await list(PATS, acme.session.member)).map((c) => c.id).sort()).toEqual(before);
        expect(await audit()).toHaveLength(auditBefore);
        // 100 characters is the longest name allowed.
        await created(await post(PATS, acme.session.member, { name: 'y'.repeat(100) }));
      });

      it('keeps names unique among one user’s live tokens, not across users', async () => {
        const first = await created(await post(PATS, acme.session.member, { name: 'deploy' }));
        const taken = 'You already have a live token with this name';
        expectError(
          await post(PATS, acme.session.member, { name: 'deploy', expiresIn: '90d' }),
          409,
          'name_taken',
          taken,
        );
        expectError(await post(PATS, acme.session.member, { name: '  deploy ' }), 409, 'name_taken', taken);
        // Another user of the same company may use the name.
        const admins = await created(await post(PATS, acme.session.admin, { name: 'deploy' }));
        expect(admins.credential.ownerUserId).toBe(acme.admin.id);

        // Revoking frees it; the tombstone stays listed.
        expect((await changed(await del(`${PATS}/${first.credential.id}`, acme.session.member))).status).toBe(
          'revoked',
        );
        const again = await created(await post(PATS, acme.session.member, { name: 'deploy' }));
        const mine = (await list(PATS, acme.session.member)).filter((c) => c.name === 'deploy');
        expect(Object.fromEntries(mine.map((c) => [c.id, c.status]))).toEqual({
          [first.credential.id]: 'revoked',
          [again.credential.id]: 'active',
        });
      });

      it('gives a name to exactly one of several concurrent creates', async () => {
        const name = `race ${randomUUID()}`;
        const responses = await Promise.all(
          Array.from({ length: 5 }, () => post(PATS, acme.session.admin, { name })),
        );
        expect(responses.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409, 409]);
        for (const response of responses.filter((r) => r.statusCode === 409))
          expectError(response, 409, 'name_taken', 'You already have a live token with this name');
        expect((await list(PATS, acme.session.admin)).filter((c) => c.name === name)).toHaveLength(1);
      });

      it('holds PATs to a company lifetime cap, `never` included', async () => {
        const capped = await ownerOn('enterprise');
        unwrap(
          await t.warden.directory.updateCompany(capped.caller, { settings: { maxPatLifetimeDays: 90 } }),
        );
        const limit = 'Your company limits personal access tokens to 90 days';
        for (const payload of [
          { name: 'year', expiresIn: '1y' },
          { name: 'never', expiresIn: 'never' },
          { name: 'date', expiresAt: iso(t.now() + 90 * DAY + 1) },
        ]) {
          expectError(await post(PATS, capped.session, payload), 400, 'expiry_not_allowed', limit);
        }
        const ninety = await created(await post(PATS, capped.session, { name: 'ninety', expiresIn: '90d' }));
        expect(ninety.credential.expiresAt).toBe(iso(t.now() + 90 * DAY));
        expect(await list(PATS, capped.session)).toHaveLength(1);
      });

      it('returns the secret once: every later answer shows only the masked public part', async () => {
        const pat = await created(
          await post(PATS, acme.session.member, { name: 'shown once', scopes: ['users:read'] }),
        );
        expect(pat.token).toMatch(PAT_TOKEN);
        expect(pat.credential.maskedValue).toBe(`${pat.token.slice(0, 16)}${MASK}`);
        const key = await created(await post(KEYS, acme.session.owner, { expiresInDays: 7 }));
        expect(key.token).toMatch(API_KEY_TOKEN);
        const keyPublic = key.token.slice(0, key.token.lastIndexOf(':') + 1);
        expect(key.credential.maskedValue).toBe(`${keyPublic}${MASK}`);

        expect((await me(pat.token)).statusCode).toBe(200);
        expect((await me(key.token)).statusCode).toBe(200);
        const secrets = [
          pat.token.slice(16),
          sha256(pat.token),
          key.token.slice(keyPublic.length),
          sha256(key.token),
        ];
        const later = [
          await get(PATS, acme.session.member),
          await get(KEYS, acme.session.owner),
          await get(`/v4/credentials/${pat.credential.id}/activity`, acme.session.member),
          await get(`/v4/credentials/${key.credential.id}/activity`, acme.session.owner),
          await get('/v4/audit-log', acme.session.owner),
          await post(`${KEYS}/${key.credential.id}/deactivate`, acme.session.owner),
          await post(`${KEYS}/${key.credential.id}/activate`, acme.session.owner),
          await del(`${PATS}/${pat.credential.id}`, acme.session.member),
        ];
        for (const response of later) {
          expect(response.statusCode).toBe(200);
          for (const secret of secrets) expect(response.body).not.toContain(secret);
        }
        const shown = await listed(PATS, acme.session.member, pat.credential.id);
        expect(shown?.maskedValue).toBe(`${pat.token.slice(0, 16)}${MASK}`);
        expect(shown).not.toHaveProperty('token');
        expect((await listed(KEYS, acme.session.owner, key.credential.id))?.maskedValue).toBe(
          `${keyPublic}${MASK}`,
        );
      });
    });

    describe('platform API keys', () => {
      it('creates keys for 1 to 90 days with an optional name, and refuses other lifetimes', async () => {
        const at = t.now();
        const oneDay = await created(await post(KEYS, acme.session.owner, { expiresInDays: 1 }));
        expect(oneDay.token).toMatch(API_KEY_TOKEN);
        expect(oneDay.credential).toMatchObject({
          kind: 'api_key',
          name: 'API key',
          status: 'active',
          scopes: null,
          ownerUserId: null,
          createdBy: acme.owner.id,
          expiresAt: iso(at + DAY),
          expiresLabel: 'Expires in 1 day',
        });
        const named = await created(
          await post(KEYS, acme.session.admin, { name: 'ci', expiresInDays: 90, scopes: ['users:read'] }),
        );
        expect(named.credential).toMatchObject({
          name: 'ci',
          createdBy: acme.admin.id,
          scopes: ['users:read'],
          expiresAt: iso(at + 90 * DAY),
          expiresLabel: 'Expires in 90 days',
        });
        const acting = await me(named.token, acme.member.id);
        expect(acting.statusCode).toBe(200);
        expect(json(acting).id).toBe(acme.member.id);
        expect(json(await me(oneDay.token)).id).toBe(acme.owner.id);

        const before = (await list(KEYS, acme.session.owner)).length;
        for (const payload of [
          { expiresInDays: 0 },
          { expiresInDays: 91 },
          { expiresInDays: 1.5 },
          { expiresInDays: -1 },
          {},
          { expiresIn: '30d' },
          { expiresInDays: 10, name: 'k'.repeat(101) },
          { expiresInDays: 10, scopes: ['keys:everything'] },
        ]) {
          const response = await post(KEYS, acme.session.owner, payload);
          expect(response.statusCode, JSON.stringify(payload)).toBe(400);
          expectError(response, 400, 'validation_failed');
        }
        expect(await list(KEYS, acme.session.owner)).toHaveLength(before);
      });

      it('refuses members on every API key endpoint with 403 and leaves the key alone', async () => {
        const key = await apiKey({ name: 'not for members' });
        const id = key.credential.id;
        const memberManager = await patOf(acme.member, ['credentials:manage']);
        const endpoints: [Method, string, Record<string, unknown>?][] = [
          ['GET', KEYS],
          ['POST', KEYS, { expiresInDays: 30 }],
          ['POST', `${KEYS}/${id}/deactivate`],
          ['POST', `${KEYS}/${id}/activate`],
          ['POST', `${KEYS}/${id}/roll`, { overlapSeconds: 0 }],
          ['DELETE', `${KEYS}/${id}`],
        ];
        for (const headers of [acme.session.member, bearer(memberManager.token)]) {
          for (const [method, url, payload] of endpoints) {
            expectError(
              await send(method, url, headers, payload),
              403,
              'forbidden',
              'Only owners and admins can manage API keys',
            );
          }
        }
        expect(json(await me(key.token)).id).toBe(acme.owner.id);
        expect(await listed(KEYS, acme.session.admin, id)).toMatchObject({
          status: 'active',
          replacedById: null,
        });
        expect((await auditOf(id)).map((event) => event.action)).toEqual(['api_key.created']);
      });

      it('gates kinds by plan: PATs need essentials, API keys enterprise', async () => {
        const patsNeed = 'Personal access tokens need the essentials plan or above';
        const keysNeed = 'Platform API keys need the enterprise plan';

        const free = await ownerOn('free');
        expectError(await post(PATS, free.session, { name: 'p' }), 403, 'plan_required', patsNeed);
        expectError(await post(KEYS, free.session, { expiresInDays: 5 }), 403, 'plan_required', keysNeed);
        expect(await list(PATS, free.session)).toEqual([]);
        expect(await list(KEYS, free.session)).toEqual([]);

        const essentials = await ownerOn('essentials');
        const pat = await created(await post(PATS, essentials.session, { name: 'p' }));
        expect((await me(pat.token)).statusCode).toBe(200);
        expectError(
          await post(KEYS, essentials.session, { expiresInDays: 5 }),
          403,
          'plan_required',
          keysNeed,
        );
        expect(await list(KEYS, essentials.session)).toEqual([]);

        // A downgrade refuses an existing API key on its next request; PATs keep working.
        const enterprise = await ownerOn('enterprise');
        const key = unwrap(await t.warden.credentials.createApiKey(enterprise.caller, { expiresInDays: 5 }));
        const ownerPat = unwrap(await t.warden.credentials.createPat(enterprise.caller, { name: 'p' }));
        expect((await me(key.token)).statusCode).toBe(200);
        unwrap(await t.warden.directory.updateCompany(enterprise.caller, { plan: 'essentials' }));
        expectError(
          await me(key.token),
          403,
          'plan_required',
          "Your company's plan does not include this kind of credential",
        );
        expect((await me(ownerPat.token)).statusCode).toBe(200);
      });
    });

    describe('deactivate, activate and revoke', () => {
      it('deactivate refuses the key on its next request; activate lets it in again', async () => {
        const key = await apiKey({ name: 'toggle' });
        const id = key.credential.id;
        expect((await me(key.token)).statusCode).toBe(200);

        const deactivated = await changed(await post(`${KEYS}/${id}/deactivate`, acme.session.admin));
        expect(deactivated).toMatchObject({ id, name: 'toggle', status: 'deactivated' });
        expectError(await me(key.token), 403, 'credential_deactivated', 'API key is deactivated');
        expectError(
          await get('/v4/meeting-type', bearer(key.token, acme.member.id)),
          403,
          'credential_deactivated',
          'API key is deactivated',
        );
        expect((await listed(KEYS, acme.session.owner, id))?.status).toBe('deactivated');
        // Deactivating twice changes nothing.
        expect((await changed(await post(`${KEYS}/${id}/deactivate`, acme.session.admin))).status).toBe(
          'deactivated',
        );

        expect((await changed(await post(`${KEYS}/${id}/activate`, acme.session.admin))).status).toBe(
          'active',
        );
        const back = await me(key.token);
        expect(back.statusCode).toBe(200);
        expect(json(back).id).toBe(acme.owner.id);
        expect((await listed(KEYS, acme.session.owner, id))?.status).toBe('active');
        expect((await auditOf(id)).map((event) => event.action)).toEqual([
          'api_key.created',
          'api_key.deactivated',
          'api_key.activated',
        ]);
      });

      it('accepts the JSON content type with an empty body on bodiless actions', async () => {
        // Many HTTP clients send `Content-Type: application/json` on every request.
        const key = await apiKey({ name: 'typed' });
        const id = key.credential.id;
        const bodiless = (method: 'POST' | 'DELETE', url: string) =>
          t.app.inject({
            method,
            url,
            headers: { ...acme.session.owner, 'content-type': 'application/json' },
            payload: '',
          });
        expect(await changed(await bodiless('POST', `${KEYS}/${id}/deactivate`))).toMatchObject({
          status: 'deactivated',
        });
        expect(await changed(await bodiless('POST', `${KEYS}/${id}/activate`))).toMatchObject({
          status: 'active',
        });
        const successor = (await created<Rolled>(await bodiless('POST', `${KEYS}/${id}/roll`))).credential.id;
        expect(await changed(await bodiless('DELETE', `${KEYS}/${successor}`))).toMatchObject({
          status: 'revoked',
        });
        expect(await changed(await bodiless('DELETE', `${KEYS}/${id}`))).toMatchObject({ status: 'revoked' });
        expectError(await me(key.token), 401, 'invalid_credential', 'Invalid API key');
      });

      it('revoke is immediate and permanent, for API keys and PATs', async () => {
        const key = await apiKey({ name: 'doomed' });
        const id = key.credential.id;
        expect((await me(key.token)).statusCode).toBe(200);
        expect(await changed(await del(`${KEYS}/${id}`, acme.session.owner))).toMatchObject({
          id,
          status: 'revoked',
        });
        expectError(await me(key.token), 401, 'invalid_credential', 'Invalid API key');
        for (const action of ['activate', 'deactivate']) {
          expectError(
            await post(`${KEYS}/${id}/${action}`, acme.session.owner),
            409,
            'conflict',
            'A revoked API key cannot be changed',
          );
        }
        expectError(
          await post(`${KEYS}/${id}/roll`, acme.session.owner, { overlapSeconds: 60 }),
          409,
          'conflict',
          'A revoked credential cannot be rolled',
        );
        expectError(await me(key.token), 401, 'invalid_credential', 'Invalid API key');
        // Revoking again is harmless, and the tombstone stays listed.
        expect((await changed(await del(`${KEYS}/${id}`, acme.session.owner))).status).toBe('revoked');
        expect((await listed(KEYS, acme.session.admin, id))?.status).toBe('revoked');

        const pat = await patOf(acme.member);
        expect((await me(pat.token)).statusCode).toBe(200);
        expect((await changed(await del(`${PATS}/${pat.credential.id}`, acme.session.member))).status).toBe(
          'revoked',
        );
        expectError(await me(pat.token), 401, 'invalid_credential', 'Invalid API key');
        expectError(
          await post(`${PATS}/${pat.credential.id}/roll`, acme.session.member, {}),
          409,
          'conflict',
          'A revoked credential cannot be rolled',
        );
        expect((await auditOf(id)).map((event) => event.action)).toEqual([
          'api_key.created',
          'api_key.revoked',
        ]);
        expect((await auditOf(pat.credential.id)).map((event) => event.action)).toEqual([
          'pat.created',
          'pat.revoked',
        ]);
      });

      it('lists show active, expired, deactivated and revoked keys with their expiry labels', async () => {
        const tag = randomUUID().slice(0, 6);
        const active = await apiKey({ name: `${tag} active` });
        const deactivated = await apiKey({ name: `${tag} deactivated` });
        const revoked = await apiKey({ name: `${tag} revoked` });
        const expiring = await apiKey({ name: `${tag} expiring`, expiresInDays: 1 });
        await changed(await post(`${KEYS}/${deactivated.credential.id}/deactivate`, acme.session.owner));
        await changed(await del(`${KEYS}/${revoked.credential.id}`, acme.session.owner));
        t.advance(DAY);

        const mine = (await list(KEYS, acme.session.admin)).filter((c) => c.name.startsWith(tag));
        expect(
          Object.fromEntries(mine.map((c) => [c.name.slice(tag.length + 1), [c.status, c.expiresLabel]])),
        ).toEqual({
          active: ['active', 'Expires in 29 days'],
          deactivated: ['deactivated', 'Expires in 29 days'],
          revoked: ['revoked', 'Expires in 29 days'],
          expiring: ['expired', 'Expired'],
        });
        expect((await me(active.token)).statusCode).toBe(200);
        expectError(await me(expiring.token), 401, 'credential_expired', 'API key has expired');
      });
    });

    describe('roll', () => {
      it('the new secret works at once, the old one until the overlap ends; its later reuse is audited', async () => {
        const old = await created(
          await post(PATS, acme.session.member, {
            name: 'rolling',
            expiresIn: '90d',
            scopes: ['users:read'],
          }),
        );
        const oldId = old.credential.id;
        expect((await me(old.token)).statusCode).toBe(200);

        const at = t.now();
        const rolled = await created<Rolled>(
          await post(`${PATS}/${oldId}/roll`, acme.session.member, { overlapSeconds: 60 }),
        );
        expect(rolled.token).toMatch(PAT_TOKEN);
        expect(rolled.token).not.toBe(old.token);
        expect(rolled.credential.id).not.toBe(oldId);
        expect(rolled.credential).toMatchObject({
          name: 'rolling',
          scopes: ['users:read'],
          status: 'active',
          ownerUserId: acme.member.id,
          createdAt: iso(at),
          expiresAt: iso(at + 90 * DAY),
          replacedById: null,
        });
        expect(rolled.credential.maskedValue).toBe(`${rolled.token.slice(0, 16)}${MASK}`);
        expect(rolled.previous).toMatchObject({
          id: oldId,
          status: 'active',
          replacedById: rolled.credential.id,
          rolledAt: iso(at),
          expiresAt: iso(at + 60_000),
        });
        expect(rolled.previous).not.toHaveProperty('token');

        for (const token of [rolled.token, old.token]) expect(json(await me(token)).id).toBe(acme.member.id);
        // The old secret already announces its shortened life.
        expect((await me(old.token)).headers['x-credential-expires-at']).toBe(iso(at + 60_000));
        expect((await me(rolled.token)).headers['x-credential-expires-at']).toBe(iso(at + 90 * DAY));
        t.advance(59_999);
        expect((await me(old.token)).statusCode).toBe(200);
        t.advance(1);
        expectError(await me(old.token), 401, 'invalid_credential', 'Invalid API key');
        expect((await me(rolled.token)).statusCode).toBe(200);
        expect(await listed(PATS, acme.session.member, oldId)).toMatchObject({ status: 'expired' });
        expect(await listed(PATS, acme.session.member, rolled.credential.id)).toMatchObject({
          status: 'active',
        });

        // The reuse is written off the request path.
        await vi.waitFor(async () => {
          expect((await auditOf(oldId)).map((event) => event.action)).toEqual([
            'pat.created',
            'pat.rolled',
            'credential.rolled_reuse',
          ]);
        });
        const [, roll, reuse] = await auditOf(oldId);
        expect(roll).toMatchObject({
          actorUserId: acme.member.id,
          details: { name: 'rolling', newCredentialId: rolled.credential.id, overlapSeconds: 60 },
        });
        expect(reuse).toMatchObject({ actorUserId: null, actorCredentialId: oldId, ip: '127.0.0.1' });
      });

      it('overlap 0 ends the old secret at once; the default is 24 h, never past the old expiry', async () => {
        const key = await apiKey({ name: 'instant', expiresInDays: 10 });
        expect((await me(key.token)).statusCode).toBe(200);
        const at = t.now();
        const zero = await created<Rolled>(
          await post(`${KEYS}/${key.credential.id}/roll`, acme.session.owner, { overlapSeconds: 0 }),
        );
        expect(zero.previous).toMatchObject({ expiresAt: iso(at), status: 'expired' });
        expectError(await me(key.token), 401, 'invalid_credential', 'Invalid API key');
        expect(zero.token).toMatch(API_KEY_TOKEN);
        expect(zero.credential).toMatchObject({ name: 'instant', expiresAt: iso(at + 10 * DAY) });
        expect(json(await me(zero.token)).id).toBe(acme.owner.id);

        // No body: the default overlap of 24 hours.
        const byDefault = await created<Rolled>(
          await post(`${KEYS}/${zero.credential.id}/roll`, acme.session.owner),
        );
        expect(byDefault.previous.expiresAt).toBe(iso(at + DAY));
        expect((await me(zero.token)).statusCode).toBe(200);
        expect((await me(byDefault.token)).statusCode).toBe(200);

        // An overlap longer than the credential has left ends with the credential.
        const short = await apiKey({ expiresInDays: 1 });
        const capped = await created<Rolled>(
          await post(`${KEYS}/${short.credential.id}/roll`, acme.session.owner, {
            overlapSeconds: 2 * 86_400,
          }),
        );
        expect(capped.previous.expiresAt).toBe(short.credential.expiresAt);
        expect(capped.credential.expiresAt).toBe(iso(at + DAY));
      });

      it('refuses bad overlaps and rolling a rolled, deactivated or expired credential', async () => {
        const pat = await patOf(acme.admin);
        const url = `${PATS}/${pat.credential.id}/roll`;
        for (const body of [
          { overlapSeconds: -1 },
          { overlapSeconds: 30 * 86_400 + 1 },
          { overlapSeconds: 1.5 },
          { overlapSeconds: 'soon' },
          { overlap: 60 },
        ]) {
          const response = await post(url, acme.session.admin, body);
          expect(response.statusCode, JSON.stringify(body)).toBe(400);
          expectError(response, 400, 'validation_failed');
        }
        expect((await listed(PATS, acme.session.admin, pat.credential.id))?.replacedById).toBeNull();

        await created<Rolled>(await post(url, acme.session.admin, { overlapSeconds: 30 * 86_400 }));
        expectError(
          await post(url, acme.session.admin, { overlapSeconds: 0 }),
          409,
          'conflict',
          'This credential was already rolled',
        );

        const key = await apiKey();
        await changed(await post(`${KEYS}/${key.credential.id}/deactivate`, acme.session.owner));
        expectError(
          await post(`${KEYS}/${key.credential.id}/roll`, acme.session.owner, {}),
          409,
          'conflict',
          'Activate the API key before rolling it',
        );

        const brief = unwrap(
          await t.warden.credentials.createPat(acme.callerOf(acme.admin), {
            name: `brief ${randomUUID()}`,
            expiresAt: iso(t.now() + 1000),
          }),
        );
        t.advance(1000);
        expectError(
          await post(`${PATS}/${brief.credential.id}/roll`, acme.session.admin, {}),
          409,
          'conflict',
          'An expired credential cannot be rolled; create a new one',
        );
      });
    });

    describe('activity and audit', () => {
      it('lists the requests made with a credential, newest first, with daily counts', async () => {
        const pat = await patOf(acme.member, ['users:read']);
        const other = await patOf(acme.member);
        const agent = { 'user-agent': 'credentials-suite/1.0' };
        expect((await get('/v4/user/me', { ...bearer(pat.token), ...agent })).statusCode).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 5));
        expectError(
          await get('/v4/meeting-type', { ...bearer(pat.token), ...agent }),
          403,
          'insufficient_scope',
          "This endpoint requires the 'meeting-types:read' scope",
        );
        // Neither another credential's requests nor a refused look-alike count.
        expect((await me(other.token)).statusCode).toBe(200);
        expect((await me(withLastCharChanged(pat.token))).statusCode).toBe(401);

        const url = `/v4/credentials/${pat.credential.id}/activity`;
        const response = await get(url, acme.session.member);
        expect(response.statusCode).toBe(200);
        const body = json<{ data: Record<string, unknown>[]; daily: { day: string; requests: number }[] }>(
          response,
        );
        const entry = {
          method: 'GET',
          ip: '127.0.0.1',
          userAgent: 'credentials-suite/1.0',
          actingUserId: acme.member.id,
        };
        expect(body.data).toEqual([
          { ...entry, at: expect.any(String), route: '/v4/meeting-type', status: 403 },
          { ...entry, at: expect.any(String), route: '/v4/user/me', status: 200 },
        ]);
        expect(body.daily.reduce((sum, day) => sum + day.requests, 0)).toBe(2);

        const limited = await get(`${url}?limit=1`, acme.session.member);
        expect(json<{ data: { route: string }[] }>(limited).data.map((e) => e.route)).toEqual([
          '/v4/meeting-type',
        ]);
        expectError(await get(`${url}?limit=0`, acme.session.member), 400, 'validation_failed');

        await t.warden.usage.flush();
        expect(await listed(PATS, acme.session.member, pat.credential.id)).toMatchObject({
          lastUsedIp: '127.0.0.1',
          lastUsedAt: expect.any(String),
        });

        // An API key's activity names the user it acted as; admins read it.
        const key = await apiKey();
        expect((await get('/v4/meeting-type', bearer(key.token, acme.member.id))).statusCode).toBe(200);
        const keyActivity = await get(`/v4/credentials/${key.credential.id}/activity`, acme.session.admin);
        expect(json<{ data: unknown[] }>(keyActivity).data).toEqual([
          expect.objectContaining({ route: '/v4/meeting-type', status: 200, actingUserId: acme.member.id }),
        ]);
        // Members do not see the company's keys.
        expectError(
          await get(`/v4/credentials/${key.credential.id}/activity`, acme.session.member),
          404,
          'not_found',
          'Not found',
        );
      });

      it('records one event per state change with actor, target and IP; refusals record none', async () => {
        // API key lifecycle by an admin's dashboard session.
        const key = await created(
          await post(KEYS, acme.session.admin, { name: 'audited key', expiresInDays: 10 }),
        );
        const keyId = key.credential.id;
        await changed(await post(`${KEYS}/${keyId}/deactivate`, acme.session.admin));
        await changed(await post(`${KEYS}/${keyId}/activate`, acme.session.admin));
        const keyRoll = await created<Rolled>(
          await post(`${KEYS}/${keyId}/roll`, acme.session.admin, { overlapSeconds: 30 }),
        );
        await changed(await del(`${KEYS}/${keyRoll.credential.id}`, acme.session.admin));

        // PAT lifecycle by a member through a Bearer PAT holding the management scope.
        const manager = await patOf(acme.member, ['credentials:manage']);
        const pat = await created(await post(PATS, bearer(manager.token), { name: 'audited pat' }));
        const patRoll = await created<Rolled>(
          await post(`${PATS}/${pat.credential.id}/roll`, bearer(manager.token), { overlapSeconds: 0 }),
        );
        await changed(await del(`${PATS}/${patRoll.credential.id}`, bearer(manager.token)));

        const ours = new Set([keyId, keyRoll.credential.id, pat.credential.id, patRoll.credential.id]);
        const events = (await audit())
          .filter((e) => e.credentialId !== null && ours.has(e.credentialId))
          .reverse();
        expect(events.map((e) => [e.action, e.credentialId])).toEqual([
          ['api_key.created', keyId],
          ['api_key.deactivated', keyId],
          ['api_key.activated', keyId],
          ['api_key.rolled', keyId],
          ['api_key.revoked', keyRoll.credential.id],
          ['pat.created', pat.credential.id],
          ['pat.rolled', pat.credential.id],
          ['pat.revoked', patRoll.credential.id],
        ]);
        for (const event of events.slice(0, 5)) {
          expect(event).toMatchObject({
            actorUserId: acme.admin.id,
            actorEmail: acme.emails.admin,
            actorCredentialId: null,
            credentialName: 'audited key',
            ip: '127.0.0.1',
          });
        }
        for (const event of events.slice(5)) {
          expect(event).toMatchObject({
            actorUserId: acme.member.id,
            actorEmail: acme.emails.member,
            actorCredentialId: manager.credential.id,
            credentialName: 'audited pat',
            ip: '127.0.0.1',
          });
        }
        expect(events[3]?.details).toEqual({
          name: 'audited key',
          newCredentialId: keyRoll.credential.id,
          overlapSeconds: 30,
        });

        // Refused and no-op requests write nothing.
        const count = (await audit()).length;
        expect((await post(KEYS, acme.session.member, { expiresInDays: 5 })).statusCode).toBe(403);
        expect((await post(`${KEYS}/${keyRoll.credential.id}/activate`, acme.session.admin)).statusCode).toBe(
          409,
        );
        expect((await post(`${PATS}/${pat.credential.id}/roll`, bearer(manager.token), {})).statusCode).toBe(
          409,
        );
        expect((await del(`${KEYS}/${keyRoll.credential.id}`, acme.session.admin)).statusCode).toBe(200);
        expect((await post(`${KEYS}/${keyId}/deactivate`, acme.session.member)).statusCode).toBe(403);
        expect((await post(PATS, acme.session.member, { name: '' })).statusCode).toBe(400);
        expect(await audit()).toHaveLength(count);
      });

      it('lets only owners and admins read the audit log, newest first and paged', async () => {
        const refused = 'Only owners and admins can read the audit log';
        expectError(await get('/v4/audit-log', acme.session.member), 403, 'forbidden', refused);
        const memberManager = await patOf(acme.member, ['credentials:manage']);
        expectError(await get('/v4/audit-log', bearer(memberManager.token)), 403, 'forbidden', refused);

        const all = await audit(acme.session.admin);
        expect(all.length).toBeGreaterThan(4);
        expect(all.map((e) => e.id)).toEqual([...all.map((e) => e.id)].sort((a, b) => b - a));
        const firstPage = json<{ data: AuditEvent[] }>(
          await get('/v4/audit-log?limit=2', acme.session.admin),
        ).data;
        expect(firstPage.map((e) => e.id)).toEqual(all.slice(0, 2).map((e) => e.id));
        const secondPage = json<{ data: AuditEvent[] }>(
          await get(`/v4/audit-log?limit=2&before=${firstPage[1]?.id}`, acme.session.admin),
        ).data;
        expect(secondPage.map((e) => e.id)).toEqual(all.slice(2, 4).map((e) => e.id));
        expectError(await get('/v4/audit-log?limit=501', acme.session.owner), 400, 'validation_failed');
      });
    });

    describe('who may manage what', () => {
      it('a Bearer credential manages credentials only with the management scope', async () => {
        const key = await apiKey({ name: 'bystander' });
        const target = await patOf(acme.admin);
        const unscopedKey = await apiKey();
        const callers: Record<string, Headers> = {
          'admin PAT without scopes': bearer((await patOf(acme.admin)).token),
          'admin PAT with every other scope': bearer(
            (
              await patOf(
                acme.admin,
                ALL_SCOPES.filter((scope) => scope !== 'credentials:manage'),
              )
            ).token,
          ),
          'API key without scopes acting as the admin': bearer(unscopedKey.token, acme.admin.id),
        };
        const endpoints: [Method, string, Record<string, unknown>?][] = [
          ['GET', PATS],
          ['POST', PATS, { name: 'never made' }],
          ['DELETE', `${PATS}/${target.credential.id}`],
          ['POST', `${PATS}/${target.credential.id}/roll`, { overlapSeconds: 0 }],
          ['GET', KEYS],
          ['POST', KEYS, { name: 'never made', expiresInDays: 5 }],
          ['POST', `${KEYS}/${key.credential.id}/deactivate`],
          ['POST', `${KEYS}/${key.credential.id}/roll`, { overlapSeconds: 0 }],
          ['DELETE', `${KEYS}/${key.credential.id}`],
          ['GET', `/v4/credentials/${key.credential.id}/activity`],
          ['GET', '/v4/audit-log'],
        ];
        for (const [caller, headers] of Object.entries(callers)) {
          for (const [method, url, payload] of endpoints) {
            const response = await send(method, url, headers, payload);
            expect(response.statusCode, `${caller}: ${method} ${url}`).toBe(403);
            expectError(
              response,
              403,
              'insufficient_scope',
              "This endpoint requires the 'credentials:manage' scope",
            );
            expect(response.headers['www-authenticate']).toBe(
              'Bearer realm="keywarden", error="insufficient_scope", scope="credentials:manage"',
            );
          }
        }
        expect((await me(key.token)).statusCode).toBe(200);
        expect((await me(target.token)).statusCode).toBe(200);
        expect((await list(PATS, acme.session.admin)).some((c) => c.name === 'never made')).toBe(false);
        expect((await list(KEYS, acme.session.admin)).some((c) => c.name === 'never made')).toBe(false);

        // With the scope, a PAT manages as its owner.
        const manager = await patOf(acme.admin, ['credentials:manage']);
        const made = await created(await post(PATS, bearer(manager.token), { name: 'made by bearer' }));
        expect(made.credential).toMatchObject({ ownerUserId: acme.admin.id, createdBy: acme.admin.id });
        expect(
          (await changed(await post(`${KEYS}/${key.credential.id}/deactivate`, bearer(manager.token))))
            .status,
        ).toBe('deactivated');
        expectError(await me(key.token), 403, 'credential_deactivated', 'API key is deactivated');

        // A scoped API key manages as the user it acts as, and needs the header to name one.
        const keyManager = await apiKey({ scopes: ['credentials:manage'] });
        expectError(
          await get(KEYS, bearer(keyManager.token)),
          400,
          'acting_user_required',
          "Missing required header 'x-meetergo-api-user-id' for API key authentication",
        );
        expect(
          (
            await changed(
              await post(`${KEYS}/${key.credential.id}/activate`, bearer(keyManager.token, acme.admin.id)),
            )
          ).status,
        ).toBe('active');
        expect((await me(key.token)).statusCode).toBe(200);
        expect((await auditOf(key.credential.id)).at(-1)).toMatchObject({
          action: 'api_key.activated',
          actorUserId: acme.admin.id,
          actorCredentialId: keyManager.credential.id,
        });
      });

      it('a user can neither see nor change another user’s PAT, nor reach a credential under the wrong kind', async () => {
        const adminPat = await patOf(acme.admin);
        const memberPat = await patOf(acme.member);
        const key = await apiKey();
        const notFound = (response: LightMyRequestResponse) =>
          expectError(response, 404, 'not_found', 'Not found');

        notFound(await del(`${PATS}/${adminPat.credential.id}`, acme.session.member));
        notFound(
          await post(`${PATS}/${adminPat.credential.id}/roll`, acme.session.member, { overlapSeconds: 0 }),
        );
        notFound(await get(`/v4/credentials/${adminPat.credential.id}/activity`, acme.session.member));
        // PATs are personal: not even the owner revokes or rolls someone else's.
        notFound(await del(`${PATS}/${memberPat.credential.id}`, acme.session.owner));
        notFound(
          await post(`${PATS}/${memberPat.credential.id}/roll`, acme.session.owner, { overlapSeconds: 0 }),
        );

        const memberList = (await list(PATS, acme.session.member)).map((c) => c.id);
        expect(memberList).toContain(memberPat.credential.id);
        expect(memberList).not.toContain(adminPat.credential.id);
        const ownerList = (await list(PATS, acme.session.owner)).map((c) => c.id);
        expect(ownerList).not.toContain(memberPat.credential.id);
        expect(ownerList).not.toContain(adminPat.credential.id);

        // A credential is only reached under its own kind; unknown ids are not found, bad ones invalid.
        notFound(await del(`${PATS}/${key.credential.id}`, acme.session.owner));
        notFound(await post(`${KEYS}/${adminPat.credential.id}/deactivate`, acme.session.admin));
        notFound(await del(`${KEYS}/${adminPat.credential.id}`, acme.session.admin));
        notFound(await post(`${KEYS}/${randomUUID()}/activate`, acme.session.owner));
        notFound(await get(`/v4/credentials/${randomUUID()}/activity`, acme.session.owner));
        expectError(
          await del(`${PATS}/not-a-uuid`, acme.session.member),
          400,
          'invalid_id',
          'The id in the path must be a UUID',
        );

        expect(json(await me(adminPat.token)).id).toBe(acme.admin.id);
        expect(json(await me(memberPat.token)).id).toBe(acme.member.id);
        expect((await me(key.token)).statusCode).toBe(200);
        for (const id of [adminPat.credential.id, memberPat.credential.id, key.credential.id]) {
          expect((await auditOf(id)).map((event) => event.action)).toEqual([
            id === key.credential.id ? 'api_key.created' : 'pat.created',
          ]);
        }
      });

      it('publishes the scopes a credential can hold; a PAT takes any of them, deduplicated and sorted', async () => {
        const response = await t.app.inject({ url: '/v4/scopes' });
        expect(response.statusCode).toBe(200);
        const scopes = json<{ data: { name: string; description: string }[] }>(response).data;
        const names = scopes.map((scope) => scope.name).sort();
        expect(names).toEqual([
          'appointments:read',
          'appointments:write',
          'availability:read',
          'availability:write',
          'credentials:manage',
          'meeting-types:read',
          'meeting-types:write',
          'users:read',
          'users:write',
        ]);
        for (const scope of scopes) expect(scope.description).toMatch(/\S/);
        expect(scopes.find((scope) => scope.name === 'credentials:manage')?.description).toMatch(
          /never granted/,
        );

        const all = await created(
          await post(PATS, acme.session.member, {
            name: 'every scope',
            scopes: [...names].reverse().concat('users:read'),
          }),
        );
        expect(all.credential.scopes).toEqual(names);
        expect((await me(all.token)).statusCode).toBe(200);
      });
    });
  });
}
