import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/passwords.js';
import { sessions } from '../../src/store/schema.js';
import { buildTestApp, type TestApp } from '../support/app.js';

/** Dashboard sign-up, log-in and log-out, the session cookie, and its cross-origin protection. */

const OWN_ORIGIN = 'http://localhost:80';
const PASSWORD = 'correct horse battery staple';
const uniqueEmail = (label: string) =>
  `${label}-${Date.now()}-${Math.random().toString(36).slice(2)}@example.test`;

function sessionCookie(response: LightMyRequestResponse) {
  const raw = ([] as string[])
    .concat(response.headers['set-cookie'] ?? [])
    .find((line) => line.startsWith('kw_session='));
  const parsed = response.cookies.find((cookie) => cookie.name === 'kw_session');
  return { raw, parsed, header: parsed ? `kw_session=${parsed.value}` : '' };
}

describe('dashboard sessions', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.close());

  const signup = (payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/auth/signup', payload, headers });
  const login = (email: string, password: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/auth/login', payload: { email, password }, headers });
  const logout = (headers: Record<string, string>) =>
    t.app.inject({ method: 'POST', url: '/auth/logout', headers });
  const get = (url: string, headers: Record<string, string>) => t.app.inject({ url, headers });

  /** A fresh company and owner; returns the login details and the sign-up cookie. */
  async function newOwner(label = 'owner') {
    const email = uniqueEmail(label);
    const response = await signup({ company: 'Acme', name: 'Ada King Lovelace', email, password: PASSWORD });
    expect(response.statusCode).toBe(201);
    return { email, response, cookie: sessionCookie(response).header };
  }

  it('signs up with 201, an owner and a HttpOnly, SameSite=Strict session cookie on Path=/', async () => {
    const { email, response } = await newOwner('signup');
    const body = response.json();
    expect(body.user).toMatchObject({ email, role: 'owner', givenName: 'Ada', familyName: 'King Lovelace' });
    expect(body.company).toMatchObject({ name: 'Acme', plan: 'enterprise' });
    expect(JSON.stringify(body)).not.toContain(PASSWORD);
    expect(JSON.stringify(body)).not.toMatch(/password/i);

    const { raw, parsed } = sessionCookie(response);
    expect(raw).toBeDefined();
    const attributes = (raw ?? '').split(/;\s*/).slice(1);
    expect(attributes).toContain('HttpOnly');
    expect(attributes).toContain('SameSite=Strict');
    expect(attributes).toContain('Path=/');
    expect(attributes).not.toContain('Secure'); // COOKIE_SECURE is off by default (plain HTTP)
    // The default session lasts SESSION_TTL_HOURS (168 h).
    const expires = parsed?.expires?.getTime() ?? 0;
    expect(Math.abs(expires - (Date.now() + 168 * 3_600_000))).toBeLessThan(60_000);
    expect(parsed?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('stores only a hash of the session cookie', async () => {
    const { cookie } = await newOwner('hash');
    const value = cookie.slice('kw_session='.length);
    const rows = await t.warden.store.db.select().from(sessions);
    expect(rows.some((row) => row.tokenHash === value)).toBe(false);
    const hashed = createHash('sha256').update(value).digest('hex');
    expect(rows.some((row) => row.tokenHash === hashed)).toBe(true);
  });

  it('refuses a second sign-up with the same email, and one from a foreign origin', async () => {
    const { email } = await newOwner('twice');
    const again = await signup({ company: 'Copy', name: 'X', email, password: PASSWORD });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({
      code: 'email_taken',
      message: 'A user with this email already exists',
    });
    expect(again.headers['set-cookie']).toBeUndefined();

    const foreignEmail = uniqueEmail('csrf');
    const foreign = await signup(
      { company: 'Evil', name: 'Eve', email: foreignEmail, password: PASSWORD },
      { origin: 'https://evil.example' },
    );
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().code).toBe('origin_mismatch');
    expect(await t.warden.directory.findUserByEmail(foreignEmail)).toBeNull();
  });

  it('tells anyone, without a session, that sign-up is open', async () => {
    const response = await get('/auth/options', {});
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ signupEnabled: true });
  });

  it('a cookie works for reads without an Origin header', async () => {
    const { cookie, response } = await newOwner('reads');
    const me = await get('/v4/user/me', { cookie });
    expect(me.statusCode).toBe(200);
    expect(me.json().id).toBe(response.json().user.id);
    expect((await get('/v4/personal-access-tokens', { cookie })).statusCode).toBe(200);
    const session = await get('/auth/session', { cookie });
    expect(session.statusCode).toBe(200);
    expect(session.json().user.id).toBe(response.json().user.id);
  });

  it('login with a wrong password or an unknown email → 401 with the same documented body and no cookie', async () => {
    const { email } = await newOwner('badlogin');
    const expected = {
      statusCode: 401,
      code: 'invalid_login',
      error: 'Unauthorized',
      message: 'Invalid email or password',
    };
    for (const response of [
      await login(email, 'not the password'),
      await login(uniqueEmail('nobody'), PASSWORD),
      await login(email, PASSWORD.toUpperCase()),
    ]) {
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual(expected);
      expect(response.headers['set-cookie']).toBeUndefined();
    }
  });

  it('logs in (email case-insensitively) with 200, a new session and the user', async () => {
    const { email, cookie: first } = await newOwner('login');
    const response = await login(email.toUpperCase(), PASSWORD);
    expect(response.statusCode).toBe(200);
    expect(response.json().user.email).toBe(email);
    const { header, raw } = sessionCookie(response);
    expect(raw).toMatch(/; HttpOnly/);
    expect(raw).toMatch(/; SameSite=Strict/);
    expect(header).not.toBe(first);
    expect((await get('/v4/user/me', { cookie: header })).statusCode).toBe(200);
  });

  it('audits sign-up, failed and successful logins and logout with the user and IP', async () => {
    const { email, cookie, response } = await newOwner('audit');
    const userId = response.json().user.id;
    expect((await login(email, 'wrong password')).statusCode).toBe(401);
    const second = sessionCookie(await login(email, PASSWORD)).header;
    expect((await logout({ cookie: second, origin: OWN_ORIGIN })).statusCode).toBe(204);

    const audit = await get('/v4/audit-log', { cookie });
    expect(audit.statusCode).toBe(200);
    const entries = (audit.json().data as { action: string; actorUserId: string; ip: string }[])
      .filter((entry) => entry.action.startsWith('auth.'))
      .reverse();
    expect(entries.map((entry) => entry.action)).toEqual([
      'auth.signup',
      'auth.login_failed',
      'auth.login',
      'auth.logout',
    ]);
    for (const entry of entries) expect(entry).toMatchObject({ actorUserId: userId, ip: '127.0.0.1' });
  });

  it('logout ends that session: the cookie is cleared and no longer works, other sessions stay', async () => {
    const { email, cookie } = await newOwner('logout');
    const other = sessionCookie(await login(email, PASSWORD)).header;
    const response = await logout({ cookie, origin: OWN_ORIGIN });
    expect(response.statusCode).toBe(204);
    const { raw, parsed } = sessionCookie(response);
    expect(parsed?.value).toBe('');
    expect(parsed?.expires?.getTime()).toBeLessThan(Date.now());
    expect(raw).toMatch(/Path=\//);

    const me = await get('/v4/user/me', { cookie });
    expect(me.statusCode).toBe(401);
    expect(me.json()).toMatchObject({ code: 'missing_authorization' });
    expect((await get('/auth/session', { cookie })).json()).toEqual({
      statusCode: 401,
      code: 'not_authenticated',
      error: 'Unauthorized',
      message: 'Not logged in',
    });
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/v4/personal-access-tokens',
          headers: { cookie, origin: OWN_ORIGIN },
          payload: { name: 'after logout' },
        })
      ).statusCode,
    ).toBe(401);
    expect((await get('/v4/user/me', { cookie: other })).statusCode).toBe(200);
  });

  it('refuses a logout without our Origin, and keeps the session', async () => {
    const { cookie } = await newOwner('logout-csrf');
    for (const headers of [{ cookie }, { cookie, origin: 'https://evil.example' }] as Record<
      string,
      string
    >[]) {
      const response = await logout(headers);
      expect(response.statusCode).toBe(403);
      expect(response.json().code).toBe('origin_mismatch');
    }
    expect((await get('/v4/user/me', { cookie })).statusCode).toBe(200);
  });

  it('refuses unsafe cookie requests without our Origin (403) and does nothing', async () => {
    const { cookie } = await newOwner('csrf');
    const create = (headers: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: '/v4/personal-access-tokens',
        headers: { cookie, ...headers },
        payload: { name: `token-${Math.random()}` },
      });
    const expected = {
      statusCode: 403,
      code: 'origin_mismatch',
      error: 'Forbidden',
      message: 'Cross-origin request refused: the Origin header must match this server',
    };
    const refusedOrigins: Record<string, string>[] = [
      {},
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { origin: 'http://localhost:8080' },
      { origin: 'https://localhost:80' },
    ];
    for (const headers of refusedOrigins) {
      const refused = await create(headers);
      expect(refused.statusCode, JSON.stringify(headers)).toBe(403);
      expect(refused.json()).toEqual(expected);
    }
    const put = await t.app.inject({
      method: 'PUT',
      url: '/v4/availability',
      headers: { cookie },
      payload: {},
    });
    expect(put.statusCode).toBe(403);
    expect((await get('/v4/personal-access-tokens', { cookie })).json().data).toEqual([]);

    expect((await create({ origin: OWN_ORIGIN })).statusCode).toBe(201);
    expect((await get('/v4/personal-access-tokens', { cookie })).json().data).toHaveLength(1);
  });

  it('needs no Origin for Bearer requests: only cookies ride along cross-site', async () => {
    const { cookie } = await newOwner('bearer');
    const manager = await t.app.inject({
      method: 'POST',
      url: '/v4/personal-access-tokens',
      headers: { cookie, origin: OWN_ORIGIN },
      payload: { name: 'manager', scopes: ['credentials:manage'] },
    });
    const created = await t.app.inject({
      method: 'POST',
      url: '/v4/personal-access-tokens',
      headers: { authorization: `Bearer ${manager.json().token}` },
      payload: { name: 'by bearer' },
    });
    expect(created.statusCode).toBe(201);
  });

  it('refuses a forged or expired session cookie', async () => {
    const forged = `kw_session=${'A'.repeat(43)}`;
    expect((await get('/v4/user/me', { cookie: forged })).statusCode).toBe(401);
    const { cookie } = await newOwner('expired');
    const hashed = createHash('sha256').update(cookie.slice('kw_session='.length)).digest('hex');
    await t.warden.store.db
      .update(sessions)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(sessions.tokenHash, hashed));
    expect((await get('/v4/user/me', { cookie })).statusCode).toBe(401);
    expect((await get('/auth/session', { cookie })).statusCode).toBe(401);
  });
});

describe('dashboard sessions with sign-up closed, Secure cookies and an extra allowed origin', () => {
  let t: TestApp;
  const email = uniqueEmail('closed');
  const PARTNER = 'https://dashboard.example';

  beforeAll(async () => {
    t = await buildTestApp({ SIGNUP_ENABLED: false, COOKIE_SECURE: true, ALLOWED_ORIGINS: PARTNER });
    const created = await t.warden.directory.createCompany({
      name: 'Closed',
      owner: { email, passwordHash: await hashPassword(PASSWORD) },
    });
    if (!created.ok) throw new Error(created.code);
  });
  afterAll(() => t.close());

  it('refuses sign-up with 403 signup_closed and creates nothing', async () => {
    const newEmail = uniqueEmail('refused');
    const response = await t.app.inject({
      method: 'POST',
      url: '/auth/signup',
      payload: { company: 'Nope', name: 'No Body', email: newEmail, password: PASSWORD },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({
      statusCode: 403,
      code: 'signup_closed',
      error: 'Forbidden',
      message: 'Sign-up is closed on this server',
    });
    expect(response.headers['set-cookie']).toBeUndefined();
    expect(await t.warden.directory.findUserByEmail(newEmail)).toBeNull();
  });

  it('tells anyone, without a session, that sign-up is closed', async () => {
    const response = await t.app.inject({ url: '/auth/options' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ signupEnabled: false });
  });

  it('still lets existing users log in, with a Secure cookie, and accepts the configured origin', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { email, password: PASSWORD },
    });
    expect(response.statusCode).toBe(200);
    const { raw, header } = sessionCookie(response);
    expect((raw ?? '').split(/;\s*/)).toContain('Secure');
    const create = (origin: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v4/personal-access-tokens',
        headers: { cookie: header, origin },
        payload: { name: `from ${origin}` },
      });
    expect((await create(PARTNER)).statusCode).toBe(201);
    expect((await create('https://other.example')).statusCode).toBe(403);
    const partnerLogin = await t.app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { origin: PARTNER },
      payload: { email, password: PASSWORD },
    });
    expect(partnerLogin.statusCode).toBe(200);
    const foreignLogin = await t.app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { origin: 'https://other.example' },
      payload: { email, password: PASSWORD },
    });
    expect(foreignLogin.statusCode).toBe(403);
  });
});
