import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, seedTenant, type TestApp } from '../support/app.js';
import { unwrap } from '../support/fixtures.js';

type Headers = Record<string, string | undefined>;

interface Availability {
  userId: string;
  timezone: string;
  schedule: Record<string, { start: string; end: string }[]>;
  updatedAt: string | null;
}

const nineToFive = [{ start: '09:00', end: '17:00' }];
const DEFAULT_SCHEDULE = {
  monday: nineToFive,
  tuesday: nineToFive,
  wednesday: nineToFive,
  thursday: nineToFive,
  friday: nineToFive,
  saturday: [],
  sunday: [],
};

function expectError(response: LightMyRequestResponse, status: number, code: string) {
  expect(response.statusCode, response.body).toBe(status);
  const body = response.json();
  expect(Object.keys(body).sort()).toEqual(['code', 'error', 'message', 'statusCode']);
  expect(body).toMatchObject({ statusCode: status, code });
  expect(body.message.length).toBeGreaterThan(0);
}

describe('/v4/availability', () => {
  let t: TestApp;
  let a: Awaited<ReturnType<typeof seedTenant>>;
  let b: Awaited<ReturnType<typeof seedTenant>>;

  beforeAll(async () => {
    t = await buildTestApp();
    a = await seedTenant(t);
    b = await seedTenant(t);
  });
  afterAll(() => t.close());

  const get = (headers: Headers, query = '') =>
    t.app.inject({ method: 'GET', url: `/v4/availability${query}`, headers });
  const put = (headers: Headers, payload: object, query = '') =>
    t.app.inject({ method: 'PUT', url: `/v4/availability${query}`, headers, payload });

  async function read(headers: Headers, query = ''): Promise<Availability> {
    const response = await get(headers, query);
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  }

  describe('happy path', () => {
    it("answers Mon–Fri 09:00–17:00 in the user's own time zone until something is saved", async () => {
      unwrap(await t.warden.directory.updateUser(a.ownerCaller, a.admin.id, { timezone: 'Europe/Berlin' }));
      expect(await read(bearer(a.adminPat))).toEqual({
        userId: a.admin.id,
        timezone: 'Europe/Berlin',
        schedule: DEFAULT_SCHEDULE,
        updatedAt: null,
      });
      const owner = await read(bearer(a.ownerPat));
      expect(owner).toMatchObject({ userId: a.owner.id, timezone: 'UTC', schedule: DEFAULT_SCHEDULE });
    });

    it('saves weekly hours: every day present, ranges sorted, days left out empty', async () => {
      const response = await put(bearer(a.memberPat), {
        timezone: 'America/New_York',
        schedule: {
          monday: [
            { start: '13:00', end: '17:00' },
            { start: '08:30', end: '12:00' },
          ],
          wednesday: [{ start: '00:00', end: '24:00' }],
          friday: [
            { start: '09:00', end: '12:00' },
            { start: '12:00', end: '13:00' },
          ],
        },
      });
      expect(response.statusCode, response.body).toBe(200);
      const saved: Availability = response.json();
      expect(saved).toMatchObject({
        userId: a.member.id,
        timezone: 'America/New_York',
        schedule: {
          monday: [
            { start: '08:30', end: '12:00' },
            { start: '13:00', end: '17:00' },
          ],
          tuesday: [],
          wednesday: [{ start: '00:00', end: '24:00' }],
          thursday: [],
          friday: [
            { start: '09:00', end: '12:00' },
            { start: '12:00', end: '13:00' },
          ],
          saturday: [],
          sunday: [],
        },
      });
      expect(Object.keys(saved.schedule)).toEqual([
        'monday',
        'tuesday',
        'wednesday',
        'thursday',
        'friday',
        'saturday',
        'sunday',
      ]);
      expect(Date.parse(saved.updatedAt ?? '')).not.toBeNaN();
      expect(await read(bearer(a.memberPat))).toEqual(saved);
    });

    it('PUT replaces the whole schedule; without a timezone it keeps the saved one', async () => {
      const response = await put(bearer(a.memberPat), {
        schedule: { sunday: [{ start: '10:00', end: '11:00' }] },
      });
      expect(response.statusCode, response.body).toBe(200);
      const saved = await read(bearer(a.memberPat));
      expect(saved.timezone).toBe('America/New_York');
      expect(saved.schedule.monday).toEqual([]);
      expect(saved.schedule.sunday).toEqual([{ start: '10:00', end: '11:00' }]);
    });

    it('a first PUT without a timezone uses the user’s; an empty schedule means never available', async () => {
      const response = await put(bearer(a.adminPat), { schedule: {} });
      expect(response.statusCode, response.body).toBe(200);
      const saved: Availability = response.json();
      expect(saved.timezone).toBe('Europe/Berlin');
      expect(Object.values(saved.schedule).every((day) => day.length === 0)).toBe(true);
      expect(saved.updatedAt).not.toBeNull();
    });
  });

  describe('validation', () => {
    const monday = (ranges: object[]) => ({ timezone: 'UTC', schedule: { monday: ranges } });
    it.each([
      ['a time without two hour digits', monday([{ start: '9:00', end: '17:00' }])],
      ['an hour past 24', monday([{ start: '09:00', end: '25:00' }])],
      ['a time past 24:00', monday([{ start: '09:00', end: '24:01' }])],
      ['minutes past 59', monday([{ start: '09:60', end: '17:00' }])],
      ['a start equal to the end', monday([{ start: '09:00', end: '09:00' }])],
      ['a start after the end', monday([{ start: '17:00', end: '09:00' }])],
      [
        'overlapping ranges',
        monday([
          { start: '09:00', end: '12:00' },
          { start: '11:30', end: '14:00' },
        ]),
      ],
      [
        'a range inside another',
        monday([
          { start: '08:00', end: '18:00' },
          { start: '10:00', end: '11:00' },
        ]),
      ],
      ['a range without an end', monday([{ start: '09:00' }])],
      ['a range with an extra field', monday([{ start: '09:00', end: '10:00', label: 'x' }])],
      ['an unknown day', { timezone: 'UTC', schedule: { funday: [] } }],
      ['a capitalised day', { timezone: 'UTC', schedule: { Monday: [] } }],
      [
        'a day that is not a list',
        { timezone: 'UTC', schedule: { monday: { start: '09:00', end: '10:00' } } },
      ],
      ['an unknown time zone', { timezone: 'Mars/Olympus_Mons', schedule: {} }],
      ['an empty time zone', { timezone: '', schedule: {} }],
      ['no schedule', { timezone: 'UTC' }],
      ['an unknown field', { timezone: 'UTC', schedule: {}, holidays: [] }],
    ])('PUT with %s → 400 validation_failed, nothing saved', async (_label, body) => {
      const before = await read(bearer(a.ownerPat));
      expectError(await put(bearer(a.ownerPat), body), 400, 'validation_failed');
      expect(await read(bearer(a.ownerPat))).toEqual(before);
    });

    it('names the offending day in the message', async () => {
      const response = await put(bearer(a.ownerPat), {
        schedule: {
          thursday: [
            { start: '09:00', end: '12:00' },
            { start: '11:00', end: '13:00' },
          ],
        },
      });
      expectError(response, 400, 'validation_failed');
      expect(response.json().message).toContain('thursday');
    });

    it('a userId that is not a UUID → 400', async () => {
      expectError(await get(bearer(a.adminPat), '?userId=bob'), 400, 'validation_failed');
      expectError(await put(bearer(a.adminPat), { schedule: {} }, '?userId=bob'), 400, 'validation_failed');
    });
  });

  describe('reach', () => {
    const weekend = { timezone: 'Asia/Tokyo', schedule: { saturday: [{ start: '10:00', end: '14:00' }] } };

    it("members cannot read or write another user's availability (403), whatever the id", async () => {
      const adminBefore = await read(bearer(a.adminPat));
      expectError(await get(bearer(a.memberPat), `?userId=${a.admin.id}`), 403, 'forbidden');
      expectError(await put(bearer(a.memberPat), weekend, `?userId=${a.admin.id}`), 403, 'forbidden');
      expectError(await get(bearer(a.memberPat), `?userId=${b.member.id}`), 403, 'forbidden');
      expect(await read(bearer(a.adminPat))).toEqual(adminBefore);
      // Naming themselves is fine.
      expect((await read(bearer(a.memberPat), `?userId=${a.member.id}`)).userId).toBe(a.member.id);
    });

    it("owners and admins read and write a company user's availability with ?userId=", async () => {
      const response = await put(bearer(a.ownerPat), weekend, `?userId=${a.member.id}`);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toMatchObject({ userId: a.member.id, timezone: 'Asia/Tokyo' });

      const seenByMember = await read(bearer(a.memberPat));
      expect(seenByMember.timezone).toBe('Asia/Tokyo');
      expect(seenByMember.schedule.saturday).toEqual([{ start: '10:00', end: '14:00' }]);
      expect(await read(bearer(a.adminPat), `?userId=${a.member.id}`)).toEqual(seenByMember);
      // The owner's own availability did not change.
      expect((await read(bearer(a.ownerPat))).userId).toBe(a.owner.id);
      expect((await read(bearer(a.ownerPat))).timezone).not.toBe('Asia/Tokyo');
    });

    it('a Platform API key reads and writes the availability of the acting user', async () => {
      const asMember = await read(bearer(a.apiKey, a.member.id));
      expect(asMember.userId).toBe(a.member.id);
      const response = await put(bearer(a.apiKey, a.member.id), {
        timezone: 'Europe/Paris',
        schedule: { tuesday: [{ start: '07:00', end: '09:00' }] },
      });
      expect(response.statusCode).toBe(200);
      expect((await read(bearer(a.memberPat))).timezone).toBe('Europe/Paris');

      expectError(await get(bearer(a.apiKey, a.member.id), `?userId=${a.admin.id}`), 403, 'forbidden');
      expect((await read(bearer(a.apiKey, a.admin.id), `?userId=${a.member.id}`)).timezone).toBe(
        'Europe/Paris',
      );
      expectError(await get(bearer(a.apiKey)), 400, 'acting_user_required');
    });

    it('answers 401 without credentials', async () => {
      expectError(await get({}), 401, 'missing_authorization');
    });
  });

  describe('scopes', () => {
    it('a token with only availability:read can read but not write (403 insufficient_scope)', async () => {
      const token = await a.newPat(a.member, ['availability:read']);
      const before = await read(bearer(token));
      const denied = await put(bearer(token), { timezone: 'UTC', schedule: {} });
      expectError(denied, 403, 'insufficient_scope');
      expect(denied.headers['www-authenticate']).toContain('scope="availability:write"');
      expect(await read(bearer(a.memberPat))).toEqual(before);
    });

    it('a token scoped to meeting types cannot read availability', async () => {
      const token = await a.newPat(a.member, ['meeting-types:read', 'meeting-types:write']);
      expectError(await get(bearer(token)), 403, 'insufficient_scope');
    });
  });

  describe('tenant isolation', () => {
    it("another company's admin cannot read or write a user's availability (404)", async () => {
      const before = await read(bearer(a.memberPat));
      for (const headers of [bearer(b.adminPat), bearer(b.ownerPat), bearer(b.apiKey, b.admin.id)]) {
        expectError(await get(headers, `?userId=${a.member.id}`), 404, 'not_found');
        expectError(
          await put(headers, { timezone: 'UTC', schedule: {} }, `?userId=${a.member.id}`),
          404,
          'not_found',
        );
      }
      expect(await read(bearer(a.memberPat))).toEqual(before);
    });

    it("an API key cannot act as another company's user", async () => {
      expectError(await get(bearer(b.apiKey, a.member.id)), 403, 'acting_user_not_in_company');
    });
  });
});
