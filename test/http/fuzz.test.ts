import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_SCOPES } from '../../src/auth/scopes.js';
import { ERRORS } from '../../src/errors.js';
import { bearer, buildTestApp, seedTenant, type TestApp } from '../support/app.js';
import { unwrap } from '../support/fixtures.js';
import { ENDPOINTS } from './permission-matrix.js';

// Header values with control characters cannot be sent over HTTP at all.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

const DOCUMENTED = new Set<number>(Object.values(ERRORS).map((e) => e.status));
const CODES = new Set(Object.keys(ERRORS));
const RUNS = Number(process.env.KEYWARDEN_FUZZ_RUNS ?? 1500);

/**
 * Thousands of generated malformed requests: Authorization values, acting-user headers, path ids,
 * query strings and JSON bodies. Every answer is a success or a documented 4xx with the
 * documented body; never a 5xx, never an echo of the credential presented.
 */
describe('fuzzing the API with malformed input', () => {
  let t: TestApp;
  let tenant: Awaited<ReturnType<typeof seedTenant>>;
  let manager: string;
  let sent = 0;

  beforeAll(async () => {
    // Thousands of requests per credential: lift the per-credential limit (tested elsewhere).
    t = await buildTestApp({ RATE_LIMIT_MAX: 1_000_000 });
    tenant = await seedTenant(t);
    manager = unwrap(
      await t.warden.credentials.createPat(tenant.ownerCaller, { name: 'fuzz', scopes: ALL_SCOPES }),
    ).token;
  });
  afterAll(async () => {
    await t?.close();
    console.info(`fuzz: ${sent} requests`);
  });

  function check(response: LightMyRequestResponse, secret?: string) {
    sent++;
    const where = `${response.statusCode} ${response.body.slice(0, 300)}`;
    expect(response.statusCode, where).toBeLessThan(500);
    if (response.statusCode >= 400) {
      expect(DOCUMENTED.has(response.statusCode), where).toBe(true);
      const body = response.json() as Record<string, unknown>;
      expect(Object.keys(body).sort(), where).toEqual(['code', 'error', 'message', 'statusCode']);
      expect(body.statusCode).toBe(response.statusCode);
      expect(CODES.has(String(body.code)), where).toBe(true);
    }
    if (secret !== undefined && secret.length >= 12) expect(response.body).not.toContain(secret);
  }

  // A token with one character replaced by 1–3 others; never the token itself (same character back).
  const nearToken = (token: string) =>
    fc
      .tuple(fc.nat(), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 3 }))
      .map(([at, text]) => {
        const i = at % token.length;
        return token.slice(0, i) + text + token.slice(i + 1);
      })
      .filter((near) => near !== token);

  it('malformed Authorization values are refused with a documented 401 or 429', async () => {
    const values = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'grapheme-ascii', maxLength: 200 }).map((s) => `Bearer ${s}`),
      fc
        .string({ unit: 'grapheme-ascii', maxLength: 16 })
        .filter((scheme) => scheme.toLowerCase() !== 'bearer')
        .map((scheme) => `${scheme} ${tenant.ownerPat}`),
      nearToken(tenant.ownerPat).map((s) => `Bearer ${s}`),
      nearToken(tenant.apiKey).map((s) => `Bearer ${s}`),
      fc.constantFrom('Bearer', 'Bearer ', 'bearer  ', 'BEARER\t', 'Bearer rgo-', 'Bearer ak_live::'),
      fc.integer({ min: 1000, max: 16_000 }).map((n) => `Bearer rgo-${'A'.repeat(n)}`),
    );
    const endpoints = fc.constantFrom(
      ...ENDPOINTS.filter((e) => !e.path.includes(':id') && e.method === 'GET'),
    );
    await fc.assert(
      fc.asyncProperty(values, endpoints, async (authorization, endpoint) => {
        fc.pre(!CONTROL.test(authorization));
        const response = await t.app.inject({
          method: 'GET',
          url: endpoint.path,
          headers: { authorization },
        });
        check(response, authorization.replace(/^\S+ /, ''));
        if (endpoint.path !== '/v4/scopes') expect([401, 429]).toContain(response.statusCode);
      }),
      { numRuns: RUNS },
    );
  });

  it('odd acting-user headers never get past the company check', async () => {
    const values = fc.oneof(
      fc.string({ unit: 'grapheme-ascii', maxLength: 100 }),
      fc.uuid().map((id) => id.toUpperCase()),
      fc.uuid(),
      fc.constant(`${tenant.member.id},${tenant.owner.id}`),
      fc.constant(` ${tenant.member.id} `),
    );
    await fc.assert(
      fc.asyncProperty(values, async (acting) => {
        fc.pre(!CONTROL.test(acting));
        const response = await t.app.inject({
          url: '/v4/meeting-type',
          headers: bearer(tenant.apiKey, acting),
        });
        check(response, tenant.apiKey);
        const normal = acting.trim().toLowerCase();
        if (normal !== tenant.member.id && normal !== tenant.owner.id && normal !== tenant.admin.id) {
          expect([400, 403]).toContain(response.statusCode);
        }
      }),
      { numRuns: RUNS / 2 },
    );
  });

  it('malformed ids and query strings get documented 4xx answers', async () => {
    const ids = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 80 }).map(encodeURIComponent),
      fc.constantFrom(
        "1' OR '1'='1",
        '../../etc/passwd',
        '%00',
        '00000000-0000-0000-0000-000000000000',
        'null',
      ),
      fc.uuid(),
      fc.integer({ min: 100, max: 4000 }).map((n) => 'a'.repeat(n)),
    );
    const queries = fc.oneof(
      fc.constant(''),
      fc
        .tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }))
        .map(([page, limit]) => `?page=${encodeURIComponent(page)}&limit=${encodeURIComponent(limit)}`),
      fc.constantFrom('?page=-1', '?limit=100000', '?page=1.5', '?page=1&page=2', '?limit[]=x'),
    );
    const endpoints = fc.constantFrom(...ENDPOINTS);
    await fc.assert(
      fc.asyncProperty(endpoints, ids, queries, async (endpoint, id, query) => {
        const response = await t.app.inject({
          method: endpoint.method,
          url: endpoint.path.replace(':id', id) + query,
          headers: bearer(manager),
        });
        check(response, manager);
      }),
      { numRuns: RUNS },
    );
  });

  it('malformed JSON bodies get documented 4xx answers and change nothing', async () => {
    const writes = ENDPOINTS.filter((e) => e.method !== 'GET' && e.method !== 'DELETE');
    const json = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
      fc.object({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
      fc.string({ maxLength: 100 }),
      fc.constantFrom(
        '',
        'null',
        '{',
        '{"name":',
        '[]',
        '{"__proto__":{"admin":true}}',
        '{"expiresInDays":1e309}',
      ),
      // Text fields holding any code point at all, U+0000 and other control characters included.
      fc
        .dictionary(
          fc.constantFrom('name', 'email', 'description', 'slug', 'givenName', 'familyName', 'reason'),
          fc.string({ unit: 'binary', maxLength: 40 }),
          { minKeys: 1 },
        )
        .map((value) => JSON.stringify(value)),
      fc
        .record(
          {
            name: fc.oneof(fc.string({ maxLength: 300 }), fc.integer(), fc.constant(null)),
            duration: fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 5 })),
            expiresIn: fc.oneof(
              fc.constantFrom('30d', '90d', '6m', '1y', 'never'),
              fc.string({ maxLength: 5 }),
            ),
            expiresInDays: fc.oneof(fc.integer({ min: -5, max: 200 }), fc.string({ maxLength: 3 })),
            overlapSeconds: fc.oneof(fc.integer(), fc.constant(-1)),
            email: fc.oneof(fc.emailAddress(), fc.string({ maxLength: 10 })),
            schedule: fc.oneof(
              fc.constant({ monday: [{ start: '25:00', end: '09:00' }] }),
              fc.object({ maxDepth: 1 }),
            ),
          },
          { requiredKeys: [] },
        )
        .map((value) => JSON.stringify(value)),
    );
    const types = fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      undefined,
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...writes), json, types, async (endpoint, payload, type) => {
        const id = '00000000-0000-4000-8000-000000000000';
        const response = await t.app.inject({
          method: endpoint.method,
          url: endpoint.path.replace(':id', id),
          headers: { ...bearer(tenant.apiKey, tenant.owner.id), ...(type ? { 'content-type': type } : {}) },
          payload,
        });
        check(response, tenant.apiKey);
      }),
      { numRuns: RUNS },
    );
    // The seeded credentials still work: nothing the fuzzer sent broke the tenant.
    for (const token of [tenant.ownerPat, tenant.memberPat, manager]) {
      expect((await t.app.inject({ url: '/v4/user/me', headers: bearer(token) })).statusCode).toBe(200);
    }
  });

  it('text PostgreSQL cannot store (U+0000, unpaired surrogates) is refused with 400, on every route', async () => {
    const nul = 'A\u0000B';
    const owner = bearer(tenant.apiKey, tenant.owner.id);
    const cases: [string, string, Record<string, unknown>, Record<string, string>][] = [
      [
        'POST',
        '/auth/signup',
        { company: nul, name: 'Ada L', email: 'nul@x.test', password: 'correct horse battery' },
        {},
      ],
      ['POST', '/auth/login', { email: `${nul}@x.test`, password: 'correct horse battery' }, {}],
      ['POST', '/auth/accept-invitation', { token: `kwi_${nul}`, password: 'correct horse battery' }, {}],
      ['POST', '/v4/user', { email: 'nul2@x.test', givenName: nul, familyName: 'L' }, owner],
      ['PATCH', `/v4/user/${tenant.member.id}`, { familyName: nul }, owner],
      ['POST', '/v4/meeting-type', { name: 'Call', description: nul, duration: 30 }, owner],
      ['POST', '/v4/personal-access-tokens', { name: nul }, bearer(manager)],
      // In a property name too.
      ['POST', '/v4/meeting-type', { [nul]: 1, name: 'Call', duration: 30 }, owner],
    ];
    for (const [method, url, body, headers] of cases) {
      const response = await t.app.inject({
        method: method as 'POST' | 'PATCH',
        url,
        headers: { ...headers, origin: 'http://localhost:80', 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
      check(response);
      expect(response.json(), `${method} ${url}`).toEqual({
        statusCode: 400,
        code: 'validation_failed',
        error: 'Bad Request',
        message: 'Text must not contain NUL characters (\\u0000)',
      });
    }
    // An unpaired surrogate (JSON.stringify writes it as an escape; jsonb refuses that escape).
    for (const text of ['A\ud800B', 'A\udfff', '\ude00\ud83d']) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/auth/signup',
        headers: { origin: 'http://localhost:80', 'content-type': 'application/json' },
        payload: JSON.stringify({
          company: text,
          name: 'Ada L',
          email: 'pair@x.test',
          password: 'correct horse battery',
        }),
      });
      check(response);
      expect(response.json()).toMatchObject({
        statusCode: 400,
        code: 'validation_failed',
        message: 'Text must be valid Unicode: it holds an unpaired surrogate',
      });
    }
    // Text like any other: the six characters `\u0000` (an escaped backslash, then "u0000"), and a
    // surrogate pair written as two escapes.
    for (const name of ['Literal \\u0000', 'Smile \ud83d\ude00']) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/v4/meeting-type',
        headers: { ...owner, 'content-type': 'application/json' },
        payload: JSON.stringify({ name, duration: 30 }).replace('😀', '\\ud83d\\ude00'),
      });
      expect(response.statusCode, response.body).toBe(201);
      expect(response.json().name).toBe(name);
    }
  });

  it('names refuse control characters: companies, people, meeting types, credentials', async () => {
    const owner = bearer(tenant.apiKey, tenant.owner.id);
    const clearScreen = 'Acme\u001b[2J';
    const cases: [string, string, Record<string, unknown>, Record<string, string>, string][] = [
      [
        'POST',
        '/auth/signup',
        { company: clearScreen, name: 'Ada L', email: 'esc@x.test', password: 'correct horse battery' },
        {},
        'company name must not contain control characters',
      ],
      [
        'POST',
        '/auth/signup',
        {
          company: 'Acme',
          name: `Ada ${clearScreen}`,
          email: 'esc2@x.test',
          password: 'correct horse battery',
        },
        {},
        'names must not contain control characters',
      ],
      [
        'PATCH',
        `/v4/user/${tenant.member.id}`,
        { givenName: clearScreen },
        owner,
        'names must not contain control characters',
      ],
      [
        'POST',
        '/v4/meeting-type',
        { name: clearScreen, duration: 30 },
        owner,
        'name must not contain control characters',
      ],
      [
        'POST',
        '/v4/personal-access-tokens',
        { name: clearScreen },
        bearer(manager),
        'name must not contain control characters',
      ],
    ];
    for (const [method, url, body, headers, message] of cases) {
      const response = await t.app.inject({
        method: method as 'POST' | 'PATCH',
        url,
        headers: { ...headers, origin: 'http://localhost:80' },
        payload: body,
      });
      check(response);
      expect(response.json(), `${method} ${url}`).toMatchObject({
        statusCode: 400,
        code: 'validation_failed',
        message,
      });
    }
  });

  it('numbers beyond what the database stores are refused with 400, not a database error', async () => {
    const huge = [2 ** 31, 1e20, Number.MAX_SAFE_INTEGER + 2];
    for (const remaining of huge) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/v4/api-keys',
        headers: bearer(manager),
        payload: { name: 'usage', expiresInDays: 30, usageLimit: { remaining } },
      });
      check(response);
      expect(response.statusCode, response.body).toBe(400);
    }
    const refill = await t.app.inject({
      method: 'POST',
      url: '/v4/api-keys',
      headers: bearer(manager),
      payload: {
        name: 'usage',
        expiresInDays: 30,
        usageLimit: { remaining: 1, refillAmount: 2 ** 31, refillInterval: 'day' },
      },
    });
    expect(refill.statusCode, refill.body).toBe(400);
    // The service itself refuses them too (the CLI and library callers go through it).
    const direct = await t.warden.credentials.createApiKey(tenant.ownerCaller, {
      expiresInDays: 30,
      usageLimit: { remaining: 2 ** 31 },
    });
    expect(direct).toMatchObject({ ok: false, code: 'validation_failed' });
    const largest = await t.app.inject({
      method: 'POST',
      url: '/v4/api-keys',
      headers: bearer(manager),
      payload: { name: 'usage', expiresInDays: 30, usageLimit: { remaining: 1_000_000_000 } },
    });
    expect(largest.statusCode, largest.body).toBe(201);

    for (const before of ['9223372036854775807', '1e30', String(2 ** 53)]) {
      const response = await t.app.inject({
        url: `/v4/audit-log?before=${before}`,
        headers: bearer(manager),
      });
      check(response);
      expect(response.statusCode, `before=${before}: ${response.body}`).toBe(400);
    }
    const page = await t.app.inject({
      url: '/v4/appointment?page=1e16',
      headers: bearer(tenant.apiKey, tenant.owner.id),
    });
    check(page);
    expect(page.statusCode).toBe(400);
  });
});
