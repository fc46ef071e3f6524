import { randomBytes } from 'node:crypto';
import { apiKey } from '@better-auth/api-key';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import pg from 'pg';
import { createWarden } from '../../src/warden/create-warden.js';
import { withPostgres } from '../lib/databases.js';
import { alternate, median, opsPerSecondAsync, ratios } from '../lib/measure.js';
import { COLD_CACHE, verifyNth, WARM_CACHE } from '../lib/paths.js';
import {
  type BenchOptions,
  installedVersion,
  type RowResult,
  rate,
  ratio,
  roundsList,
  skippedRow,
} from '../lib/report.js';
import { insertCredentials, seedCompany, warmAll } from '../lib/seed.js';
import { COLD_CONCURRENCY } from './cold.js';
import { roundFigures } from './warm.js';

const GOAL = 20;
const KEYS = 100;

/** better-auth with only the API-key plugin, database storage, its rate limit off. */
function createBetterAuth(pool: pg.Pool) {
  return betterAuth({
    database: pool,
    secret: randomBytes(32).toString('hex'),
    baseURL: 'http://127.0.0.1:3000',
    logger: { disabled: true },
    telemetry: { enabled: false },
    plugins: [apiKey({ storage: 'database', rateLimit: { enabled: false } })],
  });
}

/** Row 5: better-auth's `verifyApiKey` vs our warm and cold verification, same PostgreSQL server. */
export async function betterAuthRow(options: BenchOptions): Promise<RowResult> {
  const title = "better-auth's API-key plugin (`@better-auth/api-key`)";
  const admin = options.postgresAdminUrl;
  if (admin === null)
    return skippedRow(5, title, 'PostgreSQL was not reachable: this row needs it and is skipped.');
  const started = performance.now();
  const rounds = options.quick ? 3 : 5;
  const duration = options.quick ? 500 : 2000;

  return withPostgres(admin, 'betterauth', (theirsUrl) =>
    withPostgres(admin, 'ours', async (oursUrl) => {
      const pool = new pg.Pool({ connectionString: theirsUrl, max: 10 });
      pool.on('error', () => {});
      const warm = await createWarden({ databaseUrl: oursUrl, invalidation: 'local', cache: WARM_CACHE });
      const cold = await createWarden({ databaseUrl: oursUrl, invalidation: 'local', cache: COLD_CACHE });
      try {
        // better-auth: its own tables through its own migration planner, one user, KEYS keys.
        const auth = createBetterAuth(pool);
        const { runMigrations, toBeCreated } = await getMigrations(auth.options);
        await runMigrations();
        options.log(`  better-auth tables: ${toBeCreated.map((t) => t.table).join(', ')}`);
        await pool.query(
          `insert into "user" (id, name, email, "emailVerified", "createdAt", "updatedAt")
           values ('bench-user', 'Bench', 'bench@bench.test', true, now(), now())`,
        );
        const theirKeys: string[] = [];
        for (let i = 0; i < KEYS; i++) {
          const created = await auth.api.createApiKey({
            body: { userId: 'bench-user', expiresIn: 30 * 86_400 },
          });
          theirKeys.push(created.key);
        }
        const probe = await auth.api.verifyApiKey({ body: { key: theirKeys[0] ?? '' } });
        if (!probe.valid)
          throw new Error(`better-auth did not verify its own key: ${JSON.stringify(probe.error)}`);
        const theirs = async (i: number) => {
          const result = await auth.api.verifyApiKey({ body: { key: theirKeys[i % KEYS] ?? '' } });
          if (!result.valid)
            throw new Error(`better-auth verification failed: ${JSON.stringify(result.error)}`);
          return result;
        };

        // Ours: the same number of Platform API keys (acting as the company owner, as on GET /v4/user/me).
        const seed = await seedCompany(warm);
        const known = await insertCredentials(warm, seed, { count: KEYS, kind: 'api_key' });
        await warmAll(warm, known, { ownerDefault: true });
        const oursWarm = verifyNth(warm, known, { ownerDefault: true });
        const oursCold = verifyNth(cold, known, { ownerDefault: true });

        const results = await alternate(
          [
            { name: 'better-auth', run: () => opsPerSecondAsync(theirs, duration, COLD_CONCURRENCY) },
            { name: 'ours warm', run: () => opsPerSecondAsync(oursWarm, duration, COLD_CONCURRENCY) },
            { name: 'ours cold', run: () => opsPerSecondAsync(oursCold, duration, COLD_CONCURRENCY) },
          ],
          rounds,
          { onRound: (round, f) => options.log(`  round ${round + 1}: ${JSON.stringify(f, roundFigures)}`) },
        );
        const ba = results['better-auth'] ?? [];
        const ow = results['ours warm'] ?? [];
        const oc = results['ours cold'] ?? [];
        const warmRatio = median(ratios(ow, ba));
        const coldRatio = median(ratios(oc, ba));
        return {
          id: 5,
          title,
          method: [
            `better-auth ${installedVersion('better-auth')} with \`@better-auth/api-key\` ${installedVersion('@better-auth/api-key')} in database storage mode (\`storage: 'database'\`),`,
            'its rate limit off (`rateLimit: { enabled: false }`), on its own fresh PostgreSQL database whose tables its own',
            '`getMigrations(…).runMigrations()` created, through a `pg.Pool` of 10. It verifies with',
            '`auth.api.verifyApiKey({ body: { key } })`, cycling over',
            `${KEYS} keys it issued. Ours: ${KEYS} Platform API keys on another fresh database on the same server, acting as the company`,
            'owner (as on `GET /v4/user/me`), through `warden.verify()` — warm (cached) and cold (cache off, one query per',
            `verification, see row 3). All three keep ${COLD_CONCURRENCY} calls in flight; ${rounds} alternated rounds of ${duration} ms.`,
          ],
          lines: [
            {
              what: 'ours warm vs better-auth `verifyApiKey`',
              ours: rate(median(ow)),
              baseline: rate(median(ba)),
              ratio: ratio(warmRatio),
              goal: `≥ ${GOAL}×`,
              status: warmRatio >= GOAL ? 'met' : 'missed',
            },
            {
              what: 'ours cold vs better-auth `verifyApiKey`',
              ours: rate(median(oc)),
              baseline: rate(median(ba)),
              ratio: ratio(coldRatio),
              goal: 'report',
              status: 'report',
            },
          ],
          notes: [
            'Why better-auth is slower even than our cold path: in database mode every `verifyApiKey` reads the key row and then' +
              ' writes it twice — `consumeRateLimit` still stores `lastRequest` when the rate limit is off, and `claimUsageInDatabase`' +
              ' stores `updatedAt` (see `validateApiKey` in `node_modules/@better-auth/api-key/dist/index.mjs`). Three statements,' +
              ' two of them row updates, per verification, and no cache. Ours reads once when cold and not at all when warm,' +
              ' and records usage off the request path in batches.',
            `Per-round figures — better-auth: ${roundsList(ba, (v) => rate(v))}; ours warm: ${roundsList(ow, (v) => rate(v))}; ours cold: ${roundsList(oc, (v) => rate(v))}.`,
          ],
          seconds: (performance.now() - started) / 1000,
        };
      } finally {
        await cold.close();
        await warm.close();
        await pool.end();
      }
    }),
  );
}
