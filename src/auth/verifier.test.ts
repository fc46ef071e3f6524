import { describe, expect, it } from 'vitest';
import { createFormats } from '../credentials/format.js';
import { hashCredential } from '../credentials/hash.js';
import type { CredentialRecord, CredentialSource } from './credential-source.js';
import { VerificationCache } from './verification-cache.js';
import { createVerifier } from './verifier.js';

/**
 * A source whose lookups read the row at once (as a database snapshot would) but answer only
 * when released, so a test can change the row while a cold load is in flight.
 */
function pausableSource(record: CredentialRecord) {
  const rows = new Map<string, CredentialRecord>();
  const held: Array<() => void> = [];
  let reads = 0;
  const source: CredentialSource = {
    async findByHash(hash) {
      reads++;
      const snapshot = rows.get(hash);
      const copy = snapshot ? { ...snapshot } : null;
      await new Promise<void>((resolve) => held.push(resolve));
      return copy;
    },
    async findMembership() {
      return null;
    },
  };
  return {
    source,
    put: (hash: string) => rows.set(hash, record),
    revoke: (hash: string) => rows.set(hash, { ...record, state: 'revoked' }),
    release: () => {
      for (const resolve of held.splice(0)) resolve();
    },
    reads: () => reads,
  };
}

const formats = createFormats();
const record = (id: string, publicId: string): CredentialRecord => ({
  id,
  kind: 'pat',
  publicId,
  companyId: 'c1',
  plan: 'enterprise',
  companyOwnerId: 'u1',
  companyRateLimit: null,
  ownerUserId: 'u1',
  ownerRole: 'owner',
  scopes: null,
  expiresAt: null,
  state: 'active',
  replaced: false,
  ipAllowlist: null,
  rateLimit: null,
  limitedUsage: false,
});

describe('verifier under concurrent invalidation', () => {
  it('never caches a row read before a revoke that landed while the query was in flight', async () => {
    const issued = formats.generate('pat');
    const hash = hashCredential(issued.token);
    const db = pausableSource(record('cred-1', issued.publicId));
    db.put(hash);
    const cache = new VerificationCache();
    const verifier = createVerifier({ formats, source: db.source, cache });
    const request = { authorization: `Bearer ${issued.token}` };

    const early = verifier.verify(request); // reads the active row, then waits
    await Promise.resolve();
    db.revoke(hash);
    cache.invalidateCredential('cred-1'); // what the revoke transaction does after commit
    const late = verifier.verify(request); // arrived after the revoke: must not join `early`
    await Promise.resolve();
    db.release();
    await new Promise((resolve) => setImmediate(resolve));
    db.release();

    expect((await early).kind).toBe('valid'); // it started before the revoke finished
    expect(await late).toMatchObject({ kind: 'invalid', reason: 'revoked' });
    expect(db.reads()).toBe(2);

    const next = verifier.verify(request);
    await new Promise((resolve) => setImmediate(resolve));
    db.release();
    expect(await next).toMatchObject({ kind: 'invalid', reason: 'revoked' });
  });

  it('still shares one query among concurrent cold lookups when nothing changed', async () => {
    const issued = formats.generate('pat');
    const hash = hashCredential(issued.token);
    const db = pausableSource(record('cred-2', issued.publicId));
    db.put(hash);
    const verifier = createVerifier({ formats, source: db.source });
    const request = { authorization: `Bearer ${issued.token}` };

    const all = Array.from({ length: 50 }, () => verifier.verify(request));
    await new Promise((resolve) => setImmediate(resolve));
    db.release();
    for (const outcome of await Promise.all(all)) expect(outcome.kind).toBe('valid');
    expect(db.reads()).toBe(1);
    expect(verifier.verifyFromCache(request)?.kind).toBe('valid');
  });

  it('answers each of many concurrent cold credentials from its own row, sharing only within one', async () => {
    // More distinct credentials in flight than the verifier's table of lookups has slots (1,024),
    // so some share a slot: each must still get its own row, and duplicates still share a query.
    const issued = Array.from({ length: 2500 }, () => formats.generate('pat'));
    const db = pausableSource(record('unused', 'unused'));
    const rows = new Map(issued.map((token, i) => [hashCredential(token.token), `cred-${i}`]));
    const source: CredentialSource = {
      async findByHash(hash) {
        const id = rows.get(hash);
        return db.source.findByHash(hash).then(() => (id === undefined ? null : record(id, 'p')));
      },
      findMembership: db.source.findMembership,
    };
    const verifier = createVerifier({ formats, source });
    const verify = (token: string | undefined) => verifier.verify({ authorization: `Bearer ${token}` });
    // The same credential again while its lookup holds its slot: it shares that lookup.
    const [first, again] = [verify(issued[0]?.token), verify(issued[0]?.token)];
    const all = [first, ...issued.slice(1).map((token) => verify(token.token))];
    await new Promise((resolve) => setImmediate(resolve));
    db.release();
    const outcomes = await Promise.all(all);
    for (const [i, outcome] of outcomes.entries())
      expect(outcome).toMatchObject({ kind: 'valid', principal: { credential: { id: `cred-${i}` } } });
    expect(await again).toBe(outcomes[0]);
    expect(db.reads()).toBe(issued.length);
  });

  it('hands a failed lookup to every request that shared it, and the next request asks again', async () => {
    const issued = formats.generate('pat');
    const hash = hashCredential(issued.token);
    let reads = 0;
    let failing = true;
    const source: CredentialSource = {
      async findByHash(digest) {
        reads++;
        await new Promise((resolve) => setImmediate(resolve));
        if (failing) throw new Error('connection lost');
        return digest === hash ? record('cred-3', issued.publicId) : null;
      },
      async findMembership() {
        return null;
      },
    };
    const verifier = createVerifier({ formats, source });
    const request = { authorization: `Bearer ${issued.token}` };

    const shared = await Promise.allSettled([verifier.verify(request), verifier.verify(request)]);
    expect(shared.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(reads).toBe(1);

    failing = false;
    expect((await verifier.verify(request)).kind).toBe('valid');
    expect(reads).toBe(2);
  });
});
