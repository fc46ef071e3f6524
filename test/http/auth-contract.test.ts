import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, seedTenant, type TestApp } from '../support/app.js';
import { seedCompany, unwrap, withLastCharChanged } from '../support/fixtures.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One test per row of SPEC's error table and per rule of the contract. */
describe('authentication contract', () => {
  let t: TestApp;
  let tenant: Awaited<ReturnType<typeof seedTenant>>;

  beforeAll(async () => {
    t = await buildTestApp();
    tenant = await seedTenant(t);
  });
  afterAll(() => t.close());

  const get = (url: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url, headers });

  function expectError(
    response: Awaited<ReturnType<typeof get>>,
    status: number,
    error: string,
    message: string,
  ) {
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/application\/json/);
    expect(response.json()).toMatchObject({ statusCode: status, error, message });
    expect(typeof response.json().code).toBe('string');
  }

  it('no Authorization header → 401 Missing authorization header, with a Bearer challenge', async () => {
    const response = await get('/v4/user/me');
    expectError(response, 401, 'Unauthorized', 'Missing authorization header');
    expect(response.headers['www-authenticate']).toBe('Bearer realm="keywarden"');
  });

  it('unknown, malformed, wrong-scheme and revoked credentials → 401 Invalid API key with error="invalid_token"', async () => {
    const revoked = unwrap(await t.warden.credentials.createPat(tenant.ownerCaller, { name: 'gone' }));
    unwrap(await t.warden.credentials.revoke(tenant.ownerCaller, 'pat', revoked.credential.id));
    const cases = [
      `Bearer ${t.warden.formats.generate('pat').token}`, // unknown but well formed
      `Bearer ${t.warden.formats.generate('api_key').token}`,
      `Bearer ${withLastCharChanged(tenant.ownerPat)}`, // checksum
      'Bearer rgo-short',
      `Basic ${tenant.ownerPat}`,
      `Token ${tenant.ownerPat}`,
      tenant.ownerPat,
      'Bearer',
      'Bearer ',
      `Bearer ${revoked.token}`,
    ];
    for (const authorization of cases) {
      const response = await get('/v4/user/me', { authorization });
      expectError(response, 401, 'Unauthorized', 'Invalid API key');
      expect(response.headers['www-authenticate']).toMatch(
        /^Bearer realm="keywarden", error="invalid_token"/,
      );
      if (authorization.length > 30) expect(response.body).not.toContain(authorization.slice(7, 30));
    }
  });

  it('accepts the scheme case-insensitively', async () => {
    expect((await get('/v4/user/me', { authorization: `bearer ${tenant.ownerPat}` })).statusCode).toBe(200);
    expect((await get('/v4/user/me', { authorization: `BEARER ${tenant.ownerPat}` })).statusCode).toBe(200);
  });

  it('expired credential → 401 API key has expired', async () => {
    const short = unwrap(
      await t.warden.credentials.createPat(tenant.ownerCaller, {
        name: 'brief',
        expiresAt: new Date(Date.now() + 300),
      }),
    );
    expect((await get('/v4/user/me', bearer(short.token))).statusCode).toBe(200);
    await sleep(350);
    const response = await get('/v4/user/me', bearer(short.token));
    expectError(response, 401, 'Unauthorized', 'API key has expired');
    expect(response.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('PAT + header naming another user → 403 with the documented message', async () => {
    const response = await get('/v4/user/me', bearer(tenant.memberPat, tenant.admin.id));
    expectError(
      response,
      403,
      'Forbidden',
      "The 'x-meetergo-api-user-id' header requires a Platform API Key. Personal Access Tokens always act as the token owner and cannot act on behalf of other users.",
    );
    // Naming yourself is fine.
    expect((await get('/v4/user/me', bearer(tenant.memberPat, tenant.member.id))).json().id).toBe(
      tenant.member.id,
    );
  });

  it('API key without the header on an endpoint that needs it → 400', async () => {
    const response = await get('/v4/user', bearer(tenant.apiKey));
    expectError(
      response,
      400,
      'Bad Request',
      "Missing required header 'x-meetergo-api-user-id' for API key authentication",
    );
  });

  it('API key without the header on owner-default endpoints acts as the company owner', async () => {
    const me = await get('/v4/user/me', bearer(tenant.apiKey));
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ id: tenant.owner.id, role: 'owner' });
    const created = await t.app.inject({
      method: 'POST',
      url: '/v4/user',
      headers: bearer(tenant.apiKey),
      payload: { email: `new-${Date.now()}@example.test`, givenName: 'New' },
    });
    expect(created.statusCode).toBe(201);
    const log = await t.warden.audit.list(tenant.company.id);
    expect(log.find((e) => e.action === 'user.created')?.actorUserId).toBe(tenant.owner.id);
  });

  it('API key + header acts as that user', async () => {
    const me = await get('/v4/user/me', bearer(tenant.apiKey, tenant.member.id));
    expect(me.json()).toMatchObject({ id: tenant.member.id, role: 'member' });
  });

  it('API key + user outside the company or unknown → 403 API user does not belong to company', async () => {
    const other = await seedCompany(t.warden);
    for (const id of [
      other.member.id,
      other.owner.id,
      '6f1c1a5e-0000-4000-8000-000000000000',
      'nonsense',
      "'; drop table users;--",
    ]) {
      expectError(
        await get('/v4/user/me', bearer(tenant.apiKey, id)),
        403,
        'Forbidden',
        'API user does not belong to company',
      );
    }
  });

  it('deactivated API key → 403 API key is deactivated', async () => {
    const key = unwrap(await t.warden.credentials.createApiKey(tenant.ownerCaller, { expiresInDays: 2 }));
    unwrap(await t.warden.credentials.setActive(tenant.ownerCaller, key.credential.id, false));
    expectError(await get('/v4/user/me', bearer(key.token)), 403, 'Forbidden', 'API key is deactivated');
  });

  it('rate limited → 429 Too Many Requests with Retry-After and rate-limit headers', async () => {
    const limited = unwrap(
      await t.warden.credentials.createApiKey(tenant.ownerCaller, {
        expiresInDays: 2,
        rateLimit: { limit: 3, windowSeconds: 60 },
      }),
    );
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await get('/v4/user/me', bearer(limited.token));
      seen.push(response.statusCode);
      expect(response.headers['ratelimit-policy']).toBe('"credential";q=3;w=60');
      expect(response.headers['x-ratelimit-remaining']).toBe(String(2 - i));
      expect(response.headers.ratelimit).toMatch(new RegExp(`^"credential";r=${2 - i};t=\\d+$`));
    }
    expect(seen).toEqual([200, 200, 200]);
    const refused = await get('/v4/user/me', bearer(limited.token));
    expectError(refused, 429, 'Too Many Requests', 'Too Many Requests');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.headers['x-ratelimit-remaining']).toBe('0');
    // Another credential has its own budget.
    expect((await get('/v4/user/me', bearer(tenant.ownerPat))).statusCode).toBe(200);
  });

  it('user management is refused to PATs, even an owner’s with every scope', async () => {
    const allScopes = await tenant.newPat(tenant.owner, ['users:read', 'users:write', 'credentials:manage']);
    for (const token of [tenant.ownerPat, allScopes]) {
      const created = await t.app.inject({
        method: 'POST',
        url: '/v4/user',
        headers: bearer(token),
        payload: { email: 'x@example.test' },
      });
      expect(created.statusCode).toBe(403);
      expect(created.json().code).toBe('user_management_requires_api_key');
      const patched = await t.app.inject({
        method: 'PATCH',
        url: `/v4/user/${tenant.member.id}`,
        headers: bearer(token),
        payload: { givenName: 'X' },
      });
      expect(patched.statusCode).toBe(403);
      const deleted = await t.app.inject({
        method: 'DELETE',
        url: `/v4/user/${tenant.member.id}`,
        headers: bearer(token),
      });
      expect(deleted.statusCode).toBe(403);
    }
    expect((await t.warden.directory.getUser(tenant.company.id, tenant.member.id))?.givenName).toBe('');
  });

  it('scopes narrow access and answer insufficient_scope with a WWW-Authenticate challenge', async () => {
    const readOnly = await tenant.newPat(tenant.admin, ['meeting-types:read']);
    const response = await get('/v4/user/me', bearer(readOnly));
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'insufficient_scope', error: 'Forbidden' });
    expect(response.headers['www-authenticate']).toBe(
      'Bearer realm="keywarden", error="insufficient_scope", scope="users:read"',
    );
    const reader = await tenant.newPat(tenant.admin, ['users:read']);
    expect((await get('/v4/user/me', bearer(reader))).statusCode).toBe(200);
  });

  it('the management scope is never part of the default', async () => {
    const response = await get('/v4/personal-access-tokens', bearer(tenant.ownerPat));
    expect(response.statusCode).toBe(403);
    expect(response.headers['www-authenticate']).toContain('scope="credentials:manage"');
    const manager = await tenant.newPat(tenant.owner, ['credentials:manage']);
    expect((await get('/v4/personal-access-tokens', bearer(manager))).statusCode).toBe(200);
  });

  it('every authenticated response announces the credential expiry', async () => {
    const pat = await get('/v4/user/me', bearer(tenant.ownerPat));
    expect(Date.parse(String(pat.headers['x-credential-expires-at']))).toBeGreaterThan(Date.now());
    const never = unwrap(
      await t.warden.credentials.createPat(tenant.ownerCaller, { name: 'nev', expiresIn: 'never' }),
    );
    expect((await get('/v4/user/me', bearer(never.token))).headers['x-credential-expires-at']).toBe('never');
  });

  it('throttles repeated failed authentication per IP', async () => {
    const strict = await buildTestApp({ AUTH_FAILURE_LIMIT: 3 });
    try {
      const own = await seedTenant(strict);
      const fresh = await own.newPat(own.owner);
      expect(
        (await strict.app.inject({ url: '/v4/user/me', headers: bearer(own.ownerPat) })).statusCode,
      ).toBe(200);
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const response = await strict.app.inject({
          url: '/v4/user/me',
          headers: { authorization: `Bearer rgo-wrong-${i}` },
        });
        statuses.push(response.statusCode);
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      const last = await strict.app.inject({ url: '/v4/user/me', headers: { authorization: 'Bearer nope' } });
      expect(last.headers['retry-after']).toBeDefined();
      // The budget guards lookups: a credential this node already verified is still served, one
      // that would need the database waits until the window resets.
      expect(
        (await strict.app.inject({ url: '/v4/user/me', headers: bearer(own.ownerPat) })).statusCode,
      ).toBe(200);
      expect((await strict.app.inject({ url: '/v4/user/me', headers: bearer(fresh) })).statusCode).toBe(429);
      // Another address is unaffected.
      const elsewhere = await strict.app.inject({
        url: '/v4/user/me',
        remoteAddress: '10.9.9.9',
        headers: { authorization: 'Bearer x' },
      });
      expect(elsewhere.statusCode).toBe(401);
    } finally {
      await strict.close();
    }
  });

  it('honours configured header names and prefixes', async () => {
    const custom = await buildTestApp({
      ACTING_USER_HEADER: 'x-acme-user',
      PAT_PREFIX: 'acme_',
      API_KEY_PREFIX: 'acme_live',
    });
    try {
      const seed = await seedCompany(custom.warden);
      const key = unwrap(
        await custom.warden.credentials.createApiKey(seed.ownerCaller, { expiresInDays: 1 }),
      ).token;
      expect(key.startsWith('acme_live:')).toBe(true);
      const ok = await custom.app.inject({
        url: '/v4/user',
        headers: { authorization: `Bearer ${key}`, 'x-acme-user': seed.admin.id },
      });
      expect(ok.statusCode).toBe(200);
      const missing = await custom.app.inject({
        url: '/v4/user',
        headers: { authorization: `Bearer ${key}` },
      });
      expect(missing.json().message).toBe("Missing required header 'x-acme-user' for API key authentication");
    } finally {
      await custom.close();
    }
  });

  it('usage limits count down and refuse when exhausted', async () => {
    const limited = unwrap(
      await t.warden.credentials.createApiKey(tenant.ownerCaller, {
        expiresInDays: 2,
        usageLimit: { remaining: 2 },
      }),
    );
    const first = await get('/v4/user/me', bearer(limited.token));
    expect(first.headers['x-usage-remaining']).toBe('1');
    expect((await get('/v4/user/me', bearer(limited.token))).headers['x-usage-remaining']).toBe('0');
    const refused = await get('/v4/user/me', bearer(limited.token));
    expect(refused.statusCode).toBe(429);
    expect(refused.json().code).toBe('usage_exhausted');
    // Never refilled: no time to come back at.
    expect(refused.headers['retry-after']).toBeUndefined();
  });

  it('a used-up limit refilled daily says when to come back: the next UTC midnight', async () => {
    const daily = unwrap(
      await t.warden.credentials.createApiKey(tenant.ownerCaller, {
        expiresInDays: 2,
        usageLimit: { remaining: 0, refillAmount: 5, refillInterval: 'day' },
      }),
    );
    // Created with nothing left and refilled today already: the first request is refused.
    const refused = await get('/v4/user/me', bearer(daily.token));
    expect(refused.statusCode).toBe(429);
    expect(refused.json().code).toBe('usage_exhausted');
    const midnight = new Date();
    midnight.setUTCHours(24, 0, 0, 0);
    const expected = Math.ceil((midnight.getTime() - Date.now()) / 1000);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(Math.max(1, expected - 5));
    expect(retryAfter).toBeLessThanOrEqual(Math.max(1, expected + 5));
  });

  // `GET /v4/user/me` serves the cached user view's JSON, serialised once per view (src/http/view-json.ts).
  const me = () => get('/v4/user/me', bearer(tenant.memberPat));

  it('/v4/user/me answers the schema’s JSON, the same on a repeat as on the first read', async () => {
    const first = await me();
    const again = await me();
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(again.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(again.body).toBe(first.body);
    expect(first.json()).toMatchObject({ id: tenant.member.id, email: tenant.member.email, role: 'member' });
    // What the route schema lets through, and nothing the database row has besides.
    expect(Object.keys(first.json()).sort()).toEqual(Object.keys(again.json()).sort());
    expect(first.json()).not.toHaveProperty('passwordHash');
    expect(first.json()).not.toHaveProperty('password_hash');
  });

  it('/v4/user/me shows a change at once: a new view brings its own JSON', async () => {
    const before = (await me()).json();
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/v4/user/${tenant.member.id}`,
      headers: bearer(tenant.apiKey, tenant.owner.id),
      payload: { givenName: 'Renamed' },
    });
    expect(patched.statusCode).toBe(200);
    const after = (await me()).json();
    expect(after.givenName).toBe('Renamed');
    expect(after.givenName).not.toBe(before.givenName);
    const byId = await t.app.inject({
      method: 'GET',
      url: `/v4/user/${tenant.member.id}`,
      headers: bearer(tenant.memberPat),
    });
    expect(byId.json()).toEqual(after);
  });
});
