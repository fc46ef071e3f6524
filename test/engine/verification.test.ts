import { PGlite } from '@electric-sql/pglite';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookupsInFlight } from '../../src/store/credential-source.js';
import { createWarden, type Warden } from '../../src/warden/create-warden.js';
import { databaseTargets } from '../support/databases.js';
import { seedCompany, unwrap } from '../support/fixtures.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const bearer = (token: string) => `Bearer ${token}`;

for (const target of databaseTargets) {
  describe.skipIf(!target.available)(`verification on ${target.name}`, () => {
    let warden: Warden;
    let drop: () => Promise<void>;
    let seed: Awaited<ReturnType<typeof seedCompany>>;
    let memberPat: string;
    let apiKey: string;

    beforeAll(async () => {
      const db = await target.create();
      drop = db.drop;
      warden = await createWarden({ databaseUrl: db.url, invalidation: 'local' });
      seed = await seedCompany(warden);
      memberPat = unwrap(
        await warden.credentials.createPat(seed.callerOf(seed.member), { name: 'm', expiresIn: '30d' }),
      ).token;
      apiKey = unwrap(await warden.credentials.createApiKey(seed.ownerCaller, { expiresInDays: 30 })).token;
    });
    afterAll(async () => {
      await warden?.close();
      await drop?.();
    });

    it('answers missing, wrong scheme and malformed without a query', async () => {
      const before = warden.store.queryCount();
      expect(await warden.verify({ authorization: undefined })).toEqual({ kind: 'missing' });
      expect(await warden.verify({ authorization: '' })).toEqual({ kind: 'missing' });
      expect(await warden.verify({ authorization: `Basic ${memberPat}` })).toMatchObject({
        kind: 'invalid',
        reason: 'scheme',
      });
      expect(await warden.verify({ authorization: memberPat })).toMatchObject({
        kind: 'invalid',
        reason: 'scheme',
      });
      expect(await warden.verify({ authorization: `Bearer ${memberPat}x` })).toMatchObject({
        kind: 'invalid',
        reason: 'malformed',
      });
      expect(warden.store.queryCount()).toBe(before);
    });

    it('rejects any single-character change to a real credential with zero queries', async () => {
      const before = warden.store.queryCount();
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(memberPat, apiKey),
          fc.nat(),
          fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
          async (token, at, char) => {
            const index = at % token.length;
            fc.pre(token[index] !== char);
            const mutated = token.slice(0, index) + char + token.slice(index + 1);
            const outcome = await warden.verify({
              authorization: bearer(mutated),
              actingUserId: seed.member.id,
            });
            expect(outcome.kind).toBe('invalid');
          },
        ),
        { numRuns: 1000 },
      );
      expect(warden.store.queryCount()).toBe(before);
    });

    it('refuses a changed copy of a cached credential (same checksum, other body) with zero queries', async () => {
      // Once a credential is cached its checksum is known, so its copies are hashed before
      // their CRC32 is checked: they must still be refused without a lookup.
      expect((await warden.verify({ authorization: bearer(memberPat) })).kind).toBe('valid');
      expect(
        (await warden.verify({ authorization: bearer(apiKey), actingUserId: seed.member.id })).kind,
      ).toBe('valid');
      const before = warden.store.queryCount();
      for (const token of [memberPat, apiKey]) {
        const body = token.length - 6;
        for (let index = token.indexOf(':') + 1 || 4; index < body; index += 3) {
          const char = token[index] === 'A' ? 'B' : 'A';
          const mutated = token.slice(0, index) + char + token.slice(index + 1);
          const outcome = await warden.verify({
            authorization: bearer(mutated),
            actingUserId: seed.member.id,
          });
          expect(outcome).toMatchObject({ kind: 'invalid', reason: 'malformed' });
        }
      }
      expect(warden.store.queryCount()).toBe(before);
    });

    it('makes 1,000 warm verifications with zero database queries', async () => {
      const pat = await warden.verify({ authorization: bearer(memberPat) });
      expect(pat.kind).toBe('valid');
      const key = await warden.verify({ authorization: bearer(apiKey), actingUserId: seed.member.id });
      expect(key.kind).toBe('valid');
      const before = warden.store.queryCount();
      for (let i = 0; i < 500; i++) {
        expect((await warden.verify({ authorization: bearer(memberPat) })).kind).toBe('valid');
        expect(
          (await warden.verify({ authorization: bearer(apiKey), actingUserId: seed.member.id })).kind,
        ).toBe('valid');
      }
      expect(warden.store.queryCount()).toBe(before);
    });

    it('builds the principal: a PAT acts as its owner, an API key as the named user', async () => {
      const pat = await warden.verify({ authorization: bearer(memberPat) });
      expect(pat).toMatchObject({
        kind: 'valid',
        principal: { userId: seed.member.id, role: 'member', via: 'pat', companyId: seed.company.id },
      });
      const key = await warden.verify({
        authorization: bearer(apiKey),
        actingUserId: seed.admin.id.toUpperCase(),
      });
      expect(key).toMatchObject({
        kind: 'valid',
        principal: { userId: seed.admin.id, role: 'admin', via: 'api_key' },
      });
      const ownerDefault = await warden.verify({ authorization: bearer(apiKey), ownerDefault: true });
      expect(ownerDefault).toMatchObject({
        kind: 'valid',
        principal: { userId: seed.owner.id, role: 'owner' },
      });
    });

    it('applies the acting-user rules', async () => {
      expect(
        await warden.verify({ authorization: bearer(memberPat), actingUserId: seed.admin.id }),
      ).toMatchObject({
        kind: 'impersonation_forbidden',
      });
      expect(
        await warden.verify({ authorization: bearer(memberPat), actingUserId: seed.member.id }),
      ).toMatchObject({
        kind: 'valid',
      });
      expect(await warden.verify({ authorization: bearer(apiKey) })).toMatchObject({
        kind: 'acting_user_required',
      });
      expect(await warden.verify({ authorization: bearer(apiKey), actingUserId: '  ' })).toMatchObject({
        kind: 'acting_user_required',
      });
      const other = await seedCompany(warden);
      for (const actingUserId of [
        other.member.id,
        '00000000-0000-4000-8000-000000000000',
        'not-a-uuid',
        "1' or 1=1",
      ]) {
        expect(await warden.verify({ authorization: bearer(apiKey), actingUserId })).toMatchObject({
          kind: 'acting_user_not_in_company',
        });
      }
    });

    it('remembers unknown well-formed credentials so a flood costs one query', async () => {
      const unknown = warden.formats.generate('pat').token;
      const before = warden.store.queryCount();
      const outcomes = await Promise.all(
        Array.from({ length: 200 }, () => warden.verify({ authorization: bearer(unknown) })),
      );
      for (let i = 0; i < 100; i++) outcomes.push(await warden.verify({ authorization: bearer(unknown) }));
      expect(outcomes.every((o) => o.kind === 'invalid')).toBe(true);
      expect(warden.store.queryCount() - before).toBe(1);
    });

    it('sends cold lookups beyond those running as one statement and answers each from its own row', async () => {
      // One statement at a time on PGlite; on a server, as many as the pool has connections.
      const inFlight = lookupsInFlight(warden.store.client);
      expect(inFlight).toBe(warden.store.client instanceof PGlite ? 1 : 10);
      const pats = [];
      for (let i = 0; i < inFlight + 2; i++)
        pats.push(
          unwrap(
            await warden.credentials.createPat(seed.callerOf(seed.member), {
              name: `batch-${i}`,
              expiresIn: '30d',
            }),
          ),
        );
      const revoked = unwrap(
        await warden.credentials.createPat(seed.ownerCaller, { name: 'batch-revoked', expiresIn: '30d' }),
      );
      unwrap(await warden.credentials.revoke(seed.ownerCaller, 'pat', revoked.credential.id));
      const unknown = warden.formats.generate('pat').token;
      warden.cache.clear();
      const statements = warden.store.queryCount();
      const lookups = warden.store.lookupCount();
      const outcomes = await Promise.all([
        ...pats.map((pat) => warden.verify({ authorization: bearer(pat.token) })),
        warden.verify({ authorization: bearer(apiKey), ownerDefault: true }),
        warden.verify({ authorization: bearer(revoked.token) }),
        warden.verify({ authorization: bearer(unknown) }),
      ]);
      // The first lookups go out alone while statements are free; the rest wait and go as one.
      expect(warden.store.queryCount() - statements).toBe(inFlight + 1);
      expect(warden.store.lookupCount() - lookups).toBe(pats.length + 3);
      for (const [i, pat] of pats.entries())
        expect(outcomes[i]).toMatchObject({
          kind: 'valid',
          principal: { userId: seed.member.id, credential: { id: pat.credential.id } },
        });
      const [key, gone, stranger] = outcomes.slice(pats.length);
      expect(key).toMatchObject({
        kind: 'valid',
        principal: { userId: seed.owner.id, role: 'owner', via: 'api_key' },
      });
      expect(gone).toMatchObject({ kind: 'invalid', reason: 'revoked' });
      expect(stranger).toMatchObject({ kind: 'invalid', reason: 'unknown' });
      // One at a time, each lookup is a statement of its own.
      warden.cache.clear();
      const alone = warden.store.queryCount();
      for (const pat of pats)
        expect((await warden.verify({ authorization: bearer(pat.token) })).kind).toBe('valid');
      expect(warden.store.queryCount() - alone).toBe(pats.length);
    });

    it('refuses a revoked credential on the very next call', async () => {
      const issued = unwrap(
        await warden.credentials.createPat(seed.ownerCaller, { name: 'to-revoke', expiresIn: '30d' }),
      );
      expect((await warden.verify({ authorization: bearer(issued.token) })).kind).toBe('valid');
      unwrap(await warden.credentials.revoke(seed.ownerCaller, 'pat', issued.credential.id));
      expect(await warden.verify({ authorization: bearer(issued.token) })).toMatchObject({
        kind: 'invalid',
        reason: 'revoked',
      });
    });

    it('refuses a deactivated key on the next call and accepts it again once activated', async () => {
      const issued = unwrap(await warden.credentials.createApiKey(seed.ownerCaller, { expiresInDays: 5 }));
      const request = { authorization: bearer(issued.token), actingUserId: seed.member.id };
      expect((await warden.verify(request)).kind).toBe('valid');
      unwrap(await warden.credentials.setActive(seed.ownerCaller, issued.credential.id, false));
      expect(await warden.verify(request)).toMatchObject({ kind: 'deactivated' });
      unwrap(await warden.credentials.setActive(seed.ownerCaller, issued.credential.id, true));
      expect((await warden.verify(request)).kind).toBe('valid');
    });

    it('refuses a cached credential the moment it expires', async () => {
      const expiresAt = new Date(Date.now() + 1000);
      const issued = unwrap(
        await warden.credentials.createPat(seed.ownerCaller, { name: 'short', expiresAt }),
      );
      expect((await warden.verify({ authorization: bearer(issued.token) })).kind).toBe('valid');
      const queries = warden.store.queryCount();
      await sleep(expiresAt.getTime() - Date.now() + 5);
      expect(await warden.verify({ authorization: bearer(issued.token) })).toMatchObject({ kind: 'expired' });
      // It was answered from the cache: caching never extends a credential's life.
      expect(warden.store.queryCount()).toBe(queries);
    });

    it('sees a role change and a deleted acting user at once', async () => {
      const extra = unwrap(
        await warden.directory.createUser(seed.ownerCaller, { email: `x-${Date.now()}@example.test` }),
      );
      const pat = unwrap(
        await warden.credentials.createPat(
          { ...seed.ownerCaller, userId: extra.id, role: 'member' },
          { name: 'p' },
        ),
      );
      expect(await warden.verify({ authorization: bearer(pat.token) })).toMatchObject({
        principal: { role: 'member' },
      });
      expect(await warden.verify({ authorization: bearer(apiKey), actingUserId: extra.id })).toMatchObject({
        kind: 'valid',
      });
      unwrap(await warden.directory.updateUser(seed.ownerCaller, extra.id, { role: 'admin' }));
      expect(await warden.verify({ authorization: bearer(pat.token) })).toMatchObject({
        principal: { role: 'admin' },
      });
      unwrap(await warden.directory.deleteUser(seed.ownerCaller, extra.id));
      expect(await warden.verify({ authorization: bearer(pat.token) })).toMatchObject({ kind: 'invalid' });
      expect(await warden.verify({ authorization: bearer(apiKey), actingUserId: extra.id })).toMatchObject({
        kind: 'acting_user_not_in_company',
      });
    });

    it('refuses credentials the company plan no longer allows', async () => {
      const company = await seedCompany(warden, 'enterprise');
      const pat = unwrap(await warden.credentials.createPat(company.ownerCaller, { name: 'p' })).token;
      const key = unwrap(
        await warden.credentials.createApiKey(company.ownerCaller, { expiresInDays: 1 }),
      ).token;
      expect((await warden.verify({ authorization: bearer(key), ownerDefault: true })).kind).toBe('valid');
      unwrap(await warden.directory.updateCompany(company.ownerCaller, { plan: 'essentials' }));
      expect(await warden.verify({ authorization: bearer(key), ownerDefault: true })).toMatchObject({
        kind: 'plan_required',
      });
      expect((await warden.verify({ authorization: bearer(pat) })).kind).toBe('valid');
      unwrap(await warden.directory.updateCompany(company.ownerCaller, { plan: 'free' }));
      expect(await warden.verify({ authorization: bearer(pat) })).toMatchObject({ kind: 'plan_required' });
    });

    it('enforces an IP allow-list', async () => {
      const issued = unwrap(
        await warden.credentials.createApiKey(seed.ownerCaller, {
          expiresInDays: 1,
          ipAllowlist: ['10.1.0.0/16', '::1'],
        }),
      );
      const request = { authorization: bearer(issued.token), ownerDefault: true };
      expect((await warden.verify({ ...request, ip: '10.1.2.3' })).kind).toBe('valid');
      expect((await warden.verify({ ...request, ip: '::ffff:10.1.2.3' })).kind).toBe('valid');
      expect((await warden.verify({ ...request, ip: '::1' })).kind).toBe('valid');
      expect((await warden.verify({ ...request, ip: '10.2.0.1' })).kind).toBe('ip_not_allowed');
      expect((await warden.verify({ ...request, ip: undefined })).kind).toBe('ip_not_allowed');
    });

    it('keeps a rolled credential alive for the overlap, then refuses it and audits the reuse', async () => {
      const first = unwrap(
        await warden.credentials.createPat(seed.ownerCaller, { name: 'rolling', expiresIn: '90d' }),
      );
      const rolled = unwrap(await warden.credentials.roll(seed.ownerCaller, 'pat', first.credential.id, 1));
      expect((await warden.verify({ authorization: bearer(first.token) })).kind).toBe('valid');
      expect((await warden.verify({ authorization: bearer(rolled.token) })).kind).toBe('valid');
      await sleep(1100);
      expect(await warden.verify({ authorization: bearer(first.token) })).toMatchObject({
        kind: 'invalid',
        reason: 'rolled',
      });
      expect((await warden.verify({ authorization: bearer(rolled.token) })).kind).toBe('valid');
      await sleep(50);
      const log = await warden.audit.list(seed.company.id);
      expect(
        log.some((e) => e.action === 'credential.rolled_reuse' && e.credentialId === first.credential.id),
      ).toBe(true);

      const immediate = unwrap(
        await warden.credentials.roll(seed.ownerCaller, 'pat', rolled.credential.id, 0),
      );
      expect(await warden.verify({ authorization: bearer(rolled.token) })).toMatchObject({ kind: 'invalid' });
      expect((await warden.verify({ authorization: bearer(immediate.token) })).kind).toBe('valid');
    });

    it('lets a second warden on the same open store verify from the database too', async () => {
      // The first warden has been to the database (and prepared its statements there).
      warden.cache.clear();
      expect((await warden.verify({ authorization: bearer(memberPat) })).kind).toBe('valid');
      const second = await createWarden({ store: warden.store, migrate: false, invalidation: 'local' });
      try {
        const outcome = await second.verify({ authorization: bearer(memberPat), ip: '127.0.0.1' });
        expect(outcome).toMatchObject({ kind: 'valid', principal: { userId: seed.member.id } });
        const acting = await second.verify({
          authorization: bearer(apiKey),
          actingUserId: seed.member.id,
        });
        expect(acting).toMatchObject({ kind: 'valid', principal: { userId: seed.member.id } });
      } finally {
        await second.close();
      }
    });
  });
}
