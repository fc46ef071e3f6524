import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/outcome.js';
import { ALL_SCOPES, type Role } from '../../src/auth/scopes.js';
import { createResourcesService } from '../../src/warden/resources-service.js';
import { bearer, buildTestApp, signUp, type TestApp } from '../support/app.js';
import { unwrap } from '../support/fixtures.js';
import { ENDPOINTS, type Target } from './permission-matrix.js';

/**
 * A second company never sees, uses or changes the first one's users, resources or credentials,
 * through every list and every endpoint that takes an id (the same table as the permission
 * matrix, so a new endpoint is covered as soon as it has a row there).
 */
describe('tenant isolation', () => {
  let t: TestApp;
  let a: Awaited<ReturnType<typeof tenant>>;
  let b: Awaited<ReturnType<typeof tenant>>;

  async function tenant(name: string) {
    const { warden } = t;
    const owner = await signUp(t.app, name);
    const companyId = owner.company.id;
    const ownerCaller = {
      companyId,
      userId: owner.user.id,
      role: 'owner' as const,
      credentialId: null,
      ip: null,
    };
    const callerOf = (user: { id: string; role: Role }) => ({
      ...ownerCaller,
      userId: user.id,
      role: user.role,
    });
    const member = unwrap(
      await warden.directory.createUser(ownerCaller, {
        email: `m-${randomUUID()}@example.test`,
        role: 'member',
      }),
    );
    const memberPat = unwrap(await warden.credentials.createPat(callerOf(member), { name: 'member pat' }));
    const ownerPat = unwrap(await warden.credentials.createPat(ownerCaller, { name: 'owner pat' }));
    const managerPat = unwrap(
      await warden.credentials.createPat(ownerCaller, { name: 'manager', scopes: ALL_SCOPES }),
    );
    const apiKey = unwrap(
      await warden.credentials.createApiKey(ownerCaller, { expiresInDays: 30, scopes: ALL_SCOPES }),
    );
    const resources = createResourcesService({ db: warden.store.db });
    const memberPrincipal: Principal = {
      companyId,
      plan: 'enterprise',
      userId: member.id,
      role: 'member',
      via: 'session',
      credential: null,
    };
    const meetingType = unwrap(
      await resources.createMeetingType(memberPrincipal, { name: `${name} intro`, duration: 30 }),
    );
    const start = new Date(Date.now() + 3_600_000);
    const appointment = unwrap(
      await resources.createAppointment({
        userId: member.id,
        start,
        end: new Date(start.getTime() + 1_800_000),
        attendeeName: 'Grace Hopper',
        attendeeEmail: 'grace@example.test',
      }),
    );
    const ids: Record<Target, string> = {
      member: member.id,
      freshMember: member.id,
      invitableMember: member.id,
      editableUser: member.id,
      ownPat: ownerPat.credential.id,
      memberPat: memberPat.credential.id,
      apiKey: apiKey.credential.id,
      deactivatedApiKey: apiKey.credential.id,
      memberMeetingType: meetingType.id,
      memberAppointment: appointment.id,
    };
    return {
      owner,
      member,
      ids,
      secrets: [memberPat.token, ownerPat.token, apiKey.token],
      callers: {
        'owner session': owner.headers,
        'owner PAT with every scope': bearer(managerPat.token),
        'API key acting as the owner': bearer(apiKey.token, owner.user.id),
      } as Record<string, Record<string, string>>,
      // Everything of this company that another one must never see.
      visible: [companyId, owner.user.id, owner.email, member.id, member.email, ...Object.values(ids)],
    };
  }

  beforeAll(async () => {
    t = await buildTestApp();
    a = await tenant('Alpha');
    b = await tenant('Beta');
  }, 60_000);
  afterAll(() => t?.close());

  const lists = ENDPOINTS.filter((e) => e.method === 'GET' && !e.path.includes(':id'));
  const byId = ENDPOINTS.filter((e) => e.path.includes(':id'));

  it('lists of the second company never contain the first one’s ids or emails', async () => {
    for (const [caller, headers] of Object.entries(b.callers)) {
      for (const endpoint of lists) {
        const response = await t.app.inject({ method: 'GET', url: endpoint.path, headers });
        expect(response.statusCode, `${caller} ${endpoint.path}`).toBeLessThan(300);
        for (const value of a.visible)
          expect(response.body, `${caller} ${endpoint.path}`).not.toContain(value);
      }
    }
  });

  it('every endpoint with an id answers 404 for the first company’s ids and changes nothing', async () => {
    for (const [caller, headers] of Object.entries(b.callers)) {
      for (const endpoint of byId) {
        const id = a.ids[endpoint.target ?? 'member'];
        const response = await t.app.inject({
          method: endpoint.method,
          url: endpoint.path.replace(':id', id),
          headers,
          ...(endpoint.body
            ? { payload: JSON.parse(JSON.stringify(endpoint.body).replaceAll('{unique}', 'x')) }
            : {}),
        });
        // 404, or refused before any id is looked at (PATs never manage users).
        const where = `${caller} ${endpoint.method} ${endpoint.path}: ${response.body}`;
        if (response.statusCode === 403)
          expect(response.json().code, where).toBe('user_management_requires_api_key');
        else expect(response.statusCode, where).toBe(404);
        for (const value of a.visible) expect(response.body).not.toContain(value);
      }
    }

    // The first company's credentials, users and resources are as they were.
    for (const secret of a.secrets) {
      const me = await t.app.inject({
        url: '/v4/user/me',
        headers: bearer(secret, secret.startsWith('ak_') ? a.owner.user.id : undefined),
      });
      expect(me.statusCode).toBe(200);
    }
    const headers = a.owner.headers;
    const member = await t.app.inject({ url: `/v4/user/${a.member.id}`, headers });
    expect(member.json()).toMatchObject({ id: a.member.id, givenName: a.member.givenName });
    const meetingType = await t.app.inject({ url: `/v4/meeting-type/${a.ids.memberMeetingType}`, headers });
    expect(meetingType.json()).toMatchObject({ name: 'Alpha intro' });
    const appointment = await t.app.inject({ url: `/v4/appointment/${a.ids.memberAppointment}`, headers });
    expect(appointment.json()).toMatchObject({ status: 'booked' });
    const keys = await t.app.inject({ url: '/v4/api-keys', headers });
    expect(keys.json().data).toEqual([expect.objectContaining({ id: a.ids.apiKey, status: 'active' })]);
  });

  it('an API key cannot act as a user of another company, and a PAT cannot name one', async () => {
    const [key] = b.secrets.slice(-1);
    const response = await t.app.inject({ url: '/v4/meeting-type', headers: bearer(key ?? '', a.member.id) });
    expect(response.statusCode).toBe(403);
    expect(response.json().message).toBe('API user does not belong to company');
    const pat = await t.app.inject({
      url: '/v4/meeting-type',
      headers: bearer(b.secrets[0] ?? '', a.member.id),
    });
    expect(pat.statusCode).toBe(403);
  });
});
