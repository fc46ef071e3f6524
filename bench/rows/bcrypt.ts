import bcrypt from 'bcryptjs';
import { createWarden } from '../../src/warden/create-warden.js';
import { alternate, median, opsPerSecondAsync, opsPerSecondSync, ratios } from '../lib/measure.js';
import { COLD_CACHE, verifyNth, WARM_CACHE } from '../lib/paths.js';
import {
  type BenchOptions,
  installedVersion,
  type RowResult,
  rate,
  ratio,
  roundsList,
} from '../lib/report.js';
import { insertCredentials, seedCompany, warmAll } from '../lib/seed.js';
import { roundFigures } from './warm.js';

const COST = 10;
const KEYS = 16;

/**
 * Row 6: the design Keywarden avoids — each key stored as a bcrypt hash (cost 10), found by its
 * public id and checked with bcrypt on every request — vs ours, warm and cold.
 */
export async function bcryptRow(options: BenchOptions): Promise<RowResult> {
  const started = performance.now();
  const rounds = options.quick ? 3 : 5;
  const duration = options.quick ? 500 : 1500;
  const warden = await createWarden({ databaseUrl: 'memory://', invalidation: 'local', cache: WARM_CACHE });
  const cold = await createWarden({
    store: warden.store,
    migrate: false,
    invalidation: 'local',
    cache: COLD_CACHE,
  });
  try {
    const seed = await seedCompany(warden);
    const known = await insertCredentials(warden, seed, { count: 1000 });
    await warmAll(warden, known);
    const oursWarm = verifyNth(warden, known);
    const oursCold = verifyNth(cold, known);

    // The naive store: public id → bcrypt hash, in memory (generous: no database round trip at all).
    const naive = new Map<string, string>();
    const naiveKeys = known.slice(0, KEYS).map((k) => {
      const parsed = warden.formats.parse(k.token);
      if (parsed === null) throw new Error('unparseable token');
      naive.set(parsed.publicId, bcrypt.hashSync(k.token, COST));
      return { token: k.token, publicId: parsed.publicId };
    });
    const naiveCheck = (i: number) => {
      const key = naiveKeys[i % KEYS];
      const stored = key ? naive.get(key.publicId) : undefined;
      if (!key || stored === undefined || !bcrypt.compareSync(key.token, stored))
        throw new Error('bcrypt check failed');
      return stored;
    };

    const results = await alternate(
      [
        { name: 'bcrypt', run: async () => opsPerSecondSync(naiveCheck, duration, 1) },
        { name: 'ours warm', run: () => opsPerSecondAsync(oursWarm, duration) },
        { name: 'ours cold', run: () => opsPerSecondAsync(oursCold, duration) },
      ],
      rounds,
      { onRound: (round, f) => options.log(`  round ${round + 1}: ${JSON.stringify(f, roundFigures)}`) },
    );
    const naiveRates = results.bcrypt ?? [];
    const warm = results['ours warm'] ?? [];
    const coldRates = results['ours cold'] ?? [];
    return {
      id: 6,
      title: 'A naive design: bcrypt-hashed keys checked per request',
      method: [
        `The naive design stores each key as \`bcrypt(key, ${COST})\` (bcryptjs ${installedVersion('bcryptjs')}) and, per request, finds the hash by the`,
        'key’s public id — in a `Map`, which spares it any database round trip — and runs `bcrypt.compareSync`. Ours is the',
        'awaited `warden.verify()`, warm (cached) and cold (cache off, one PGlite query per verification), one call at a time.',
        `${rounds} alternated rounds of ${duration} ms (a bcrypt round completes only a handful of checks).`,
      ],
      lines: [
        {
          what: 'ours warm vs bcrypt per request',
          ours: rate(median(warm)),
          baseline: rate(median(naiveRates)),
          ratio: ratio(median(ratios(warm, naiveRates))),
          goal: 'report',
          status: 'report',
        },
        {
          what: 'ours cold (PGlite) vs bcrypt per request',
          ours: rate(median(coldRates)),
          baseline: rate(median(naiveRates)),
          ratio: ratio(median(ratios(coldRates, naiveRates))),
          goal: 'report',
          status: 'report',
        },
      ],
      notes: [
        'bcrypt is made to be slow, which is right for low-entropy passwords and wrong for random keys of ≥ 160 bits:' +
          ' every request pays the key-stretching, so one core checks only tens of keys per second, and an attacker flooding' +
          ' a public-id-guessing endpoint turns that cost into a denial of service. bcrypt also ignores everything past 72 bytes.' +
          ' Keywarden stores SHA-256 of the whole credential (NIST SP 800-63B §5.1.2.2).',
        `Per-round figures — bcrypt: ${roundsList(naiveRates, (v) => rate(v))}; ours warm: ${roundsList(warm, (v) => rate(v))}; ours cold: ${roundsList(coldRates, (v) => rate(v))}.`,
      ],
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await cold.close();
    await warden.close();
  }
}
