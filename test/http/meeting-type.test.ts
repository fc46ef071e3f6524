import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResourcesService } from '../../src/warden/resources-service.js';
import { bearer, buildTestApp, seedTenant, signUp, type TestApp } from '../support/app.js';
import { unwrap } from '../support/fixtures.js';

interface MeetingType {
  id: string;
  userId: string;
  companyId: string;
  name: string;
  description: string;
  duration: number;
  bufferBefore: number;
  bufferAfter: number;
  slug: string;
  createdAt: string;
  updatedAt: string;
}

type Headers = Record<string, string | undefined>;
type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function expectError(response: LightMyRequestResponse, status: number, code: string) {
  expect(response.statusCode, response.body).toBe(status);
  const body = response.json();
  expect(Object.keys(body).sort()).toEqual(['code', 'error', 'message', 'statusCode']);
  expect(body).toMatchObject({ statusCode: status, code });
  expect(typeof body.error).toBe('string');
  expect(body.message.length).toBeGreaterThan(0);
}

describe('/v4/meeting-type', () => {
  let t: TestApp;
  let a: Awaited<ReturnType<typeof seedTenant>>;
  let b: Awaited<ReturnType<typeof seedTenant>>;

  beforeAll(async () => {
    t = await buildTestApp();
    a = await seedTenant(t);
    b = await seedTenant(t);
  });
  afterAll(() => t.close());

  const call = (method: Method, url: string, headers: Headers, payload?: object) =>
    t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });

  async function create(headers: Headers, body: object): Promise<MeetingType> {
    const response = await call('POST', '/v4/meeting-type', headers, body);
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  }

  const list = async (headers: Headers, query = ''): Promise<MeetingType[]> => {
    const response = await call('GET', `/v4/meeting-type${query}`, headers);
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };

  describe('happy path', () => {
    it('creates a meeting type for the acting user with defaults, then reads it back', async () => {
      const created = await create(bearer(a.memberPat), { name: '  Intro Call: Café  ', duration: 30 });
      expect(created).toMatchObject({
        userId: a.member.id,
        companyId: a.company.id,
        name: 'Intro Call: Café',
        description: '',
        duration: 30,
        bufferBefore: 0,
        bufferAfter: 0,
        slug: 'intro-call-cafe',
      });
      expect(Date.parse(created.createdAt)).not.toBeNaN();

      const fetched = await call('GET', `/v4/meeting-type/${created.id}`, bearer(a.memberPat));
      expect(fetched.statusCode).toBe(200);
      expect(fetched.json()).toEqual(created);
      expect((await list(bearer(a.memberPat))).map((m) => m.id)).toContain(created.id);
    });

    it('stores every field given and keeps an explicit slug', async () => {
      const created = await create(bearer(a.memberPat), {
        name: 'Deep dive',
        description: 'Two hours on your architecture',
        duration: 120,
        bufferBefore: 15,
        bufferAfter: 480,
        slug: 'deep-dive-2h',
      });
      expect(created).toMatchObject({
        description: 'Two hours on your architecture',
        duration: 120,
        bufferBefore: 15,
        bufferAfter: 480,
        slug: 'deep-dive-2h',
      });
    });

    it('derives a free slug when the name repeats; an explicit clash is a 409 conflict', async () => {
      const first = await create(bearer(a.adminPat), { name: 'Sales Demo', duration: 45 });
      const second = await create(bearer(a.adminPat), { name: 'Sales demo', duration: 45 });
      expect(first.slug).toBe('sales-demo');
      expect(second.slug).toBe('sales-demo-2');

      const clash = await call('POST', '/v4/meeting-type', bearer(a.adminPat), {
        name: 'Another',
        duration: 30,
        slug: 'sales-demo',
      });
      expectError(clash, 409, 'conflict');
      expect(clash.json().message).toContain('sales-demo');

      // Slugs are unique per user, not per company.
      const other = await create(bearer(a.memberPat), { name: 'Mine', duration: 30, slug: 'sales-demo' });
      expect(other.slug).toBe('sales-demo');
    });

    it('derives a slug even from a name without ASCII letters', async () => {
      const created = await create(bearer(a.ownerPat), { name: '会議', duration: 30 });
      expect(created.slug).toMatch(/^meeting(-\d+)?$/);
    });

    it('updates only the fields sent and moves updatedAt; the slug does not follow the name', async () => {
      const created = await create(bearer(a.memberPat), { name: 'Quick sync', duration: 15 });
      await sleep(5);
      const response = await call('PATCH', `/v4/meeting-type/${created.id}`, bearer(a.memberPat), {
        name: 'Quick sync (long)',
        duration: 25,
        bufferAfter: 5,
      });
      expect(response.statusCode, response.body).toBe(200);
      const updated: MeetingType = response.json();
      expect(updated).toMatchObject({
        id: created.id,
        name: 'Quick sync (long)',
        duration: 25,
        bufferAfter: 5,
        bufferBefore: 0,
        slug: 'quick-sync',
        createdAt: created.createdAt,
      });
      expect(Date.parse(updated.updatedAt)).toBeGreaterThan(Date.parse(created.updatedAt));
      const fetched = await call('GET', `/v4/meeting-type/${created.id}`, bearer(a.memberPat));
      expect(fetched.json()).toEqual(updated);

      const unchanged = await call('PATCH', `/v4/meeting-type/${created.id}`, bearer(a.memberPat), {});
      expect(unchanged.statusCode).toBe(200);
      expect(unchanged.json()).toEqual(updated);
    });

    it('refuses to patch a slug onto one the user already uses (409)', async () => {
      const one = await create(bearer(a.memberPat), { name: 'One', duration: 30, slug: 'slug-one' });
      const two = await create(bearer(a.memberPat), { name: 'Two', duration: 30, slug: 'slug-two' });
      expectError(
        await call('PATCH', `/v4/meeting-type/${two.id}`, bearer(a.memberPat), { slug: one.slug }),
        409,
        'conflict',
      );
      const kept = await call('GET', `/v4/meeting-type/${two.id}`, bearer(a.memberPat));
      expect(kept.json().slug).toBe('slug-two');
      // Re-sending its own slug is not a clash.
      const same = await call('PATCH', `/v4/meeting-type/${two.id}`, bearer(a.memberPat), {
        slug: 'slug-two',
      });
      expect(same.statusCode).toBe(200);
    });

    it('deletes a meeting type; its appointments stay, without a meeting type', async () => {
      const created = await create(bearer(a.memberPat), { name: 'Doomed', duration: 30 });
      const resources = createResourcesService({ db: t.warden.store.db });
      const appointment = unwrap(
        await resources.createAppointment({
          userId: a.member.id,
          meetingTypeId: created.id,
          start: '2030-01-01T10:00:00Z',
          end: '2030-01-01T10:30:00Z',
        }),
      );

      const deleted = await call('DELETE', `/v4/meeting-type/${created.id}`, bearer(a.memberPat));
      expect(deleted.statusCode).toBe(200);
      expect(deleted.json()).toEqual(created);
      expectError(await call('GET', `/v4/meeting-type/${created.id}`, bearer(a.memberPat)), 404, 'not_found');
      expectError(
        await call('DELETE', `/v4/meeting-type/${created.id}`, bearer(a.memberPat)),
        404,
        'not_found',
      );
      expect((await list(bearer(a.memberPat))).map((m) => m.id)).not.toContain(created.id);

      const kept = await call('GET', `/v4/appointment/${appointment.id}`, bearer(a.memberPat));
      expect(kept.statusCode).toBe(200);
      expect(kept.json()).toMatchObject({ id: appointment.id, meetingTypeId: null, status: 'booked' });
    });
  });

  describe('validation', () => {
    it.each([
      ['an empty name', { name: '', duration: 30 }],
      ['a blank name', { name: '   ', duration: 30 }],
      ['a name over 200 characters', { name: 'x'.repeat(201), duration: 30 }],
      ['no name', { duration: 30 }],
      ['no duration', { name: 'Call' }],
      ['a duration under 5 minutes', { name: 'Call', duration: 4 }],
      ['a duration over 480 minutes', { name: 'Call', duration: 481 }],
      ['a fractional duration', { name: 'Call', duration: 30.5 }],
      ['a negative buffer', { name: 'Call', duration: 30, bufferBefore: -1 }],
      ['a buffer over 480 minutes', { name: 'Call', duration: 30, bufferAfter: 481 }],
      ['a description over 5000 characters', { name: 'Call', duration: 30, description: 'x'.repeat(5001) }],
      ['an uppercase slug', { name: 'Call', duration: 30, slug: 'Intro-Call' }],
      ['a slug with a double dash', { name: 'Call', duration: 30, slug: 'intro--call' }],
      ['a slug with a leading dash', { name: 'Call', duration: 30, slug: '-intro' }],
      ['a slug with spaces', { name: 'Call', duration: 30, slug: 'intro call' }],
      ['a slug over 100 characters', { name: 'Call', duration: 30, slug: 'a'.repeat(101) }],
      ['an unknown field', { name: 'Call', duration: 30, color: 'red' }],
      ['a userId that is not a UUID', { name: 'Call', duration: 30, userId: 'someone' }],
    ])('POST with %s → 400 validation_failed', async (_label, body) => {
      const before = (await list(bearer(a.ownerPat))).length;
      const response = await call('POST', '/v4/meeting-type', bearer(a.ownerPat), body);
      expectError(response, 400, 'validation_failed');
      expect(response.json().error).toBe('Bad Request');
      expect(await list(bearer(a.ownerPat))).toHaveLength(before);
    });

    it('PATCH with invalid fields → 400 and nothing changes', async () => {
      const created = await create(bearer(a.memberPat), { name: 'Stable', duration: 30 });
      for (const body of [{ duration: 1000 }, { name: '' }, { slug: 'Bad Slug' }, { userId: a.admin.id }]) {
        const response = await call('PATCH', `/v4/meeting-type/${created.id}`, bearer(a.memberPat), body);
        expectError(response, 400, 'validation_failed');
      }
      const fetched = await call('GET', `/v4/meeting-type/${created.id}`, bearer(a.memberPat));
      expect(fetched.json()).toEqual(created);
    });

    it('a body that is not JSON → 400', async () => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/v4/meeting-type',
        headers: { ...bearer(a.memberPat), 'content-type': 'application/json' },
        payload: '{"name": "Call", ',
      });
      expectError(response, 400, 'invalid_json');
    });

    it('malformed ids → 400 invalid_id', async () => {
      for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
        const body = method === 'PATCH' ? { name: 'x' } : undefined;
        expectError(
          await call(method, '/v4/meeting-type/not-a-uuid', bearer(a.ownerPat), body),
          400,
          'invalid_id',
        );
      }
      expectError(
        await call('GET', '/v4/meeting-type?userId=not-a-uuid', bearer(a.ownerPat)),
        400,
        'validation_failed',
      );
    });
  });

  describe('reach', () => {
    let memberType: MeetingType;
    let adminType: MeetingType;
    let ownerType: MeetingType;

    beforeAll(async () => {
      memberType = await create(bearer(a.memberPat), { name: 'Member reach', duration: 30 });
      adminType = await create(bearer(a.adminPat), { name: 'Admin reach', duration: 30 });
      ownerType = await create(bearer(a.ownerPat), { name: 'Owner reach', duration: 30 });
    });

    it("members list only their own meeting types; admins and owners list the company's", async () => {
      const mine = await list(bearer(a.memberPat));
      expect(mine.every((m) => m.userId === a.member.id)).toBe(true);
      expect(mine.map((m) => m.id)).toContain(memberType.id);
      expect(mine.map((m) => m.id)).not.toContain(adminType.id);

      for (const token of [a.adminPat, a.ownerPat]) {
        const all = (await list(bearer(token))).map((m) => m.id);
        expect(all).toEqual(expect.arrayContaining([memberType.id, adminType.id, ownerType.id]));
      }
    });

    it('admins filter by ?userId=; members may only name themselves', async () => {
      const members = await list(bearer(a.adminPat), `?userId=${a.member.id}`);
      expect(members.length).toBeGreaterThan(0);
      expect(members.every((m) => m.userId === a.member.id)).toBe(true);

      const self = await list(bearer(a.memberPat), `?userId=${a.member.id}`);
      expect(self.map((m) => m.id)).toContain(memberType.id);
      expectError(
        await call('GET', `/v4/meeting-type?userId=${a.admin.id}`, bearer(a.memberPat)),
        403,
        'forbidden',
      );
    });

    it("a member cannot read, change or delete another user's meeting type: 404, unchanged", async () => {
      const url = `/v4/meeting-type/${adminType.id}`;
      expectError(await call('GET', url, bearer(a.memberPat)), 404, 'not_found');
      expectError(await call('PATCH', url, bearer(a.memberPat), { name: 'Hijacked' }), 404, 'not_found');
      expectError(await call('DELETE', url, bearer(a.memberPat)), 404, 'not_found');
      const still = await call('GET', url, bearer(a.adminPat));
      expect(still.json()).toEqual(adminType);
    });

    it("admins and owners read and manage a member's meeting type", async () => {
      const url = `/v4/meeting-type/${memberType.id}`;
      expect((await call('GET', url, bearer(a.adminPat))).json()).toEqual(memberType);
      const patched = await call('PATCH', url, bearer(a.ownerPat), { description: 'Edited by the owner' });
      expect(patched.statusCode).toBe(200);
      expect(patched.json()).toMatchObject({ userId: a.member.id, description: 'Edited by the owner' });

      const spare = await create(bearer(a.memberPat), { name: 'Spare', duration: 30 });
      const deleted = await call('DELETE', `/v4/meeting-type/${spare.id}`, bearer(a.adminPat));
      expect(deleted.statusCode).toBe(200);
      expectError(await call('GET', `/v4/meeting-type/${spare.id}`, bearer(a.memberPat)), 404, 'not_found');
    });

    it('admins create for another company user; members cannot', async () => {
      const forMember = await create(bearer(a.adminPat), {
        name: 'Assigned',
        duration: 30,
        userId: a.member.id,
      });
      expect(forMember.userId).toBe(a.member.id);
      expect((await list(bearer(a.memberPat))).map((m) => m.id)).toContain(forMember.id);

      const before = (await list(bearer(a.adminPat), `?userId=${a.admin.id}`)).length;
      expectError(
        await call('POST', '/v4/meeting-type', bearer(a.memberPat), {
          name: 'X',
          duration: 30,
          userId: a.admin.id,
        }),
        403,
        'forbidden',
      );
      expect(await list(bearer(a.adminPat), `?userId=${a.admin.id}`)).toHaveLength(before);

      // A member naming themselves is fine.
      const own = await create(bearer(a.memberPat), { name: 'Self', duration: 30, userId: a.member.id });
      expect(own.userId).toBe(a.member.id);
    });

    it('a Platform API key acts as the user named in x-meetergo-api-user-id', async () => {
      const asMember = await list(bearer(a.apiKey, a.member.id));
      expect(asMember.length).toBeGreaterThan(0);
      expect(asMember.every((m) => m.userId === a.member.id)).toBe(true);
      expectError(
        await call('GET', `/v4/meeting-type/${adminType.id}`, bearer(a.apiKey, a.member.id)),
        404,
        'not_found',
      );

      const created = await create(bearer(a.apiKey, a.member.id), { name: 'Via key', duration: 30 });
      expect(created.userId).toBe(a.member.id);

      const asAdmin = (await list(bearer(a.apiKey, a.admin.id))).map((m) => m.id);
      expect(asAdmin).toEqual(expect.arrayContaining([memberType.id, adminType.id, created.id]));

      // Resources are not owner-default endpoints: the header is required.
      expectError(await call('GET', '/v4/meeting-type', bearer(a.apiKey)), 400, 'acting_user_required');
    });

    it('a dashboard session manages its own meeting types', async () => {
      const owner = await signUp(t.app, 'Session Co');
      const created = await create(owner.headers, { name: 'From the dashboard', duration: 20 });
      expect(created).toMatchObject({ userId: owner.user.id, companyId: owner.company.id });
      expect((await list(owner.headers)).map((m) => m.id)).toEqual([created.id]);
      expectError(await call('GET', `/v4/meeting-type/${memberType.id}`, owner.headers), 404, 'not_found');
    });

    it('answers 401 without credentials', async () => {
      expectError(await call('GET', '/v4/meeting-type', {}), 401, 'missing_authorization');
    });
  });

  describe('scopes', () => {
    it('a token with only meeting-types:read can read but not write (403 insufficient_scope)', async () => {
      const token = await a.newPat(a.member, ['meeting-types:read']);
      expect((await call('GET', '/v4/meeting-type', bearer(token))).statusCode).toBe(200);
      const before = (await list(bearer(a.memberPat))).length;

      const denied = await call('POST', '/v4/meeting-type', bearer(token), { name: 'Nope', duration: 30 });
      expectError(denied, 403, 'insufficient_scope');
      expect(denied.headers['www-authenticate']).toContain('scope="meeting-types:write"');
      expect(await list(bearer(a.memberPat))).toHaveLength(before);

      const target = await create(bearer(a.memberPat), { name: 'Scoped target', duration: 30 });
      expectError(
        await call('PATCH', `/v4/meeting-type/${target.id}`, bearer(token), { name: 'Changed' }),
        403,
        'insufficient_scope',
      );
      expectError(
        await call('DELETE', `/v4/meeting-type/${target.id}`, bearer(token)),
        403,
        'insufficient_scope',
      );
      expect((await call('GET', `/v4/meeting-type/${target.id}`, bearer(token))).json()).toEqual(target);
    });

    it('a token scoped to other resources cannot read meeting types; write alone does not grant read', async () => {
      const other = await a.newPat(a.member, ['availability:read', 'appointments:read']);
      expectError(await call('GET', '/v4/meeting-type', bearer(other)), 403, 'insufficient_scope');
      const writeOnly = await a.newPat(a.member, ['meeting-types:write']);
      expect(
        (await call('POST', '/v4/meeting-type', bearer(writeOnly), { name: 'W', duration: 30 })).statusCode,
      ).toBe(201);
      expectError(await call('GET', '/v4/meeting-type', bearer(writeOnly)), 403, 'insufficient_scope');
    });

    it('a scoped API key is limited the same way', async () => {
      const key = await a.newApiKey(['meeting-types:read']);
      expect((await call('GET', '/v4/meeting-type', bearer(key, a.admin.id))).statusCode).toBe(200);
      expectError(
        await call('POST', '/v4/meeting-type', bearer(key, a.admin.id), { name: 'Nope', duration: 30 }),
        403,
        'insufficient_scope',
      );
    });
  });

  describe('tenant isolation', () => {
    it("another company's owner, admin and API key cannot see or touch a meeting type", async () => {
      const victim = await create(bearer(a.memberPat), { name: 'Private to A', duration: 30 });
      const url = `/v4/meeting-type/${victim.id}`;
      for (const headers of [bearer(b.ownerPat), bearer(b.adminPat), bearer(b.apiKey, b.admin.id)]) {
        expect((await list(headers)).map((m) => m.id)).not.toContain(victim.id);
        expect((await list(headers)).every((m) => m.companyId === b.company.id)).toBe(true);
        expectError(await call('GET', url, headers), 404, 'not_found');
        expectError(await call('PATCH', url, headers, { name: 'Stolen' }), 404, 'not_found');
        expectError(await call('DELETE', url, headers), 404, 'not_found');
      }
      expect((await call('GET', url, bearer(a.memberPat))).json()).toEqual(victim);
    });

    it("admins cannot list or create meeting types for another company's user", async () => {
      expect(await list(bearer(b.adminPat), `?userId=${a.member.id}`)).toEqual([]);
      expectError(
        await call('POST', '/v4/meeting-type', bearer(b.adminPat), {
          name: 'X',
          duration: 30,
          userId: a.member.id,
        }),
        404,
        'not_found',
      );
      expect((await list(bearer(a.memberPat))).map((m) => m.name)).not.toContain('X');
    });

    it("an API key cannot act as another company's user", async () => {
      expectError(
        await call('GET', '/v4/meeting-type', bearer(b.apiKey, a.member.id)),
        403,
        'acting_user_not_in_company',
      );
    });
  });
});
