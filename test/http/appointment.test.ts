import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResourcesService, type ResourcesService } from '../../src/warden/resources-service.js';
import { bearer, buildTestApp, seedTenant, type TestApp } from '../support/app.js';
import { unwrap } from '../support/fixtures.js';

type Headers = Record<string, string | undefined>;

interface Appointment {
  id: string;
  userId: string;
  companyId: string;
  meetingTypeId: string | null;
  start: string;
  end: string;
  status: 'booked' | 'cancelled';
  attendeeName: string;
  attendeeEmail: string;
  cancelReason: string | null;
  cancelledAt: string | null;
  createdAt: string;
}

interface Page {
  data: Appointment[];
  page: number;
  limit: number;
  total: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function expectError(response: LightMyRequestResponse, status: number, code: string) {
  expect(response.statusCode, response.body).toBe(status);
  const body = response.json();
  expect(Object.keys(body).sort()).toEqual(['code', 'error', 'message', 'statusCode']);
  expect(body).toMatchObject({ statusCode: status, code });
  expect(body.message.length).toBeGreaterThan(0);
}

/** The instant at which today's date in a fixed-offset zone began (offset in hours east of UTC). */
function startOfTodayAt(offsetHours: number, now = Date.now()): number {
  const shifted = new Date(now + offsetHours * HOUR);
  return Date.UTC(shifted.getUTCFullYear(), shifted.getUTCMonth(), shifted.getUTCDate()) - offsetHours * HOUR;
}

describe('/v4/appointment', () => {
  let t: TestApp;
  let a: Awaited<ReturnType<typeof seedTenant>>;
  let b: Awaited<ReturnType<typeof seedTenant>>;
  let resources: ResourcesService;

  beforeAll(async () => {
    t = await buildTestApp();
    a = await seedTenant(t);
    b = await seedTenant(t);
    resources = createResourcesService({ db: t.warden.store.db });
  });
  afterAll(() => t.close());

  const get = (url: string, headers: Headers) => t.app.inject({ method: 'GET', url, headers });
  const cancel = (id: string, headers: Headers, payload?: object) =>
    t.app.inject({
      method: 'POST',
      url: `/v4/appointment/${id}/cancel`,
      headers,
      ...(payload === undefined ? {} : { payload }),
    });

  async function book(
    userId: string,
    start: number | string,
    minutes = 30,
    extra = {},
  ): Promise<Appointment> {
    const begins = new Date(start);
    return unwrap(
      await resources.createAppointment({
        userId,
        start: begins,
        end: new Date(begins.getTime() + minutes * MINUTE),
        attendeeName: 'Grace Hopper',
        attendeeEmail: 'grace@example.test',
        ...extra,
      }),
    );
  }

  async function page(headers: Headers, query = ''): Promise<Page> {
    const response = await get(`/v4/appointment${query}`, headers);
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  }

  describe('list', () => {
    let memberIds: string[];
    let adminAppointment: Appointment;
    let otherCompany: Appointment;

    beforeAll(async () => {
      // Booked out of order: the list must sort by start.
      const late = await book(a.member.id, '2031-03-03T09:00:00Z');
      const early = await book(a.member.id, '2031-03-01T09:00:00Z');
      const middle = await book(a.member.id, '2031-03-02T09:00:00Z');
      memberIds = [early.id, middle.id, late.id];
      adminAppointment = await book(a.admin.id, '2031-03-01T12:00:00Z');
      otherCompany = await book(b.member.id, '2031-03-01T10:00:00Z');
    });

    it('members see their own appointments, by start, with the default page of 20', async () => {
      const result = await page(bearer(a.memberPat));
      expect(result).toMatchObject({ page: 1, limit: 20, total: 3 });
      expect(result.data.map((x) => x.id)).toEqual(memberIds);
      expect(result.data[0]).toMatchObject({
        userId: a.member.id,
        companyId: a.company.id,
        meetingTypeId: null,
        start: '2031-03-01T09:00:00.000Z',
        end: '2031-03-01T09:30:00.000Z',
        status: 'booked',
        attendeeName: 'Grace Hopper',
        attendeeEmail: 'grace@example.test',
        cancelReason: null,
        cancelledAt: null,
      });
    });

    it("owners and admins see the whole company's, never another company's", async () => {
      for (const token of [a.adminPat, a.ownerPat]) {
        const result = await page(bearer(token));
        expect(result.total).toBe(4);
        const ids = result.data.map((x) => x.id);
        expect(ids).toEqual(expect.arrayContaining([...memberIds, adminAppointment.id]));
        expect(ids).not.toContain(otherCompany.id);
        // Sorted by start: the admin's noon appointment sits between the member's first and second.
        expect(ids.indexOf(adminAppointment.id)).toBe(1);
      }
      const theirs = await page(bearer(b.adminPat));
      expect(theirs.data.map((x) => x.id)).toEqual([otherCompany.id]);
    });

    it('pages with ?page and ?limit, reporting the total', async () => {
      const second = await page(bearer(a.memberPat), '?page=2&limit=2');
      expect(second).toMatchObject({ page: 2, limit: 2, total: 3 });
      expect(second.data.map((x) => x.id)).toEqual([memberIds[2]]);
      const first = await page(bearer(a.memberPat), '?limit=2');
      expect(first.data.map((x) => x.id)).toEqual(memberIds.slice(0, 2));
      const beyond = await page(bearer(a.memberPat), '?page=9&limit=100');
      expect(beyond).toEqual({ data: [], page: 9, limit: 100, total: 3 });
    });

    it.each([['page=0'], ['page=-1'], ['page=abc'], ['page=1.5'], ['limit=0'], ['limit=101'], ['limit=ten']])(
      '?%s → 400 validation_failed',
      async (query) => {
        expectError(await get(`/v4/appointment?${query}`, bearer(a.memberPat)), 400, 'validation_failed');
      },
    );

    it('a Platform API key lists the acting user’s appointments (a member’s own, an admin’s company)', async () => {
      expect((await page(bearer(a.apiKey, a.member.id))).data.map((x) => x.id)).toEqual(memberIds);
      expect((await page(bearer(a.apiKey, a.admin.id))).total).toBe(4);
      expectError(await get('/v4/appointment', bearer(a.apiKey)), 400, 'acting_user_required');
    });
  });

  describe('one appointment', () => {
    let mine: Appointment;
    let admins: Appointment;

    beforeAll(async () => {
      mine = await book(a.member.id, '2032-01-10T09:00:00Z');
      admins = await book(a.admin.id, '2032-01-10T10:00:00Z');
    });

    it('returns an appointment within reach', async () => {
      const response = await get(`/v4/appointment/${mine.id}`, bearer(a.memberPat));
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual(mine);
      expect((await get(`/v4/appointment/${mine.id}`, bearer(a.adminPat))).json()).toEqual(mine);
      expect((await get(`/v4/appointment/${mine.id}`, bearer(a.apiKey, a.owner.id))).json()).toEqual(mine);
    });

    it("hides another user's appointment from a member (404, as for an unknown id)", async () => {
      const hidden = await get(`/v4/appointment/${admins.id}`, bearer(a.memberPat));
      const unknown = await get('/v4/appointment/00000000-0000-4000-8000-000000000000', bearer(a.memberPat));
      expectError(hidden, 404, 'not_found');
      expectError(unknown, 404, 'not_found');
      expect(hidden.json()).toEqual(unknown.json());
      expectError(await get(`/v4/appointment/${admins.id}`, bearer(a.apiKey, a.member.id)), 404, 'not_found');
    });

    it('malformed ids → 400 invalid_id', async () => {
      expectError(await get('/v4/appointment/12345', bearer(a.memberPat)), 400, 'invalid_id');
      expectError(await cancel('not-a-uuid', bearer(a.memberPat)), 400, 'invalid_id');
    });

    it('another company cannot read it (404)', async () => {
      for (const headers of [bearer(b.ownerPat), bearer(b.apiKey, b.admin.id)])
        expectError(await get(`/v4/appointment/${mine.id}`, headers), 404, 'not_found');
    });
  });

  describe('cancel', () => {
    it('cancels with a reason; a second cancel is a 409 conflict', async () => {
      const appointment = await book(a.member.id, '2033-05-05T09:00:00Z');
      const before = Date.now();
      const response = await cancel(appointment.id, bearer(a.memberPat), { reason: 'Double-booked' });
      expect(response.statusCode, response.body).toBe(200);
      const cancelled: Appointment = response.json();
      expect(cancelled).toMatchObject({
        id: appointment.id,
        status: 'cancelled',
        cancelReason: 'Double-booked',
        start: appointment.start,
      });
      expect(Date.parse(cancelled.cancelledAt ?? '')).toBeGreaterThanOrEqual(before - 1000);
      expect((await get(`/v4/appointment/${appointment.id}`, bearer(a.memberPat))).json()).toEqual(cancelled);

      const again = await cancel(appointment.id, bearer(a.memberPat), { reason: 'Changed my mind' });
      expectError(again, 409, 'conflict');
      expect((await get(`/v4/appointment/${appointment.id}`, bearer(a.memberPat))).json()).toEqual(cancelled);
    });

    it('cancels without a body (no reason)', async () => {
      const appointment = await book(a.member.id, '2033-05-06T09:00:00Z');
      const response = await cancel(appointment.id, bearer(a.memberPat));
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toMatchObject({ status: 'cancelled', cancelReason: null });
      expect(response.json().cancelledAt).not.toBeNull();
    });

    it('rejects a reason over 500 characters or unknown fields (400), leaving it booked', async () => {
      const appointment = await book(a.member.id, '2033-05-07T09:00:00Z');
      expectError(
        await cancel(appointment.id, bearer(a.memberPat), { reason: 'x'.repeat(501) }),
        400,
        'validation_failed',
      );
      expectError(await cancel(appointment.id, bearer(a.memberPat), { why: 'no' }), 400, 'validation_failed');
      expect((await get(`/v4/appointment/${appointment.id}`, bearer(a.memberPat))).json().status).toBe(
        'booked',
      );
      const ok = await cancel(appointment.id, bearer(a.memberPat), { reason: 'x'.repeat(500) });
      expect(ok.statusCode).toBe(200);
    });

    it("a member cannot cancel another user's appointment (404); admins and owners can", async () => {
      const admins = await book(a.admin.id, '2033-05-08T09:00:00Z');
      expectError(await cancel(admins.id, bearer(a.memberPat)), 404, 'not_found');
      expectError(await cancel(admins.id, bearer(a.apiKey, a.member.id)), 404, 'not_found');
      expect((await get(`/v4/appointment/${admins.id}`, bearer(a.adminPat))).json().status).toBe('booked');

      const members = await book(a.member.id, '2033-05-08T10:00:00Z');
      const byOwner = await cancel(members.id, bearer(a.ownerPat), { reason: 'Out sick' });
      expect(byOwner.statusCode).toBe(200);
      expect((await get(`/v4/appointment/${members.id}`, bearer(a.memberPat))).json()).toMatchObject({
        status: 'cancelled',
        cancelReason: 'Out sick',
      });

      const viaKey = await book(a.member.id, '2033-05-08T11:00:00Z');
      expect((await cancel(viaKey.id, bearer(a.apiKey, a.admin.id))).statusCode).toBe(200);
    });

    it('another company cannot cancel it (404) and it stays booked', async () => {
      const appointment = await book(a.member.id, '2033-05-09T09:00:00Z');
      for (const headers of [bearer(b.ownerPat), bearer(b.adminPat), bearer(b.apiKey, b.owner.id)])
        expectError(await cancel(appointment.id, headers, { reason: 'hostile' }), 404, 'not_found');
      expect((await get(`/v4/appointment/${appointment.id}`, bearer(a.memberPat))).json().status).toBe(
        'booked',
      );
    });
  });

  describe('scopes', () => {
    it('a token with only appointments:read can read but not cancel (403 insufficient_scope)', async () => {
      const appointment = await book(a.member.id, '2034-01-01T09:00:00Z');
      const token = await a.newPat(a.member, ['appointments:read']);
      expect((await get('/v4/appointment', bearer(token))).statusCode).toBe(200);
      expect((await get('/v4/appointment/today', bearer(token))).statusCode).toBe(200);
      expect((await get(`/v4/appointment/${appointment.id}`, bearer(token))).statusCode).toBe(200);

      const denied = await cancel(appointment.id, bearer(token));
      expectError(denied, 403, 'insufficient_scope');
      expect(denied.headers['www-authenticate']).toContain('scope="appointments:write"');
      expect((await get(`/v4/appointment/${appointment.id}`, bearer(a.memberPat))).json().status).toBe(
        'booked',
      );

      const writer = await a.newPat(a.member, ['appointments:write']);
      expect((await cancel(appointment.id, bearer(writer))).statusCode).toBe(200);
    });

    it('a token scoped to meeting types cannot read appointments', async () => {
      const token = await a.newPat(a.member, ['meeting-types:read']);
      expectError(await get('/v4/appointment', bearer(token)), 403, 'insufficient_scope');
      expectError(await get('/v4/appointment/today', bearer(token)), 403, 'insufficient_scope');
    });

    it('answers 401 without credentials', async () => {
      expectError(await get('/v4/appointment', {}), 401, 'missing_authorization');
    });
  });

  describe('today', () => {
    let c: Awaited<ReturnType<typeof seedTenant>>;

    beforeAll(async () => {
      c = await seedTenant(t);
    });

    it("lists the appointments starting today in the acting user's time zone, booked and cancelled", async () => {
      // Tokyo has no daylight saving: today there runs from `midnight` for exactly 24 hours.
      unwrap(await t.warden.directory.updateUser(c.ownerCaller, c.member.id, { timezone: 'Asia/Tokyo' }));
      const midnight = startOfTodayAt(9);
      const atMidnight = await book(c.member.id, midnight);
      const lastMinute = await book(c.member.id, midnight + DAY - MINUTE);
      const cancelled = await book(c.member.id, midnight + 3 * HOUR);
      unwrap(await resources.cancelAppointment(c.callerOf(c.member), cancelled.id, 'Ill'));
      await book(c.member.id, midnight - MINUTE); // yesterday in Tokyo
      await book(c.member.id, midnight + DAY); // tomorrow in Tokyo
      await book(c.admin.id, midnight + HOUR); // someone else's

      const response = await get('/v4/appointment/today', bearer(c.memberPat));
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json();
      expect(body.timezone).toBe('Asia/Tokyo');
      expect(body.date).toBe(new Date(midnight + 9 * HOUR).toISOString().slice(0, 10));
      expect(body.data.map((x: Appointment) => x.id)).toEqual([atMidnight.id, cancelled.id, lastMinute.id]);
      expect(body.data[1]).toMatchObject({ status: 'cancelled', cancelReason: 'Ill' });
    });

    it("admins see the company's appointments for their own today; other companies see none", async () => {
      const now = Date.now();
      const current = await book(c.member.id, now);
      const longAgo = await book(c.member.id, now - 3 * DAY);

      const asAdmin = await get('/v4/appointment/today', bearer(c.adminPat));
      expect(asAdmin.statusCode).toBe(200);
      expect(asAdmin.json().timezone).toBe('UTC');
      const ids = asAdmin.json().data.map((x: Appointment) => x.id);
      expect(ids).toContain(current.id);
      expect(ids).not.toContain(longAgo.id);

      const viaKey = await get('/v4/appointment/today', bearer(c.apiKey, c.admin.id));
      expect(viaKey.json().data.map((x: Appointment) => x.id)).toContain(current.id);

      for (const headers of [bearer(a.adminPat), bearer(b.ownerPat)]) {
        const other = await get('/v4/appointment/today', headers);
        expect(other.statusCode).toBe(200);
        expect(other.json().data.map((x: Appointment) => x.id)).not.toContain(current.id);
      }
    });
  });

  describe('createAppointment (library)', () => {
    it('books into the user’s company and refuses impossible input', async () => {
      const created = await book(a.member.id, '2035-01-01T09:00:00Z', 45);
      expect(created).toMatchObject({ companyId: a.company.id, userId: a.member.id, status: 'booked' });

      const start = '2035-01-01T09:00:00Z';
      const bad = await resources.createAppointment({ userId: a.member.id, start, end: start });
      expect(bad).toMatchObject({ ok: false, code: 'validation_failed' });
      const notDate = await resources.createAppointment({ userId: a.member.id, start: 'soon', end: start });
      expect(notDate).toMatchObject({ ok: false, code: 'validation_failed' });
      const nobody = await resources.createAppointment({
        userId: '00000000-0000-4000-8000-000000000000',
        start,
        end: '2035-01-01T10:00:00Z',
      });
      expect(nobody).toMatchObject({ ok: false, code: 'not_found' });

      // A meeting type from another company cannot be attached.
      const foreignType = unwrap(
        await resources.createMeetingType(b.callerOf(b.member), { name: 'Foreign', duration: 30 }),
      );
      const crossed = await resources.createAppointment({
        userId: a.member.id,
        meetingTypeId: foreignType.id,
        start,
        end: '2035-01-01T10:00:00Z',
      });
      expect(crossed).toMatchObject({ ok: false, code: 'not_found' });
    });
  });
});
