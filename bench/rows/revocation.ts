import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { createWarden, type Warden } from '../../src/warden/create-warden.js';
import { withPostgres } from '../lib/databases.js';
import { type BenchOptions, type Line, percent, type RowResult } from '../lib/report.js';
import { insertCredentials, type KnownCredential, type Seed, seedCompany } from '../lib/seed.js';

const WORKERS = 8;

/** Keeps the thread busy for `microseconds` (stands for request work between event-loop turns). */
function busy(microseconds: number): void {
  const end = performance.now() + microseconds / 1000;
  while (performance.now() < end) {
    // spin
  }
}

interface TrialResult {
  trials: number;
  refused: number;
  /** Trials whose credential was accepted after `revoke()` had resolved. */
  accepted: number;
  seconds: number;
}

/**
 * The plain trial, `WORKERS` at a time: verify (cold, then cached), verify again (warm),
 * revoke through the product's service, and the next verification must refuse it as revoked.
 */
async function plainTrials(
  warden: Warden,
  seed: Seed,
  known: readonly KnownCredential[],
): Promise<TrialResult> {
  const started = performance.now();
  let next = 0;
  let refused = 0;
  let accepted = 0;
  const worker = async () => {
    while (next < known.length) {
      const credential = known[next++];
      if (!credential) return;
      const request = { authorization: credential.authorization };
      const first = await warden.verify(request);
      const warm = await warden.verify(request);
      if (first.kind !== 'valid' || warm.kind !== 'valid')
        throw new Error(`not valid before revocation: ${warm.kind}`);
      const revoked = await warden.credentials.revoke(seed.ownerCaller, 'pat', credential.id);
      if (!revoked.ok) throw new Error(`revoke failed: ${revoked.code}`);
      const after = await warden.verify(request);
      if (after.kind === 'invalid' && after.reason === 'revoked') refused++;
      else accepted++;
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));
  return { trials: known.length, refused, accepted, seconds: (performance.now() - started) / 1000 };
}

/**
 * The racing trial, one at a time: the credential is not cached; `revoke()` starts, and after a
 * delay that sweeps 0–3.9 ms a verification starts while the revocation may still be in flight.
 * Once both have resolved, the next verification must refuse the credential.
 */
async function racingTrials(
  warden: Warden,
  seed: Seed,
  known: readonly KnownCredential[],
): Promise<TrialResult> {
  const started = performance.now();
  let refused = 0;
  let accepted = 0;
  for (let i = 0; i < known.length; i++) {
    const credential = known[i];
    if (!credential) continue;
    const request = { authorization: credential.authorization };
    const revoking = warden.credentials.revoke(seed.ownerCaller, 'pat', credential.id);
    // Sweep the start of the verification across the revocation: i % 40 turns of the event loop,
    // each followed by 50 µs of work, so it starts at every stage of the revoking transaction.
    for (let turn = 0; turn < i % 40; turn++) {
      await yieldToLoop();
      busy(50);
    }
    const racing = warden.verify(request);
    const [revoked] = await Promise.all([revoking, racing]);
    if (!revoked.ok) throw new Error(`revoke failed: ${revoked.code}`);
    const after = await warden.verify(request);
    if (after.kind === 'invalid' && after.reason === 'revoked') refused++;
    else accepted++;
  }
  return { trials: known.length, refused, accepted, seconds: (performance.now() - started) / 1000 };
}

async function onDatabase(url: string, counts: { plain: number; racing: number }) {
  const warden = await createWarden({ databaseUrl: url, invalidation: 'local' });
  try {
    const seed = await seedCompany(warden);
    const plainSet = await insertCredentials(warden, seed, { count: counts.plain });
    const racingSet =
      counts.racing > 0 ? await insertCredentials(warden, seed, { count: counts.racing }) : [];
    const plain = await plainTrials(warden, seed, plainSet);
    const racing = counts.racing > 0 ? await racingTrials(warden, seed, racingSet) : null;
    return { plain, racing };
  } finally {
    await warden.close();
  }
}

function line(what: string, result: TrialResult): Line {
  return {
    what,
    ours: `${result.refused.toLocaleString('en-US')} / ${result.trials.toLocaleString('en-US')} refused (${percent(result.refused / result.trials, 2)})`,
    baseline: '—',
    ratio: '—',
    goal: '100%',
    status: result.refused === result.trials ? 'met' : 'missed',
  };
}

/** Row 9: revocation seen by the next request on the same node. */
export async function revocationRow(options: BenchOptions): Promise<RowResult> {
  const started = performance.now();
  const pg = options.postgresAdminUrl;
  const lines: Line[] = [];
  const notes: string[] = [];
  const full = options.quick ? 1000 : 10_000;
  const racingCount = options.quick ? 1000 : 4000;

  // The 10,000 plain trials run where they are fast enough to fit the run (PostgreSQL); PGlite
  // runs a tenth as many (its revocation transaction is several times slower), or all without a server.
  const pgliteCounts = { plain: pg ? full / 10 : full, racing: options.quick ? 100 : 400 };
  options.log(`  PGlite: ${pgliteCounts.plain} plain + ${pgliteCounts.racing} racing trials`);
  const pglite = await onDatabase('memory://', pgliteCounts);
  lines.push(line('PGlite: revoke, then next request', pglite.plain));
  if (pglite.racing)
    lines.push(line('PGlite: revoke with a verification in flight, then next request', pglite.racing));
  notes.push(
    `PGlite: ${pglite.plain.trials} plain trials in ${pglite.plain.seconds.toFixed(1)} s` +
      (pglite.racing
        ? `; ${pglite.racing.trials} racing trials in ${pglite.racing.seconds.toFixed(1)} s.`
        : '.'),
  );

  let racingMissed = pglite.racing !== null && pglite.racing.accepted > 0;
  if (pg) {
    options.log(`  PostgreSQL: ${full} plain + ${racingCount} racing trials`);
    const postgres = await withPostgres(pg, 'revocation', (url) =>
      onDatabase(url, { plain: full, racing: racingCount }),
    );
    lines.push(line('PostgreSQL: revoke, then next request', postgres.plain));
    if (postgres.racing) {
      lines.push(
        line('PostgreSQL: revoke with a verification in flight, then next request', postgres.racing),
      );
      racingMissed ||= postgres.racing.accepted > 0;
    }
    notes.push(
      `PostgreSQL: ${postgres.plain.trials.toLocaleString('en-US')} plain trials in ${postgres.plain.seconds.toFixed(1)} s` +
        (postgres.racing
          ? `; ${postgres.racing.trials} racing trials in ${postgres.racing.seconds.toFixed(1)} s.`
          : '.'),
    );
  } else {
    notes.push('PostgreSQL was not reachable: its lines are skipped.');
  }

  if (racingMissed) {
    notes.push(
      '**Missed: a revocation can be undone by a verification that was in flight.** When a cold verification’s query reads' +
        ' the row before the revoking transaction commits but its result arrives after the revocation’s cache invalidation,' +
        ' `load()` in `src/auth/verifier.ts` stores the pre-revocation record with `cache.setCredential` *after*' +
        ' `cache.invalidateCredential` ran (invalidation only deletes what is already cached). The next requests — after' +
        ' `revoke()` has resolved — are then accepted from the cache until the entry’s TTL (60 s by default) or an eviction.' +
        ' On PostgreSQL the query and the transaction run on different pool connections, so the window is real; on PGlite' +
        ' the single connection serialises them and the race cannot happen.' +
        ' **Suggested fix (product):** give `VerificationCache` an invalidation generation (a counter bumped by every' +
        ' `invalidate*` and `clear`, or per credential id); `load()` reads it before `findByHash` and does not cache the' +
        ' result if it changed meanwhile (the in-flight request may still use it: it started before the revocation).',
    );
  }

  return {
    id: 9,
    title: 'Revocation seen by the next request on the same node',
    method: [
      'Credentials are created in bulk (inserted with product-generated tokens). *Plain* trial, 8 at a time: verify it',
      '(the first verification loads and caches it), verify again (served from the cache), revoke it through',
      '`warden.credentials.revoke` (the product’s service: transaction, audit event, cache invalidation), then the next',
      'verification must answer `invalid`/`revoked`. *Racing* trial, one at a time: start `revoke()`, start a verification',
      'of the not-yet-cached credential after 0–39 event-loop turns (swept, 50 µs of work each), wait for both, then the next',
      'verification — made after `revoke()` resolved — must refuse it.',
    ],
    lines,
    notes,
    seconds: (performance.now() - started) / 1000,
  };
}
