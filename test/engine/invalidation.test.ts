import { describe, expect, it } from 'vitest';
import { createWarden } from '../../src/warden/create-warden.js';
import { createPostgresDatabase, postgresAdminUrl } from '../support/databases.js';
import { seedCompany, unwrap } from '../support/fixtures.js';

describe.skipIf(postgresAdminUrl === null)('cross-node invalidation over PostgreSQL LISTEN/NOTIFY', () => {
  it('a revoke on one node is refused by another node that had the credential cached', async () => {
    const db = await createPostgresDatabase();
    const nodeA = await createWarden({ databaseUrl: db.url });
    const nodeB = await createWarden({ databaseUrl: db.url });
    try {
      const seed = await seedCompany(nodeA);
      const issued = unwrap(await nodeA.credentials.createPat(seed.ownerCaller, { name: 'shared' }));
      const request = { authorization: `Bearer ${issued.token}` };
      expect((await nodeB.verify(request)).kind).toBe('valid');
      await expect
        .poll(async () => {
          const before = nodeB.store.queryCount();
          expect((await nodeB.verify(request)).kind).toBe('valid');
          return nodeB.store.queryCount() - before;
        })
        .toBe(0);

      unwrap(await nodeA.credentials.revoke(seed.ownerCaller, 'pat', issued.credential.id));
      let outcome = await nodeB.verify(request);
      for (let i = 0; i < 50 && outcome.kind === 'valid'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        outcome = await nodeB.verify(request);
      }
      expect(outcome).toMatchObject({ kind: 'invalid', reason: 'revoked' });
    } finally {
      await nodeA.close();
      await nodeB.close();
      await db.drop();
    }
  });
  it('a user changed on one node is read fresh by another node that had it cached', async () => {
    const db = await createPostgresDatabase();
    const nodeA = await createWarden({ databaseUrl: db.url });
    const nodeB = await createWarden({ databaseUrl: db.url });
    try {
      const seed = await seedCompany(nodeA);
      const read = () => nodeB.directory.getUser(seed.company.id, seed.member.id);
      expect((await read())?.givenName).not.toBe('Renamed');
      // Notifications of the seeding may still be arriving (each one drops B's entries): wait
      // until a read is served from memory.
      await expect
        .poll(async () => {
          const before = nodeB.store.queryCount();
          await read();
          return nodeB.store.queryCount() - before;
        })
        .toBe(0);

      unwrap(await nodeA.directory.updateUser(seed.ownerCaller, seed.member.id, { givenName: 'Renamed' }));
      let seen = await read();
      for (let i = 0; i < 50 && seen?.givenName !== 'Renamed'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        seen = await read();
      }
      expect(seen?.givenName).toBe('Renamed');
    } finally {
      await nodeA.close();
      await nodeB.close();
      await db.drop();
    }
  });
});
