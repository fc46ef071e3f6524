import { describe, expect, it } from 'vitest';
import type { CredentialRecord } from '../auth/credential-source.js';
import { batchedByHash } from './credential-source.js';

/** A lookup the test answers by hand, so it decides when each statement finishes. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

const hash = (n: number) => n.toString(16).padStart(64, '0');
const record = (n: number) => ({ id: `credential-${n}` }) as unknown as CredentialRecord;

function harness(inFlight: number) {
  const counts = { statements: 0, lookups: 0 };
  const singles: { hash: string; answer: ReturnType<typeof deferred<CredentialRecord | null>> }[] = [];
  const batches: {
    hashes: readonly string[];
    answer: ReturnType<typeof deferred<Map<string, CredentialRecord>>>;
  }[] = [];
  const find = batchedByHash(
    {
      noteStatement() {
        counts.statements++;
      },
      noteLookups(n: number) {
        counts.lookups += n;
      },
    },
    inFlight,
    (one) => {
      const answer = deferred<CredentialRecord | null>();
      singles.push({ hash: one, answer });
      return answer.promise;
    },
    (hashes) => {
      const answer = deferred<Map<string, CredentialRecord>>();
      batches.push({ hashes, answer });
      return answer.promise;
    },
  );
  return { find, counts, singles, batches };
}

describe('batchedByHash', () => {
  it('sends lookups alone while a statement is free, and those that waited as one statement', async () => {
    const h = harness(2);
    const results = [1, 2, 3, 4, 5].map((n) => h.find(hash(n)));
    expect(h.singles.map((s) => s.hash)).toEqual([hash(1), hash(2)]);
    expect(h.batches).toHaveLength(0);
    h.singles[0]?.answer.resolve(record(1));
    await results[0];
    // The freed statement takes everything that waited, in one batch.
    expect(h.batches.map((b) => b.hashes)).toEqual([[hash(3), hash(4), hash(5)]]);
    h.singles[1]?.answer.resolve(null);
    h.batches[0]?.answer.resolve(
      new Map([
        [hash(3), record(3)],
        [hash(5), record(5)],
      ]),
    );
    expect(await Promise.all(results)).toEqual([record(1), null, record(3), null, record(5)]);
    expect(h.counts).toEqual({ statements: 3, lookups: 5 });
  });

  it('fails every lookup of a failed statement, and keeps serving the next ones', async () => {
    const h = harness(1);
    const first = h.find(hash(1));
    const waiting = [h.find(hash(2)), h.find(hash(3))];
    h.singles[0]?.answer.resolve(record(1));
    await first;
    h.batches[0]?.answer.reject(new Error('connection lost'));
    for (const lookup of waiting) await expect(lookup).rejects.toThrow('connection lost');
    // The failed statement gave its slot back.
    const after = h.find(hash(4));
    expect(h.singles.map((s) => s.hash)).toEqual([hash(1), hash(4)]);
    h.singles[1]?.answer.resolve(record(4));
    expect(await after).toEqual(record(4));
  });

  it('answers anything but a hex digest as unknown without a statement', async () => {
    const h = harness(1);
    expect(await h.find('not-a-digest')).toBeNull();
    expect(await h.find(hash(1).toUpperCase().replace(/0/g, 'G'))).toBeNull();
    expect(h.counts).toEqual({ statements: 0, lookups: 0 });
  });
});
