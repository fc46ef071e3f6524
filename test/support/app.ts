import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Config } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import type { Warden } from '../../src/warden/create-warden.js';
import { seedCompany, unwrap } from './fixtures.js';

export interface TestApp {
  app: FastifyInstance;
  warden: Warden;
  close(): Promise<void>;
}

/**
 * Boots the real app on an ephemeral PGlite database (or `databaseUrl`), with generous
 * failed-auth limits so suites that send many bad credentials are not throttled unless they ask.
 */
export async function buildTestApp(config: Partial<Config> = {}): Promise<TestApp> {
  const app = await buildApp({
    config: {
      DATABASE_URL: 'memory://',
      LOG_LEVEL: 'silent',
      AUTH_FAILURE_LIMIT: 1_000_000,
      DASHBOARD_ENABLED: false,
      USAGE_FLUSH_MS: 100,
      ...config,
    },
  });
  await app.ready();
  return { app, warden: app.keywarden.warden, close: () => app.close() };
}

/** A seeded company with a PAT per role, an API key, and a logged-in owner session. */
export async function seedTenant(testApp: TestApp) {
  const { warden, app } = testApp;
  const seed = await seedCompany(warden);
  const pat = async (user: { id: string; role: 'owner' | 'admin' | 'member' }, scopes?: string[]) =>
    unwrap(
      await warden.credentials.createPat(seed.callerOf(user), {
        name: `pat-${Math.random()}`,
        scopes: scopes ?? null,
      }),
    ).token;
  const apiKey = async (scopes?: string[]) =>
    unwrap(
      await warden.credentials.createApiKey(seed.ownerCaller, { expiresInDays: 30, scopes: scopes ?? null }),
    ).token;
  const tokens = {
    ownerPat: await pat(seed.owner),
    adminPat: await pat(seed.admin),
    memberPat: await pat(seed.member),
    apiKey: await apiKey(),
  };
  return { ...seed, ...tokens, newPat: pat, newApiKey: apiKey, app };
}

export const bearer = (token: string, actingUserId?: string): Record<string, string> =>
  actingUserId
    ? { authorization: `Bearer ${token}`, 'x-meetergo-api-user-id': actingUserId }
    : { authorization: `Bearer ${token}` };

/** Logs in through the real endpoint and returns headers carrying the session cookie and our Origin. */
export async function sessionHeaders(
  app: FastifyInstance,
  email: string,
  password: string,
): Promise<Record<string, string>> {
  const response = await app.inject({ method: 'POST', url: '/auth/login', payload: { email, password } });
  if (response.statusCode !== 200) throw new Error(`login failed: ${response.statusCode} ${response.body}`);
  const cookie = response.cookies.find((c) => c.name === 'kw_session');
  if (!cookie) throw new Error('no session cookie');
  return { cookie: `kw_session=${cookie.value}`, origin: 'http://localhost:80' };
}

/** Signs up a new company through the API; returns the owner's session headers and ids. */
export async function signUp(app: FastifyInstance, name = 'Acme') {
  const email = `owner-${Date.now()}-${Math.random().toString(36).slice(2)}@example.test`;
  const password = 'correct horse battery';
  const response = await app.inject({
    method: 'POST',
    url: '/auth/signup',
    payload: { company: name, name: 'Ada Lovelace', email, password },
  });
  if (response.statusCode !== 201) throw new Error(`signup failed: ${response.statusCode} ${response.body}`);
  const body = response.json() as { user: { id: string; companyId: string }; company: { id: string } };
  return {
    email,
    password,
    user: body.user,
    company: body.company,
    headers: await sessionHeaders(app, email, password),
  };
}

export function json<T = Record<string, unknown>>(response: LightMyRequestResponse): T {
  return response.json() as T;
}
