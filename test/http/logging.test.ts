import type { FastifyInstance, InjectOptions } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { withLastCharChanged } from '../support/fixtures.js';

/**
 * Log capture: the server at its most verbose level, driven through sign-up, log-in, credential
 * issue and roll, good and bad credentials, wrong passwords and client errors, never writes a
 * credential, a password or a cookie value; every request line carries its request id.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const OWN_ORIGIN = 'http://localhost:80';
const CONFIG = {
  DATABASE_URL: 'memory://',
  AUTH_FAILURE_LIMIT: 1_000_000,
  DASHBOARD_ENABLED: false,
  USAGE_FLUSH_MS: 50,
};

interface LogLine {
  level: number;
  msg?: string;
  reqId?: string;
  req?: Record<string, unknown>;
  [key: string]: unknown;
}

/** An in-memory destination: pino writes each line to it synchronously. */
function captureStream() {
  const chunks: string[] = [];
  return {
    stream: { write: (chunk: string) => void chunks.push(chunk) },
    text: () => chunks.join(''),
    lines: () =>
      chunks.flatMap((chunk) =>
        chunk
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as LogLine),
      ),
  };
}

const loggers = {
  'logger options (the server default)': (stream: { write(chunk: string): void }) => ({
    level: 'trace' as const,
    stream,
  }),
  'an injected pino logger': (stream: { write(chunk: string): void }) => pino({ level: 'trace' }, stream),
};

for (const [label, makeLogger] of Object.entries(loggers)) {
  describe(`logs written through ${label}`, () => {
    const capture = captureStream();
    let app: FastifyInstance;
    /** Every value that must never reach the log. */
    const secrets = new Map<string, string>();
    /** Request ids the server answered with. */
    const requestIds: string[] = [];
    let requests = 0;

    async function send(options: InjectOptions) {
      requests++;
      const response = await app.inject(options);
      requestIds.push(String(response.headers['x-request-id']));
      return response;
    }

    function remember(name: string, token: string) {
      secrets.set(name, token);
      // The secret part alone (after the public id) must not leak either.
      const secretPart = token.startsWith('rgo-') ? token.slice('rgo-'.length + 12) : token.split(':')[2];
      if (secretPart) secrets.set(`${name} (secret part)`, secretPart);
    }

    beforeAll(async () => {
      app = await buildApp({ logger: makeLogger(capture.stream), config: CONFIG });
      await app.ready();
      const password = `pw-${Math.random().toString(36).slice(2)}-Secret!`;
      const wrongPassword = `wrong-${Math.random().toString(36).slice(2)}-Guess!`;
      secrets.set('password', password);
      secrets.set('wrong password', wrongPassword);
      const email = `log-${Date.now()}@example.test`;

      // Sign-up and log-in: passwords in bodies, session cookies in Set-Cookie.
      const signup = await send({
        method: 'POST',
        url: '/auth/signup',
        payload: { company: 'Logs', name: 'Lo Gger', email, password },
      });
      expect(signup.statusCode).toBe(201);
      const signupCookie = signup.cookies.find((c) => c.name === 'kw_session')?.value ?? '';
      secrets.set('sign-up cookie', signupCookie);
      expect(
        (await send({ method: 'POST', url: '/auth/login', payload: { email, password: wrongPassword } }))
          .statusCode,
      ).toBe(401);
      const login = await send({ method: 'POST', url: '/auth/login', payload: { email, password } });
      const cookieValue = login.cookies.find((c) => c.name === 'kw_session')?.value ?? '';
      secrets.set('login cookie', cookieValue);
      const session = { cookie: `kw_session=${cookieValue}`, origin: OWN_ORIGIN };

      // Credentials issued and rolled: secrets in response bodies.
      const manager = await send({
        method: 'POST',
        url: '/v4/personal-access-tokens',
        headers: session,
        payload: { name: 'manager', scopes: ['credentials:manage'], expiresIn: '90d' },
      });
      expect(manager.statusCode).toBe(201);
      remember('PAT', manager.json().token);
      const rolledPat = await send({
        method: 'POST',
        url: `/v4/personal-access-tokens/${manager.json().credential.id}/roll`,
        headers: session,
        payload: { overlapSeconds: 0 },
      });
      expect(rolledPat.statusCode).toBe(201);
      const pat: string = rolledPat.json().token;
      remember('rolled PAT', pat);

      const key = await send({
        method: 'POST',
        url: '/v4/api-keys',
        headers: { authorization: `Bearer ${pat}` },
        payload: { name: 'server', expiresInDays: 30 },
      });
      expect(key.statusCode).toBe(201);
      remember('API key', key.json().token);
      const rolledKey = await send({
        method: 'POST',
        url: `/v4/api-keys/${key.json().credential.id}/roll`,
        headers: { authorization: `Bearer ${pat}` },
        payload: {},
      });
      remember('rolled API key', rolledKey.json().token);
      const brief = await send({
        method: 'POST',
        url: '/v4/personal-access-tokens',
        headers: session,
        payload: { name: 'brief', expiresAt: new Date(Date.now() + 1000).toISOString() },
      });
      expect(brief.statusCode).toBe(201);
      remember('short-lived PAT', brief.json().token);
      const revoked = await send({
        method: 'POST',
        url: '/v4/personal-access-tokens',
        headers: session,
        payload: { name: 'revoked' },
      });
      remember('revoked PAT', revoked.json().token);
      await send({
        method: 'DELETE',
        url: `/v4/personal-access-tokens/${revoked.json().credential.id}`,
        headers: session,
      });

      // Authenticated requests: valid, in overlap, dead after a roll, mistyped, revoked, expired.
      const userId: string = signup.json().user.id;
      const me = (authorization: string, extra: Record<string, string> = {}) =>
        send({ url: '/v4/user/me', headers: { authorization, ...extra } });
      // The manager PAT only holds the management scope: authenticated, then refused (403).
      expect((await me(`Bearer ${pat}`)).json().code).toBe('insufficient_scope');
      const viaKey = await me(`Bearer ${rolledKey.json().token}`, {
        'x-meetergo-api-user-id': userId,
        'x-request-id': 'trace-me-123',
      });
      expect(viaKey.statusCode).toBe(200);
      expect((await me(`Bearer ${key.json().token}`)).statusCode).toBe(200); // within the roll overlap
      expect((await me(`Bearer ${manager.json().token}`)).statusCode).toBe(401); // rolled with no overlap
      expect((await me(`Bearer ${withLastCharChanged(pat)}`)).statusCode).toBe(401);
      expect((await me(`Bearer ${revoked.json().token}`)).statusCode).toBe(401);
      expect((await me(`Token ${pat}`)).statusCode).toBe(401);
      const basic = Buffer.from(`${email}:${password}`).toString('base64');
      secrets.set('Basic credentials', basic);
      expect((await me(`Basic ${basic}`)).statusCode).toBe(401);
      await sleep(1100);
      expect((await me(`Bearer ${brief.json().token}`)).json().code).toBe('credential_expired');

      // Client errors, none of them 5xx: secrets in query strings, bodies and paths.
      expect((await send({ url: `/v4/user/me?access_token=${pat}` })).statusCode).toBe(401);
      expect((await send({ url: `/nowhere?token=${pat}&password=${password}` })).statusCode).toBe(404);
      const invalidJson = await send({
        method: 'POST',
        url: '/auth/login',
        headers: { 'content-type': 'application/json' },
        payload: `{"email":"${email}","password":"${password}"`,
      });
      expect(invalidJson.statusCode).toBe(400);
      const tooShort = 'Sh0rt!x';
      secrets.set('rejected password', tooShort);
      expect(
        (
          await send({
            method: 'POST',
            url: '/auth/signup',
            payload: { company: 'x', name: 'y', email: 'a@b.c', password: tooShort },
          })
        ).statusCode,
      ).toBe(400);
      const misfiled = await send({
        method: 'POST',
        url: '/v4/personal-access-tokens',
        headers: { authorization: `Bearer ${pat}` },
        payload: { name: pat, expiresIn: password },
      });
      expect(misfiled.statusCode).toBe(400);
      expect(
        (
          await send({
            method: 'POST',
            url: '/v4/api-keys',
            headers: { cookie: session.cookie },
            payload: {},
          })
        ).statusCode,
      ).toBe(403);
      expect((await send({ method: 'POST', url: '/auth/logout', headers: session })).statusCode).toBe(204);

      for (const response of [manager, rolledPat, key, rolledKey, brief, revoked])
        expect(response.statusCode).toBe(201);
      // Usage is flushed off the request path; let it run before the app closes.
      await sleep(150);
      await app.close();
    });
    afterAll(() => app?.close());

    it('writes no credential, secret part, password, cookie value or Authorization value', () => {
      const text = capture.text();
      expect(text.length).toBeGreaterThan(0);
      for (const [name, value] of secrets) {
        expect(value.length, name).toBeGreaterThanOrEqual(7);
        expect(text.includes(value), `the log contains the ${name}`).toBe(false);
      }
      // Nothing that a secret scanner would flag, whatever the credential.
      for (const pattern of [/\brgo-[0-9A-Za-z]{20,}/, /\bak_live:[0-9a-f-]{36}:[0-9A-Za-z]{10,}/]) {
        expect(text).not.toMatch(pattern);
      }
      expect(text).not.toMatch(/Bearer|Basic |kw_session=/);
      expect(text).not.toMatch(/access_token|password=/);
    });

    it('logs every request with its id, method and path (never its headers or query string)', () => {
      const lines = capture.lines();
      const incoming = lines.filter((line) => line.msg === 'incoming request');
      const completed = lines.filter((line) => line.msg === 'request completed');
      expect(incoming).toHaveLength(requests);
      expect(completed).toHaveLength(requests);
      for (const line of incoming) {
        expect(line.reqId).toBeTruthy();
        expect(line.req).toEqual({
          id: line.reqId,
          method: expect.any(String),
          path: expect.any(String),
          ip: '127.0.0.1',
        });
        expect(String(line.req?.path)).not.toContain('?');
      }
      for (const line of completed) expect(line.reqId).toBeTruthy();
      expect(new Set(incoming.map((line) => line.reqId))).toEqual(new Set(requestIds));
      // A caller's own request id is kept, so logs and client traces meet.
      expect(incoming.some((line) => line.reqId === 'trace-me-123')).toBe(true);
      expect(lines.some((line) => 'headers' in (line.req ?? {}))).toBe(false);
    });

    it('censors password and token fields that code hands to the logger', () => {
      const password = secrets.get('password') ?? '';
      const token = secrets.get('rolled PAT') ?? '';
      const before = capture.lines().length;
      app.log.warn(
        { body: { email: 'x@example.test', password }, credential: { token } },
        'careless log call',
      );
      const [line] = capture.lines().slice(before);
      expect(line).toMatchObject({
        msg: 'careless log call',
        body: { email: 'x@example.test', password: '[redacted]' },
        credential: { token: '[redacted]' },
      });
      expect(JSON.stringify(line)).not.toContain(password);
    });
  });
}
