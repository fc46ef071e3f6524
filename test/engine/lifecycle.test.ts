import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWarden, type Warden } from '../../src/warden/create-warden.js';
import { databaseTargets } from '../support/databases.js';
import { seedCompany, unwrap } from '../support/fixtures.js';

const DAY = 86_400_000;

for (const target of databaseTargets) {
  describe.skipIf(!target.available)(`credential lifecycle on ${target.name}`, () => {
    let warden: Warden;
    let drop: () => Promise<void>;
    let seed: Awaited<ReturnType<typeof seedCompany>>;

    beforeAll(async () => {
      const db = await target.create();
      drop = db.drop;
      warden = await createWarden({ databaseUrl: db.url, invalidation: 'local' });
      seed = await seedCompany(warden);
    });
    afterAll(async () => {
      await warden?.close();
      await drop?.();
    });

    const actions = async () =>
      (await warden.audit.list(seed.company.id, { limit: 500 })).map((e) => e.action);

    it('answers ids that are not UUIDs as not found, never with a database error', async () => {
      const owner = seed.ownerCaller;
      for (const id of ['nope', '', "1' or '1'='1", `${seed.owner.id}x`]) {
        expect(await warden.credentials.get(owner, id)).toMatchObject({ ok: false, code: 'not_found' });
        expect(await warden.credentials.revoke(owner, 'api_key', id)).toMatchObject({ code: 'not_found' });
        expect(await warden.credentials.roll(owner, 'pat', id)).toMatchObject({ code: 'not_found' });
        expect(await warden.credentials.setActive(owner, id, false)).toMatchObject({ code: 'not_found' });
        expect(await warden.credentials.consumeUsage(id)).toBeNull();
        expect(await warden.credentials.nextUsageRefill(id)).toBeNull();
        expect(await warden.directory.getCompany(id)).toBeNull();
        expect(await warden.directory.getUser(id, id)).toBeNull();
        expect(await warden.directory.listUsers(id)).toEqual([]);
        expect(await warden.directory.updateUser(owner, id, { givenName: 'X' })).toMatchObject({
          code: 'not_found',
        });
        expect(await warden.directory.deleteUser(owner, id)).toMatchObject({ code: 'not_found' });
        expect(await warden.invitations.create(owner, id)).toMatchObject({ code: 'not_found' });
        expect(await warden.usage.activity(id)).toEqual([]);
        expect(await warden.usage.daily(id)).toEqual([]);
        expect(await warden.audit.list(id)).toEqual([]);
      }
      // The audit cursor: past every id it pages nothing away; a fraction names no event.
      const all = await warden.audit.list(seed.company.id, { limit: 500 });
      expect(all.length).toBeGreaterThan(0);
      expect(await warden.audit.list(seed.company.id, { limit: 500, before: 1e30 })).toEqual(all);
      expect(await warden.audit.list(seed.company.id, { before: 1.5 })).toEqual([]);
    });

    it('issues PATs with presets, custom dates and never, showing the secret once', async () => {
      const caller = seed.callerOf(seed.member);
      const thirty = unwrap(await warden.credentials.createPat(caller, { name: 'thirty', expiresIn: '30d' }));
      expect(thirty.token.startsWith('rgo-')).toBe(true);
      expect(thirty.credential).toMatchObject({
        kind: 'pat',
        name: 'thirty',
        status: 'active',
        expiresLabel: 'Expires in 30 days',
      });
      expect(JSON.stringify(thirty.credential)).not.toContain(thirty.token.slice(16));
      expect(thirty.warning).toBeUndefined();

      const never = unwrap(
        await warden.credentials.createPat(caller, { name: 'forever', expiresIn: 'never' }),
      );
      expect(never.credential.expiresAt).toBeNull();
      expect(never.credential.expiresLabel).toBe('Never');
      expect(never.warning).toMatch(/not recommended/);

      const custom = new Date(Date.now() + 3 * DAY);
      const dated = unwrap(
        await warden.credentials.createPat(caller, { name: 'dated', expiresAt: custom.toISOString() }),
      );
      expect(dated.credential.expiresAt).toBe(custom.toISOString());

      const listed = unwrap(await warden.credentials.list(caller, 'pat'));
      expect(listed.map((c) => c.name).sort()).toEqual(['dated', 'forever', 'thirty']);
      for (const credential of listed) {
        expect(credential.maskedValue).toMatch(/^rgo-[0-9A-Za-z]{12}•+$/);
        expect(credential).not.toHaveProperty('secretHash');
      }
      // Other users see none of them.
      expect(
        unwrap(await warden.credentials.list(seed.ownerCaller, 'pat')).some((c) => c.name === 'thirty'),
      ).toBe(false);
    });

    it('refuses bad PAT input and leaves nothing behind', async () => {
      const caller = seed.callerOf(seed.admin);
      const before = unwrap(await warden.credentials.list(caller, 'pat')).length;
      const cases = [
        { name: '', expiresIn: '30d' as const },
        { name: '   ', expiresIn: '30d' as const },
        { name: 'x'.repeat(101), expiresIn: '30d' as const },
        { name: 'past', expiresAt: new Date(Date.now() - 1000).toISOString() },
        { name: 'garbage-date', expiresAt: 'tomorrow-ish' },
        { name: 'bad-scope', scopes: ['users:read', 'root'] },
        { name: 'bad-ip', ipAllowlist: ['300.1.1.1'] },
        { name: 'bad-rate', rateLimit: { limit: 0, windowSeconds: 60 } },
      ];
      for (const input of cases) {
        const result = await warden.credentials.createPat(caller, input);
        expect(result.ok, JSON.stringify(input)).toBe(false);
      }
      expect(unwrap(await warden.credentials.list(caller, 'pat')).length).toBe(before);
    });

    it('keeps PAT names unique among live tokens of one user', async () => {
      const caller = seed.callerOf(seed.admin);
      const first = unwrap(await warden.credentials.createPat(caller, { name: 'deploy' }));
      const clash = await warden.credentials.createPat(caller, { name: 'deploy' });
      expect(clash).toMatchObject({ ok: false, code: 'name_taken' });
      // Another user may use the same name.
      unwrap(await warden.credentials.createPat(seed.callerOf(seed.member), { name: 'deploy' }));
      // Concurrent creates with one name: exactly one wins.
      const racers = await Promise.all(
        Array.from({ length: 5 }, () => warden.credentials.createPat(caller, { name: 'race' })),
      );
      expect(racers.filter((r) => r.ok)).toHaveLength(1);
      // Once revoked, the name is free again.
      unwrap(await warden.credentials.revoke(caller, 'pat', first.credential.id));
      unwrap(await warden.credentials.createPat(caller, { name: 'deploy' }));
    });

    it('applies the company cap on PAT lifetime', async () => {
      const capped = await seedCompany(warden);
      unwrap(
        await warden.directory.updateCompany(capped.ownerCaller, { settings: { maxPatLifetimeDays: 60 } }),
      );
      expect(
        await warden.credentials.createPat(capped.ownerCaller, { name: 'a', expiresIn: 'never' }),
      ).toMatchObject({
        ok: false,
        code: 'expiry_not_allowed',
      });
      expect(
        await warden.credentials.createPat(capped.ownerCaller, { name: 'b', expiresIn: '90d' }),
      ).toMatchObject({
        ok: false,
        code: 'expiry_not_allowed',
      });
      unwrap(await warden.credentials.createPat(capped.ownerCaller, { name: 'c', expiresIn: '30d' }));
    });

    it('gates kinds by plan', async () => {
      const free = await seedCompany(warden, 'free');
      expect(await warden.credentials.createPat(free.ownerCaller, { name: 'p' })).toMatchObject({
        ok: false,
        code: 'plan_required',
      });
      const essentials = await seedCompany(warden, 'essentials');
      unwrap(await warden.credentials.createPat(essentials.ownerCaller, { name: 'p' }));
      expect(
        await warden.credentials.createApiKey(essentials.ownerCaller, { expiresInDays: 5 }),
      ).toMatchObject({
        ok: false,
        code: 'plan_required',
      });
    });

    it('issues API keys for 1–90 days to owners and admins only', async () => {
      for (const days of [0, 91, 1.5, -3, Number.NaN]) {
        expect(
          await warden.credentials.createApiKey(seed.ownerCaller, { expiresInDays: days }),
        ).toMatchObject({
          ok: false,
          code: 'validation_failed',
        });
      }
      expect(
        await warden.credentials.createApiKey(seed.callerOf(seed.member), { expiresInDays: 5 }),
      ).toMatchObject({
        ok: false,
        code: 'forbidden',
      });
      expect(await warden.credentials.list(seed.callerOf(seed.member), 'api_key')).toMatchObject({
        ok: false,
        code: 'forbidden',
      });
      const key = unwrap(
        await warden.credentials.createApiKey(seed.callerOf(seed.admin), { name: 'sync', expiresInDays: 90 }),
      );
      expect(key.token).toMatch(/^ak_live:[0-9a-f-]{36}:[0-9A-Za-z]{36}$/);
      expect(key.credential.maskedValue).toBe(`ak_live:${key.token.split(':')[1]}:••••••••`);
      expect(key.credential.expiresLabel).toBe('Expires in 90 days');
      const unnamed = unwrap(await warden.credentials.createApiKey(seed.ownerCaller, { expiresInDays: 1 }));
      expect(unnamed.credential.name).toBe('API key');
      const listed = unwrap(await warden.credentials.list(seed.ownerCaller, 'api_key'));
      expect(listed.map((c) => c.id)).toEqual(
        expect.arrayContaining([key.credential.id, unnamed.credential.id]),
      );
    });

    it('deactivates, activates and revokes with statuses and audit events', async () => {
      const key = unwrap(await warden.credentials.createApiKey(seed.ownerCaller, { expiresInDays: 3 }));
      const id = key.credential.id;
      expect(unwrap(await warden.credentials.setActive(seed.ownerCaller, id, false)).status).toBe(
        'deactivated',
      );
      expect(unwrap(await warden.credentials.setActive(seed.ownerCaller, id, true)).status).toBe('active');
      expect(unwrap(await warden.credentials.revoke(seed.ownerCaller, 'api_key', id)).status).toBe('revoked');
      expect(await warden.credentials.setActive(seed.ownerCaller, id, true)).toMatchObject({
        ok: false,
        code: 'conflict',
      });
      expect(await warden.credentials.roll(seed.ownerCaller, 'api_key', id)).toMatchObject({
        ok: false,
        code: 'conflict',
      });
      const log = await actions();
      for (const action of [
        'api_key.created',
        'api_key.deactivated',
        'api_key.activated',
        'api_key.revoked',
      ]) {
        expect(log).toContain(action);
      }
    });

    it('never lets one company touch another company’s credentials', async () => {
      const other = await seedCompany(warden);
      const key = unwrap(await warden.credentials.createApiKey(seed.ownerCaller, { expiresInDays: 3 }));
      const pat = unwrap(await warden.credentials.createPat(seed.ownerCaller, { name: 'mine' }));
      for (const result of [
        await warden.credentials.revoke(other.ownerCaller, 'api_key', key.credential.id),
        await warden.credentials.setActive(other.ownerCaller, key.credential.id, false),
        await warden.credentials.roll(other.ownerCaller, 'api_key', key.credential.id),
        await warden.credentials.revoke(other.ownerCaller, 'pat', pat.credential.id),
        await warden.credentials.get(other.ownerCaller, key.credential.id),
        // Inside the company, a PAT belongs to its owner alone.
        await warden.credentials.revoke(seed.callerOf(seed.admin), 'pat', pat.credential.id),
      ]) {
        expect(result).toMatchObject({ ok: false, code: 'not_found' });
      }
      expect(unwrap(await warden.credentials.list(other.ownerCaller, 'api_key'))).toEqual([]);
    });

    it('rolls with the same name, scopes and limits and an overlap never past the old expiry', async () => {
      const old = unwrap(
        await warden.credentials.createApiKey(seed.ownerCaller, {
          name: 'rollme',
          expiresInDays: 10,
          scopes: ['users:read'],
          rateLimit: { limit: 5, windowSeconds: 60 },
          ipAllowlist: ['127.0.0.1'],
        }),
      );
      const rolled = unwrap(
        await warden.credentials.roll(seed.ownerCaller, 'api_key', old.credential.id, 3600),
      );
      expect(rolled.token).not.toBe(old.token);
      expect(rolled.credential).toMatchObject({
        name: 'rollme',
        scopes: ['users:read'],
        rateLimit: { limit: 5, windowSeconds: 60 },
        ipAllowlist: ['127.0.0.1'],
        status: 'active',
      });
      expect(rolled.previous.replacedById).toBe(rolled.credential.id);
      const overlapEnd = Date.parse(rolled.previous.expiresAt ?? '');
      expect(Math.abs(overlapEnd - (Date.now() + 3600_000))).toBeLessThan(10_000);
      expect(await warden.credentials.roll(seed.ownerCaller, 'api_key', old.credential.id)).toMatchObject({
        ok: false,
        code: 'conflict',
      });

      const short = unwrap(
        await warden.credentials.createPat(seed.ownerCaller, {
          name: 'short',
          expiresAt: new Date(Date.now() + 60_000),
        }),
      );
      const next = unwrap(
        await warden.credentials.roll(seed.ownerCaller, 'pat', short.credential.id, 86_400),
      );
      expect(next.previous.expiresAt).toBe(short.credential.expiresAt);
      expect(await warden.credentials.roll(seed.ownerCaller, 'pat', next.credential.id, -1)).toMatchObject({
        ok: false,
        code: 'validation_failed',
      });
      expect(await actions()).toContain('pat.rolled');
    });

    it('creates companies transactionally and keeps emails unique', async () => {
      const email = `unique-${Date.now()}@example.test`;
      unwrap(await warden.directory.createCompany({ name: 'One', owner: { email } }));
      const again = await warden.directory.createCompany({
        name: 'Two',
        owner: { email: email.toUpperCase() },
      });
      expect(again).toMatchObject({ ok: false, code: 'email_taken' });
      expect(await warden.directory.findUserByEmail(email)).not.toBeNull();
      expect(
        await warden.directory.updateUser(seed.ownerCaller, seed.owner.id, { role: 'member' }),
      ).toMatchObject({
        ok: false,
        code: 'conflict',
      });
      expect(await warden.directory.deleteUser(seed.ownerCaller, seed.owner.id)).toMatchObject({
        ok: false,
        code: 'conflict',
      });
    });

    it('serves a warm user view without a query and sees updates and deletion at once', async () => {
      const other = await seedCompany(warden);
      const read = () => warden.directory.getUser(other.company.id, other.member.id);
      await read();
      const warm = warden.store.queryCount();
      for (let i = 0; i < 100; i++) await read();
      expect(warden.store.queryCount()).toBe(warm);
      expect(await warden.directory.getUser(seed.company.id, other.member.id)).toBeNull(); // other tenant

      unwrap(
        await warden.directory.updateUser(other.ownerCaller, other.member.id, { familyName: 'Changed' }),
      );
      expect((await read())?.familyName).toBe('Changed');
      unwrap(await warden.directory.deleteUser(other.ownerCaller, other.member.id));
      expect(await read()).toBeNull();
    });
  });
}
