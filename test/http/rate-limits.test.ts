import { randomInt } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { credentials } from '../../src/store/schema.js';
import { createWarden, type Warden } from '../../src/warden/create-warden.js';
import { bearer, buildTestApp, type TestApp } from '../support/app.js';
import { seedCompany, unwrap } from '../support/fixtures.js';
import { redisUrl } from '../support/redis.js';

/**
 * Rate and usage limits as a client sees them: which policy applies, the headers that announce
 * it, the 429 that enforces it, and (with Redis) one budget shared by every node. The basic
 * per-key 429 and usage countdown live in auth-contract.test.ts.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const TOO_MANY = {
  statusCode: 429,
  code: 'rate_limited',
  error: 'Too Many Requests',
  message: 'Too Many Requests',
};
/** A fresh address per call, so suites sharing a Redis never share a failed-auth budget. */
const randomIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

function policyOf(response: LightMyRequestResponse) {
  return response.headers['ratelimit-policy'];
}

describe('per-credential rate limits', () => {
  let t: TestApp;
  const SERVER_DEFAULT = '"credential";q=5;w=60';

  beforeAll(async () => {
    t = await buildTestApp({ RATE_LIMIT_MAX: 5, RATE_LIMIT_WINDOW_SECONDS: 60 });
  });
  afterAll(() => t.close());

  const me = (token: string, extra: Record<string, string> = {}) =>
    t.app.inject({ url: '/v4/user/me', headers: { ...bearer(token), ...extra } });

  it('uses the server default when neither the company nor the credential sets a limit', async () => {
    const seed = await seedCompany(t.warden);
    const pat = unwrap(await t.warden.credentials.createPat(seed.ownerCaller, { name: 'plain' })).token;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await me(pat);
      statuses.push(response.statusCode);
      expect(policyOf(response)).toBe(SERVER_DEFAULT);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('applies the company default to credentials without their own limit; a per-key limit overrides it', async () => {
    const seed = await seedCompany(t.warden);
    const pat = unwrap(await t.warden.credentials.createPat(seed.ownerCaller, { name: 'default' })).token;
    const overridden = unwrap(
      await t.warden.credentials.createApiKey(seed.ownerCaller, {
        expiresInDays: 1,
        rateLimit: { limit: 7, windowSeconds: 10 },
      }),
    ).token;
    // Verified (and cached) before the company changes its default: the change must still apply.
    expect(policyOf(await me(pat))).toBe(SERVER_DEFAULT);

    unwrap(
      await t.warden.directory.updateCompany(seed.ownerCaller, {
        settings: { rateLimit: { limit: 3, windowSeconds: 30 } },
      }),
    );
    const companyDefault = await me(pat);
    expect(policyOf(companyDefault)).toBe('"credential";q=3;w=30');
    expect(companyDefault.headers['x-ratelimit-limit']).toBe('3');
    // A new policy counts in a window of its own, not in the one the old policy started.
    expect(companyDefault.headers['x-ratelimit-remaining']).toBe('2');
    const keyResponse = await me(overridden);
    expect(policyOf(keyResponse)).toBe('"credential";q=7;w=10');
    expect(keyResponse.headers['x-ratelimit-remaining']).toBe('6');

    // Another company is untouched by this one's setting.
    const other = await seedCompany(t.warden);
    const otherPat = unwrap(await t.warden.credentials.createPat(other.ownerCaller, { name: 'x' })).token;
    expect(policyOf(await me(otherPat))).toBe(SERVER_DEFAULT);
  });

  it('announces the budget coherently in RateLimit and X-RateLimit-* headers, and refuses with the exact body', async () => {
    const seed = await seedCompany(t.warden);
    const token = unwrap(
      await t.warden.credentials.createApiKey(seed.ownerCaller, {
        expiresInDays: 1,
        rateLimit: { limit: 4, windowSeconds: 60 },
      }),
    ).token;
    const before = Math.floor(Date.now() / 1000);
    for (let used = 1; used <= 4; used++) {
      const response = await me(token);
      expect(response.statusCode).toBe(200);
      expect(response.headers['x-ratelimit-limit']).toBe('4');
      expect(response.headers['x-ratelimit-remaining']).toBe(String(4 - used));
      const reset = Number(response.headers['x-ratelimit-reset']);
      // An epoch second inside the window, not a delta.
      expect(reset).toBeGreaterThanOrEqual(before);
      expect(reset).toBeLessThanOrEqual(before + 61);
      const [, remaining, seconds] =
        /^"credential";r=(\d+);t=(\d+)$/.exec(String(response.headers.ratelimit)) ?? [];
      expect(Number(remaining)).toBe(4 - used);
      expect(Number(seconds)).toBeGreaterThan(0);
      expect(Number(seconds)).toBeLessThanOrEqual(60);
      expect(response.headers['retry-after']).toBeUndefined();
    }
    const refused = await me(token);
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toEqual(TOO_MANY);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.ratelimit).toBe(`"credential";r=0;t=${retryAfter}`);
    expect(refused.headers['x-ratelimit-remaining']).toBe('0');
    expect(refused.body).not.toContain(token.slice(-36));
  });

  it('a refused request does no work and spends none of the usage budget', async () => {
    const seed = await seedCompany(t.warden);
    const issued = unwrap(
      await t.warden.credentials.createPat(seed.ownerCaller, {
        name: 'writer',
        rateLimit: { limit: 1, windowSeconds: 60 },
        usageLimit: { remaining: 10 },
      }),
    );
    const create = (slug: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v4/meeting-type',
        headers: bearer(issued.token),
        payload: { name: slug, duration: 30, slug },
      });
    expect((await create('first')).statusCode).toBe(201);
    const refused = await create('second');
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toEqual(TOO_MANY);
    const reader = unwrap(await t.warden.credentials.createPat(seed.ownerCaller, { name: 'reader' })).token;
    const types = await t.app.inject({ url: '/v4/meeting-type', headers: bearer(reader) });
    expect(types.json().map((type: { slug: string }) => type.slug)).toEqual(['first']);
    const listed = unwrap(await t.warden.credentials.list(seed.ownerCaller, 'pat')).find(
      (credential) => credential.id === issued.credential.id,
    );
    expect(listed?.usageLimit?.remaining).toBe(9);
  });

  it('opens again when the window resets', async () => {
    const seed = await seedCompany(t.warden);
    const token = unwrap(
      await t.warden.credentials.createApiKey(seed.ownerCaller, {
        expiresInDays: 1,
        rateLimit: { limit: 2, windowSeconds: 1 },
      }),
    ).token;
    expect([(await me(token)).statusCode, (await me(token)).statusCode]).toEqual([200, 200]);
    const refused = await me(token);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    await sleep(1100);
    const again = await me(token);
    expect(again.statusCode).toBe(200);
    expect(again.headers['x-ratelimit-remaining']).toBe('1');
  });

  it('keeps a limit set through the API, and across a roll', async () => {
    const seed = await seedCompany(t.warden);
    const owner = unwrap(
      await t.warden.credentials.createPat(seed.ownerCaller, {
        name: 'manager',
        scopes: ['credentials:manage'],
      }),
    ).token;
    const created = await t.app.inject({
      method: 'POST',
      url: '/v4/api-keys',
      headers: bearer(owner),
      payload: { expiresInDays: 3, rateLimit: { limit: 9, windowSeconds: 90 } },
    });
    expect(created.statusCode).toBe(201);
    const issued = created.json() as { token: string; credential: { id: string; rateLimit: unknown } };
    expect(issued.credential.rateLimit).toEqual({ limit: 9, windowSeconds: 90 });
    expect(policyOf(await me(issued.token))).toBe('"credential";q=9;w=90');

    const rolled = await t.app.inject({
      method: 'POST',
      url: `/v4/api-keys/${issued.credential.id}/roll`,
      headers: bearer(owner),
      payload: { overlapSeconds: 0 },
    });
    expect(rolled.statusCode).toBe(201);
    expect(policyOf(await me(rolled.json().token))).toBe('"credential";q=9;w=90');
  });
});

describe('per-IP failed-authentication limit', () => {
  let t: TestApp;
  let seed: Awaited<ReturnType<typeof seedCompany>>;
  const password = 'correct horse battery staple';
  let email: string;

  beforeAll(async () => {
    t = await buildTestApp({ AUTH_FAILURE_LIMIT: 3, AUTH_FAILURE_WINDOW_SECONDS: 1 });
    const signup = await t.app.inject({
      method: 'POST',
      url: '/auth/signup',
      payload: { company: 'Limits', name: 'Lim Its', email: `limits-${Date.now()}@example.test`, password },
    });
    expect(signup.statusCode).toBe(201);
    email = signup.json().user.email;
    seed = await seedCompany(t.warden);
  });
  afterAll(() => t.close());

  const me = (ip: string, authorization: string) =>
    t.app.inject({ url: '/v4/user/me', remoteAddress: ip, headers: { authorization } });
  const login = (ip: string, pass: string) =>
    t.app.inject({
      method: 'POST',
      url: '/auth/login',
      remoteAddress: ip,
      payload: { email, password: pass },
    });

  it('refuses with the exact body and announces the failed-auth policy and Retry-After', async () => {
    const ip = randomIp();
    for (let i = 0; i < 3; i++) expect((await me(ip, `Bearer rgo-wrong-${i}`)).statusCode).toBe(401);
    const refused = await me(ip, 'Bearer rgo-wrong-again');
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toEqual(TOO_MANY);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.headers['ratelimit-policy']).toBe('"auth-failures";q=3;w=1');
    expect(refused.headers.ratelimit).toMatch(/^"auth-failures";r=0;t=[01]$/);
    expect(refused.headers['x-ratelimit-limit']).toBe('3');
    expect(refused.headers['x-ratelimit-remaining']).toBe('0');
  });

  it('counts wrong passwords and bad credentials against one budget, which also stops a correct login', async () => {
    const ip = randomIp();
    expect((await login(ip, 'wrong password 1')).statusCode).toBe(401);
    expect((await me(ip, 'Bearer rgo-wrong')).statusCode).toBe(401);
    expect((await login(ip, 'wrong password 2')).statusCode).toBe(401);
    const blocked = await login(ip, password);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json()).toEqual(TOO_MANY);
    expect(blocked.headers['set-cookie']).toBeUndefined();
    expect(blocked.headers['ratelimit-policy']).toBe('"auth-failures";q=3;w=1');
    // Another address is unaffected, and the budget comes back when the window resets.
    expect((await login(randomIp(), password)).statusCode).toBe(200);
    await sleep(1100);
    expect((await login(ip, password)).statusCode).toBe(200);
  });

  it('counts only failures: successes and non-401 refusals leave the budget alone', async () => {
    const ip = randomIp();
    const good = unwrap(await t.warden.credentials.createPat(seed.ownerCaller, { name: `ok-${ip}` })).token;
    const off = unwrap(await t.warden.credentials.createApiKey(seed.ownerCaller, { expiresInDays: 1 }));
    unwrap(await t.warden.credentials.setActive(seed.ownerCaller, off.credential.id, false));
    for (let i = 0; i < 5; i++) {
      expect((await me(ip, `Bearer ${good}`)).statusCode).toBe(200);
      expect((await me(ip, `Bearer ${off.token}`)).statusCode).toBe(403);
    }
    expect((await me(ip, 'Bearer rgo-wrong')).statusCode).toBe(401);
  });

  it('counts expired credentials as failures', async () => {
    const ip = randomIp();
    const brief = unwrap(
      await t.warden.credentials.createPat(seed.ownerCaller, {
        name: `brief-${ip}`,
        expiresAt: new Date(Date.now() + 200),
      }),
    ).token;
    await sleep(250);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await me(ip, `Bearer ${brief}`)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });
});

describe('usage limits', () => {
  let t: TestApp;
  let seed: Awaited<ReturnType<typeof seedCompany>>;

  beforeAll(async () => {
    t = await buildTestApp();
    seed = await seedCompany(t.warden);
  });
  afterAll(() => t.close());

  const me = (token: string) => t.app.inject({ url: '/v4/user/me', headers: bearer(token) });
  const backdateRefill = (id: string, days: number) =>
    t.warden.store.db
      .update(credentials)
      .set({ usageRefilledAt: new Date(Date.now() - days * 86_400_000) })
      .where(eq(credentials.id, id));

  it('refuses with the documented body once used up, and refills at the next period', async () => {
    const issued = unwrap(
      await t.warden.credentials.createApiKey(seed.ownerCaller, {
        expiresInDays: 2,
        usageLimit: { remaining: 1, refillAmount: 3, refillInterval: 'day' },
      }),
    );
    // The refill is per period: a new key spends its initial budget first.
    expect((await me(issued.token)).headers['x-usage-remaining']).toBe('0');
    const refused = await me(issued.token);
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toEqual({
      statusCode: 429,
      code: 'usage_exhausted',
      error: 'Too Many Requests',
      message: 'Usage limit exceeded for this credential',
    });
    expect(refused.headers['x-usage-remaining']).toBeUndefined();

    // A day later the budget is the refill amount (not added to what was left).
    await backdateRefill(issued.credential.id, 1);
    const refilled = await me(issued.token);
    expect(refilled.statusCode).toBe(200);
    expect(refilled.headers['x-usage-remaining']).toBe('2');
    expect((await me(issued.token)).headers['x-usage-remaining']).toBe('1');
    expect((await me(issued.token)).headers['x-usage-remaining']).toBe('0');
    expect((await me(issued.token)).statusCode).toBe(429);
  });

  it('refills monthly budgets only once the month has turned', async () => {
    const issued = unwrap(
      await t.warden.credentials.createPat(seed.ownerCaller, {
        name: 'monthly',
        usageLimit: { remaining: 0, refillAmount: 2, refillInterval: 'month' },
      }),
    );
    expect((await me(issued.token)).json().code).toBe('usage_exhausted');
    await backdateRefill(issued.credential.id, 40);
    expect((await me(issued.token)).headers['x-usage-remaining']).toBe('1');
  });

  it('without a refill, an exhausted credential stays refused and the list shows what is left', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/v4/api-keys',
      headers: bearer(
        unwrap(
          await t.warden.credentials.createPat(seed.ownerCaller, {
            name: 'mgr',
            scopes: ['credentials:manage'],
          }),
        ).token,
      ),
      payload: { expiresInDays: 1, usageLimit: { remaining: 2 } },
    });
    expect(created.statusCode).toBe(201);
    const { token, credential } = created.json() as { token: string; credential: { id: string } };
    expect((await me(token)).statusCode).toBe(200);
    const [listed] = unwrap(await t.warden.credentials.list(seed.ownerCaller, 'api_key')).filter(
      (c) => c.id === credential.id,
    );
    expect(listed?.usageLimit).toEqual({ remaining: 1, refillAmount: null, refillInterval: null });
    expect((await me(token)).statusCode).toBe(200);
    await backdateRefill(credential.id, 400);
    expect((await me(token)).statusCode).toBe(429);
  });
});

describe.skipIf(redisUrl === null)('rate limits shared through Redis', () => {
  let warden: Warden;
  const apps: FastifyInstance[] = [];

  /** Two nodes of one deployment: the same database, each with its own limiter and Redis client. */
  async function node(config: { REDIS_URL?: string; AUTH_FAILURE_LIMIT?: number } = {}) {
    const app = await buildApp({
      warden,
      logger: false,
      config: {
        DATABASE_URL: 'memory://',
        DASHBOARD_ENABLED: false,
        AUTH_FAILURE_LIMIT: 1_000_000,
        ...config,
      },
    });
    await app.ready();
    apps.push(app);
    return app;
  }

  beforeAll(async () => {
    warden = await createWarden({ databaseUrl: 'memory://' });
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await warden?.close();
  });

  /** A credential nobody else uses, so runs sharing a Redis never share its budget. */
  async function limitedKey(limit: number) {
    const seed = await seedCompany(warden);
    return unwrap(
      await warden.credentials.createApiKey(seed.ownerCaller, {
        expiresInDays: 1,
        rateLimit: { limit, windowSeconds: 60 },
      }),
    ).token;
  }

  it('two nodes on one REDIS_URL spend one budget between them', async () => {
    const [a, b] = [await node({ REDIS_URL: redisUrl ?? '' }), await node({ REDIS_URL: redisUrl ?? '' })];
    const token = await limitedKey(4);
    const seen: [string, number, string | undefined][] = [];
    for (let i = 0; i < 6; i++) {
      const app = i % 2 === 0 ? a : b;
      const response = await app.inject({ url: '/v4/user/me', headers: bearer(token) });
      seen.push([
        i % 2 === 0 ? 'a' : 'b',
        response.statusCode,
        response.headers['x-ratelimit-remaining'] as string,
      ]);
    }
    expect(seen).toEqual([
      ['a', 200, '3'],
      ['b', 200, '2'],
      ['a', 200, '1'],
      ['b', 200, '0'],
      ['a', 429, '0'],
      ['b', 429, '0'],
    ]);
  });

  it('without Redis each node counts alone (the control for the test above)', async () => {
    const [a, b] = [await node(), await node()];
    const token = await limitedKey(2);
    const statuses: number[] = [];
    for (const app of [a, b, a, b, a, b]) {
      statuses.push((await app.inject({ url: '/v4/user/me', headers: bearer(token) })).statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });

  it('shares the per-IP failed-authentication budget too', async () => {
    const [a, b] = [
      await node({ REDIS_URL: redisUrl ?? '', AUTH_FAILURE_LIMIT: 3 }),
      await node({ REDIS_URL: redisUrl ?? '', AUTH_FAILURE_LIMIT: 3 }),
    ];
    const ip = randomIp();
    const statuses: number[] = [];
    for (const app of [a, b, a, b]) {
      const response = await app.inject({
        url: '/v4/user/me',
        remoteAddress: ip,
        headers: { authorization: 'Bearer rgo-guess' },
      });
      statuses.push(response.statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
  });
});
