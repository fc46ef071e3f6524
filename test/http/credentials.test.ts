import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, json, seedTenant, signUp, type TestApp } from '../support/app.js';

// Credential management over HTTP with a dashboard session: validation, the one-time secret,
// roll overlaps, deactivate / activate / revoke, activity and the audit trail.
describe('credential management over HTTP', () => {
  let t: TestApp;
  let owner: Awaited<ReturnType<typeof signUp>>;
  let tenant: Awaited<ReturnType<typeof seedTenant>>;

  const post = (url: string, payload?: Record<string, unknown>, headers = owner.headers) =>
    payload === undefined
      ? t.app.inject({ method: 'POST', url, headers })
      : t.app.inject({ method: 'POST', url, headers, payload });
  const me = (token: string) => t.app.inject({ url: '/v4/user/me', headers: bearer(token) });

  beforeAll(async () => {
    t = await buildTestApp();
    owner = await signUp(t.app);
    tenant = await seedTenant(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates a PAT whose secret is shown once and never listed', async () => {
    const created = await post('/v4/personal-access-tokens', { name: 'laptop', expiresIn: '90d' });
    expect(created.statusCode).toBe(201);
    const { token, credential } = json<{ token: string; credential: { id: string; maskedValue: string } }>(
      created,
    );
    expect(token).toMatch(/^rgo-[0-9A-Za-z]{48}$/);
    expect(credential.maskedValue.startsWith(token.slice(0, 16))).toBe(true);
    expect(credential.maskedValue).not.toContain(token.slice(16));
    const list = await t.app.inject({ url: '/v4/personal-access-tokens', headers: owner.headers });
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(credential.id);
    expect(list.body).not.toContain(token.slice(16));
    expect((await me(token)).statusCode).toBe(200);
  });

  it('refuses bad PAT input with documented 400s and a duplicate name with 409', async () => {
    const cases: [Record<string, unknown>, number, string][] = [
      [{ name: '', expiresIn: '30d' }, 400, 'validation_failed'],
      [{ name: 'x'.repeat(101), expiresIn: '30d' }, 400, 'validation_failed'],
      [{ name: 'old', expiresAt: '2001-01-01T00:00:00Z' }, 400, 'expiry_not_allowed'],
      [{ name: 'weird', expiresIn: '2w' }, 400, 'validation_failed'],
    ];
    for (const [payload, status, code] of cases) {
      const response = await post('/v4/personal-access-tokens', payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(status);
      expect(json(response).code).toBe(code);
    }
    expect((await post('/v4/personal-access-tokens', { name: 'twice', expiresIn: '30d' })).statusCode).toBe(
      201,
    );
    const duplicate = await post('/v4/personal-access-tokens', { name: 'twice', expiresIn: '30d' });
    expect(duplicate.statusCode).toBe(409);
    expect(json(duplicate).code).toBe('name_taken');
  });

  it('warns about tokens that never expire', async () => {
    const created = await post('/v4/personal-access-tokens', { name: 'forever', expiresIn: 'never' });
    expect(created.statusCode).toBe(201);
    const body = json<{ warning?: string; credential: { expiresAt: string | null } }>(created);
    expect(body.credential.expiresAt).toBeNull();
    expect(body.warning).toEqual(expect.any(String));
  });

  it('issues API keys for 1 to 90 days only, and never to members', async () => {
    expect((await post('/v4/api-keys', { expiresInDays: 1 })).statusCode).toBe(201);
    expect((await post('/v4/api-keys', { name: 'ci', expiresInDays: 90 })).statusCode).toBe(201);
    for (const expiresInDays of [0, 91, 1.5]) {
      const response = await post('/v4/api-keys', { expiresInDays });
      expect(response.statusCode, String(expiresInDays)).toBe(400);
    }
    const member = await t.app.inject({
      method: 'POST',
      url: '/v4/api-keys',
      headers: bearer(tenant.memberPat),
      payload: { expiresInDays: 30 },
    });
    expect(member.statusCode).toBe(403);
  });

  it('deactivates, activates and revokes an API key, effective on the next request', async () => {
    const created = json<{ token: string; credential: { id: string } }>(
      await post('/v4/api-keys', { expiresInDays: 30 }),
    );
    const { id } = created.credential;
    expect((await me(created.token)).statusCode).toBe(200);

    expect((await post(`/v4/api-keys/${id}/deactivate`)).statusCode).toBe(200);
    const refused = await me(created.token);
    expect(refused.statusCode).toBe(403);
    expect(json(refused).code).toBe('credential_deactivated');

    expect((await post(`/v4/api-keys/${id}/activate`)).statusCode).toBe(200);
    expect((await me(created.token)).statusCode).toBe(200);

    const revoked = await t.app.inject({
      method: 'DELETE',
      url: `/v4/api-keys/${id}`,
      headers: owner.headers,
    });
    expect(json<{ credential: { status: string } }>(revoked).credential.status).toBe('revoked');
    expect((await me(created.token)).statusCode).toBe(401);
    expect((await post(`/v4/api-keys/${id}/activate`)).statusCode).toBe(409);
    expect((await me(created.token)).statusCode).toBe(401);
  });

  it('rolls with an overlap (old and new both work) or without one (old refused at once)', async () => {
    const first = json<{ token: string; credential: { id: string } }>(
      await post('/v4/personal-access-tokens', { name: 'rolling', expiresIn: '30d' }),
    );
    const overlapped = await post(`/v4/personal-access-tokens/${first.credential.id}/roll`, {
      overlapSeconds: 3600,
    });
    expect(overlapped.statusCode).toBe(201);
    const second = json<{ token: string; credential: { id: string } }>(overlapped);
    expect(second.token).not.toBe(first.token);
    expect((await me(first.token)).statusCode).toBe(200);
    expect((await me(second.token)).statusCode).toBe(200);

    const immediate = await post(`/v4/personal-access-tokens/${second.credential.id}/roll`, {
      overlapSeconds: 0,
    });
    expect(immediate.statusCode).toBe(201);
    expect((await me(second.token)).statusCode).toBe(401);
    expect((await me(json<{ token: string }>(immediate).token)).statusCode).toBe(200);
  });

  it('needs the management scope to manage credentials with a Bearer credential', async () => {
    const plain = await t.app.inject({ url: '/v4/personal-access-tokens', headers: bearer(tenant.ownerPat) });
    expect(plain.statusCode).toBe(403);
    expect(json(plain).code).toBe('insufficient_scope');
    const scoped = await tenant.newPat(tenant.owner, ['credentials:manage']);
    const allowed = await t.app.inject({ url: '/v4/personal-access-tokens', headers: bearer(scoped) });
    expect(allowed.statusCode).toBe(200);
  });

  it('shows activity for a credential and an audit event for each change', async () => {
    const created = json<{ token: string; credential: { id: string } }>(
      await post('/v4/personal-access-tokens', { name: 'watched', expiresIn: '30d' }),
    );
    expect((await me(created.token)).statusCode).toBe(200);
    await t.warden.usage.flush();
    const activity = await t.app.inject({
      url: `/v4/credentials/${created.credential.id}/activity`,
      headers: owner.headers,
    });
    expect(activity.statusCode).toBe(200);
    const entries = json<{ data: { route: string; status: number }[] }>(activity).data;
    expect(entries).toContainEqual(expect.objectContaining({ route: '/v4/user/me', status: 200 }));

    await t.app.inject({
      method: 'DELETE',
      url: `/v4/personal-access-tokens/${created.credential.id}`,
      headers: owner.headers,
    });
    const audit = await t.app.inject({ url: '/v4/audit-log', headers: owner.headers });
    expect(audit.statusCode).toBe(200);
    const actions = json<{ data: { action: string; credentialId: string | null }[] }>(audit)
      .data.filter((event) => event.credentialId === created.credential.id)
      .map((event) => event.action);
    expect(actions).toEqual(
      expect.arrayContaining([expect.stringMatching(/created/), expect.stringMatching(/revoked/)]),
    );
  });
});
