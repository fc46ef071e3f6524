import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUsageMeter } from '../../src/auth/usage-meter.js';
import { createWarden, type Warden } from '../../src/warden/create-warden.js';
import { databaseTargets } from '../support/databases.js';
import { seedCompany, unwrap } from '../support/fixtures.js';

for (const target of databaseTargets) {
  describe.skipIf(!target.available)(`usage recording on ${target.name}`, () => {
    let warden: Warden;
    let drop: () => Promise<void>;

    beforeAll(async () => {
      const db = await target.create();
      drop = db.drop;
      // A long interval: only explicit flushes write, so the test sees batching.
      warden = await createWarden({
        databaseUrl: db.url,
        invalidation: 'local',
        usage: { flushIntervalMs: 60_000 },
      });
    });
    afterAll(async () => {
      await warden?.close();
      await drop?.();
    });

    /** A warden of its own, on a database of its own, with small usage caps; `close` drops both. */
    async function smallWarden(usage: { maxBuffer?: number; maxPerCredential?: number }) {
      const db = await target.create();
      const small = await createWarden({
        databaseUrl: db.url,
        invalidation: 'local',
        usage: { flushIntervalMs: 60_000, ...usage },
      });
      const seed = await seedCompany(small);
      const close = async () => {
        await small.close();
        await db.drop();
      };
      return { small, seed, close };
    }

    it('records off the request path and writes last use, daily counts and activity in one batch', async () => {
      const seed = await seedCompany(warden);
      const issued = unwrap(await warden.credentials.createPat(seed.ownerCaller, { name: 'used' }));
      const id = issued.credential.id;
      const before = warden.store.queryCount();
      const start = Date.now();
      for (let i = 0; i < 250; i++) {
        warden.usage.record({
          credentialId: id,
          at: start + i,
          method: 'GET',
          route: '/v4/user/me',
          status: i % 50 === 0 ? 429 : 200,
          ip: `10.0.0.${i % 5}`,
          userAgent: 'vitest',
          actingUserId: seed.owner.id,
        });
      }
      expect(warden.store.queryCount()).toBe(before);
      await warden.usage.flush();
      const [listed] = unwrap(await warden.credentials.list(seed.ownerCaller, 'pat'));
      expect(listed?.lastUsedAt).toBe(new Date(start + 249).toISOString());
      expect(listed?.lastUsedIp).toBe('10.0.0.4');
      const daily = await warden.usage.daily(id);
      expect(daily.reduce((sum, d) => sum + d.requests, 0)).toBe(250);
      const activity = await warden.usage.activity(id, 500);
      // Counts are exact; the activity log keeps the first 20 per credential per flush window.
      expect(activity).toHaveLength(20);
      expect(activity.at(-1)?.at).toBe(new Date(start).toISOString());
      expect(activity[0]).toMatchObject({
        method: 'GET',
        route: '/v4/user/me',
        status: 200,
        ip: '10.0.0.4',
        actingUserId: seed.owner.id,
      });
    });

    it('flushes what is buffered on close', async () => {
      const db = await target.create();
      const first = await createWarden({
        databaseUrl: db.url,
        invalidation: 'local',
        usage: { flushIntervalMs: 60_000 },
      });
      const seed = await seedCompany(first);
      const issued = unwrap(await first.credentials.createPat(seed.ownerCaller, { name: 'x' }));
      first.usage.record({
        credentialId: issued.credential.id,
        at: Date.now(),
        method: 'POST',
        route: '/v4/meeting-type',
        status: 201,
        ip: '127.0.0.1',
        userAgent: null,
        actingUserId: seed.owner.id,
      });
      await first.close();
      if (target.name === 'postgres') {
        const second = await createWarden({ databaseUrl: db.url, invalidation: 'local' });
        expect(await second.usage.activity(issued.credential.id)).toHaveLength(1);
        await second.close();
      }
      await db.drop();
    });

    it('keeps counts exact when the activity buffer overflows', async () => {
      const { small, seed, close } = await smallWarden({ maxBuffer: 10 });
      const issued = unwrap(await small.credentials.createPat(seed.ownerCaller, { name: 'x' }));
      for (let i = 0; i < 30; i++) {
        small.usage.record({
          credentialId: issued.credential.id,
          at: Date.now(),
          method: 'GET',
          route: '/',
          status: 200,
          ip: null,
          userAgent: null,
          actingUserId: null,
        });
      }
      await small.usage.flush();
      expect(small.usage.stats().dropped).toBe(20);
      expect((await small.usage.daily(issued.credential.id))[0]?.requests).toBe(30);
      expect(await small.usage.activity(issued.credential.id)).toHaveLength(10);
      await close();
    });

    it('asks for request details only while the activity sample has room (count, then log)', async () => {
      const { small, seed, close } = await smallWarden({ maxPerCredential: 3 });
      const id = unwrap(await small.credentials.createPat(seed.ownerCaller, { name: 'c' })).credential.id;
      const start = Date.now();
      const wanted: boolean[] = [];
      for (let i = 0; i < 8; i++) {
        const at = start + i;
        const meter = small.usage.meterOf(id);
        const want = small.usage.countAt(meter, `10.0.0.${i}`, at);
        wanted.push(want);
        if (want)
          small.usage.log(meter, {
            credentialId: id,
            at,
            method: 'GET',
            route: `/r${i}`,
            status: 200,
            ip: `10.0.0.${i}`,
            userAgent: null,
            actingUserId: null,
          });
      }
      expect(wanted).toEqual([true, true, true, false, false, false, false, false]);
      await small.usage.flush();
      expect((await small.usage.daily(id))[0]?.requests).toBe(8);
      const logged = await small.usage.activity(id);
      expect(logged.map((e) => e.route).sort()).toEqual(['/r0', '/r1', '/r2']);
      // Last use comes from the counts, not the sample: the eighth request's address.
      const [row] = unwrap(await small.credentials.list(seed.ownerCaller, 'pat'));
      expect(row?.lastUsedIp).toBe('10.0.0.7');
      expect(row?.lastUsedAt).toBe(new Date(start + 7).toISOString());
      await close();
    });

    it('samples the first events per credential per window and keeps counts exact across days', async () => {
      const { small, seed, close } = await smallWarden({ maxPerCredential: 5 });
      const a = unwrap(await small.credentials.createPat(seed.ownerCaller, { name: 'a' })).credential.id;
      const b = unwrap(await small.credentials.createPat(seed.ownerCaller, { name: 'b' })).credential.id;
      const now = Date.now();
      const event = (credentialId: string, i: number, at = now + i) => ({
        credentialId,
        at,
        method: 'GET',
        route: `/r${i}`,
        status: 200,
        ip: `10.0.0.${i}`,
        userAgent: null,
        actingUserId: null,
      });
      for (let i = 0; i < 12; i++) {
        small.usage.record(event(a, i));
        small.usage.record(event(b, i));
      }
      small.usage.record(event(a, 99, now - 86_400_000)); // a late event from yesterday
      await small.usage.flush();

      const routes = async (id: string) => (await small.usage.activity(id)).map((entry) => entry.route);
      expect(await routes(b)).toEqual(['/r4', '/r3', '/r2', '/r1', '/r0']);
      expect(await routes(a)).toEqual(['/r4', '/r3', '/r2', '/r1', '/r0']); // the late event was only counted
      const today = new Date(now).toISOString().slice(0, 10);
      const yesterday = new Date(now - 86_400_000).toISOString().slice(0, 10);
      expect(await small.usage.daily(b)).toEqual([{ day: today, requests: 12 }]);
      expect(await small.usage.daily(a)).toEqual([
        { day: yesterday, requests: 1 },
        { day: today, requests: 12 },
      ]);
      const listed = unwrap(await small.credentials.list(seed.ownerCaller, 'pat'));
      expect(listed.find((c) => c.id === a)?.lastUsedIp).toBe('10.0.0.11');
      await close();
    });

    it('counts a credential once per window however many meters arrive for it (rebuilt entry, cache off)', async () => {
      const { small, seed, close } = await smallWarden({});
      const id = unwrap(await small.credentials.createPat(seed.ownerCaller, { name: 'fresh' })).credential.id;
      const start = Date.now();
      // Each request brings a meter of its own, as a verification with the cache off does.
      for (let i = 0; i < 3; i++) small.usage.countAt(newUsageMeter(id), `10.0.0.${i}`, start + i);
      await small.usage.flush();
      expect((await small.usage.daily(id)).reduce((sum, d) => sum + d.requests, 0)).toBe(3);
      const [row] = unwrap(await small.credentials.list(seed.ownerCaller, 'pat'));
      expect(row?.lastUsedIp).toBe('10.0.0.2');
      expect(row?.lastUsedAt).toBe(new Date(start + 2).toISOString());
      await close();
    });

    it('rewrites last use once it moved a minute or came from another address', async () => {
      const { small, seed, close } = await smallWarden({});
      const id = unwrap(await small.credentials.createPat(seed.ownerCaller, { name: 'busy' })).credential.id;
      const start = Date.now();
      const lastUse = async () => {
        const [row] = unwrap(await small.credentials.list(seed.ownerCaller, 'pat'));
        return { at: row?.lastUsedAt, ip: row?.lastUsedIp };
      };
      // One meter throughout, as a cached credential's principal carries it.
      const meter = small.usage.meterOf(id);
      const use = async (offsetMs: number, ip: string) => {
        small.usage.countAt(meter, ip, start + offsetMs);
        await small.usage.flush();
        return lastUse();
      };
      const first = { at: new Date(start).toISOString(), ip: '10.0.0.1' };
      expect(await use(0, '10.0.0.1')).toEqual(first);
      // The same address within the minute: counted, but the stored last use stays.
      expect(await use(30_000, '10.0.0.1')).toEqual(first);
      // Another address is written at once; a minute later the same address is written again.
      expect(await use(40_000, '10.0.0.2')).toEqual({
        at: new Date(start + 40_000).toISOString(),
        ip: '10.0.0.2',
      });
      expect(await use(100_000, '10.0.0.2')).toEqual({
        at: new Date(start + 100_000).toISOString(),
        ip: '10.0.0.2',
      });
      expect((await small.usage.daily(id)).reduce((sum, d) => sum + d.requests, 0)).toBe(4);
      await close();
    });
  });
}
