import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, seedTenant, type TestApp } from '../support/app.js';

/** `GET /v4/user/me` serves the cached user view's JSON, serialised once per view (src/http/view-json.ts). */
describe('user view answers', () => {
  let t: TestApp;
  let tenant: Awaited<ReturnType<typeof seedTenant>>;

  beforeAll(async () => {
    t = await buildTestApp();
    tenant = await seedTenant(t);
  });
  afterAll(() => t.close());

  const me = () => t.app.inject({ method: 'GET', url: '/v4/user/me', headers: bearer(tenant.memberPat) });

  it('answers the schema’s JSON, the same on a repeat as on the first read', async () => {
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

  it('shows a change at once: a new view brings its own JSON', async () => {
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
