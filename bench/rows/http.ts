import Fastify, { type FastifyInstance } from 'fastify';
import { createWarden } from '../../src/warden/create-warden.js';
import { autocannon, type LoadResult, probeLatencies, quantile } from '../lib/autocannon.js';
import { withPostgres } from '../lib/databases.js';
import { median, ratios, sleep } from '../lib/measure.js';
import {
  type BenchOptions,
  type Line,
  ms,
  type RowResult,
  rate,
  ratio,
  roundsList,
  skippedRow,
} from '../lib/report.js';
import { seedCompany } from '../lib/seed.js';

const TITLE = 'HTTP `GET /v4/user/me` with a warm PAT';
const RATE_GOAL = 0.8;
const P99_GOAL = 1.5;
const CONNECTIONS = 10;
/** Time given to the latency probe's process to load before the load starts. */
const PROCESS_START_MS = 1500;
/** The probe starts this long after the load and stops this long before its end. */
const LOAD_RAMP_MS = 300;
/** The highest per-credential limit the product accepts: the limiter runs on every request but never trips. */
const RATE_LIMIT = { limit: 1_000_000, windowSeconds: 60 };

type BuildApp = (options: {
  warden?: unknown;
  logger?: boolean;
  config?: Record<string, unknown>;
}) => Promise<FastifyInstance>;

/** The server app, if `src/http/app.ts` exports `buildApp` yet. */
async function loadBuildApp(): Promise<BuildApp | string> {
  const specifier = new URL('../../src/http/app.js', import.meta.url).href;
  try {
    const module: unknown = await import(specifier);
    if (
      module !== null &&
      typeof module === 'object' &&
      'buildApp' in module &&
      typeof module.buildApp === 'function'
    ) {
      return module.buildApp as BuildApp;
    }
    return '`src/http/app.ts` does not export `buildApp` yet';
  } catch (error) {
    return `\`src/http/app.ts\` could not be loaded (${String(error instanceof Error ? error.message : error).slice(0, 200)})`;
  }
}

async function listen(app: FastifyInstance, path: string): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return `http://127.0.0.1:${address.port}${path}`;
}

interface Figures {
  app: LoadResult[];
  bare: LoadResult[];
  lookup: LoadResult[];
}

async function measureHttp(
  buildApp: BuildApp,
  url: string,
  options: BenchOptions,
  settings: { rounds: number; duration: number },
): Promise<Figures> {
  const warden = await createWarden({ databaseUrl: url, invalidation: 'local' });
  const servers: FastifyInstance[] = [];
  try {
    const seed = await seedCompany(warden);
    const issued = await warden.credentials.createPat(seed.ownerCaller, {
      name: 'bench',
      expiresIn: '30d',
      rateLimit: RATE_LIMIT,
    });
    if (!issued.ok) throw new Error(`could not issue the PAT: ${issued.code}`);
    const headers = { authorization: `Bearer ${issued.value.token}` };

    const app = await buildApp({
      warden,
      logger: false,
      config: { DATABASE_URL: url, LOG_LEVEL: 'silent', DASHBOARD_ENABLED: false },
    });
    servers.push(app);
    const appUrl = await listen(app, '/v4/user/me');
    const first = await fetch(appUrl, { headers });
    const body: unknown = await first.json();
    if (first.status !== 200)
      throw new Error(`GET /v4/user/me answered ${first.status}: ${JSON.stringify(body)}`);

    // The baseline answers the very same JSON body from a constant.
    const bare = Fastify({ logger: false });
    bare.get('/v4/user/me', async () => body);
    servers.push(bare);
    const bareUrl = await listen(bare, '/v4/user/me');

    // Diagnostic: a bare route that only runs the handler's own user lookup (no authentication).
    const lookup = Fastify({ logger: false });
    lookup.get('/v4/user/me', async () => warden.directory.getUser(seed.company.id, seed.owner.id));
    servers.push(lookup);
    const lookupUrl = await listen(lookup, '/v4/user/me');

    // autocannon's load, and beside it one connection timing its own requests (the p99 figure).
    // Both child processes start first; the load begins at one agreed moment, once their start-up
    // (module loading) is over, and the probe samples only while the load runs.
    const run = async (target: string, duration: number): Promise<LoadResult> => {
      const startAt = Date.now() + PROCESS_START_MS;
      const [load, latencies] = await Promise.all([
        sleep(PROCESS_START_MS).then(() =>
          autocannon(target, { connections: CONNECTIONS, durationSeconds: duration, headers }),
        ),
        probeLatencies(target, headers, {
          startAt: startAt + LOAD_RAMP_MS,
          durationMs: duration * 1000 - 2 * LOAD_RAMP_MS,
        }),
      ]);
      return { ...load, p99: quantile(latencies, 0.99) };
    };
    // Warm-up: JIT, connection pools, the cache entry, the rate limiter's key.
    for (const target of [appUrl, bareUrl, lookupUrl]) await run(target, 1);

    const figures: Figures = { app: [], bare: [], lookup: [] };
    const variants = [
      { name: 'app' as const, target: appUrl },
      { name: 'bare' as const, target: bareUrl },
      { name: 'lookup' as const, target: lookupUrl },
    ];
    for (let round = 0; round < settings.rounds; round++) {
      const order = round % 2 === 0 ? variants : [...variants].reverse();
      const line: string[] = [];
      for (const variant of order) {
        const result = await run(variant.target, settings.duration);
        figures[variant.name].push(result);
        line.push(
          `${variant.name} ${Math.round(result.requestsPerSecond)} req/s p99 ${result.p99.toFixed(3)} ms`,
        );
        if (result.non2xx > 0 || result.errors > 0) {
          throw new Error(`${variant.name}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
        }
      }
      options.log(`  round ${round + 1}: ${line.join(' | ')}`);
    }
    return figures;
  } finally {
    for (const server of servers.reverse()) await server.close();
    await warden.close();
  }
}

function linesFor(target: string, f: Figures): Line[] {
  const rps = (list: LoadResult[]) => list.map((r) => r.requestsPerSecond);
  const p99 = (list: LoadResult[]) => list.map((r) => r.p99);
  const rateRatio = median(ratios(rps(f.app), rps(f.bare)));
  const p99Ratio = median(ratios(p99(f.app), p99(f.bare)));
  return [
    {
      what: `${target}: requests/s`,
      ours: rate(median(rps(f.app)), ' req/s'),
      baseline: rate(median(rps(f.bare)), ' req/s'),
      ratio: ratio(rateRatio),
      goal: `≥ ${RATE_GOAL.toFixed(2)}×`,
      status: rateRatio >= RATE_GOAL ? 'met' : 'missed',
    },
    {
      what: `${target}: p99 latency`,
      ours: ms(median(p99(f.app))),
      baseline: ms(median(p99(f.bare))),
      ratio: ratio(p99Ratio),
      goal: `≤ ${P99_GOAL.toFixed(1)}×`,
      status: p99Ratio <= P99_GOAL ? 'met' : 'missed',
    },
    {
      what: `${target}, diagnostic: bare route running only the handler's user lookup`,
      ours: rate(median(rps(f.lookup)), ' req/s'),
      baseline: rate(median(rps(f.bare)), ' req/s'),
      ratio: ratio(median(ratios(rps(f.lookup), rps(f.bare)))),
      goal: '—',
      status: 'report',
    },
  ];
}

function describe(target: string, f: Figures): string {
  const list = (results: LoadResult[]) =>
    roundsList(
      results.map((r) => r.requestsPerSecond),
      (v) => rate(v, ''),
    );
  const p99 = (results: LoadResult[]) => results.map((r) => r.p99.toFixed(3)).join(', ');
  return (
    `${target} per round, req/s — app: ${list(f.app)}; bare: ${list(f.bare)}; lookup only: ${list(f.lookup)}. ` +
    `p99 ms — app: ${p99(f.app)}; bare: ${p99(f.bare)}; lookup only: ${p99(f.lookup)}.`
  );
}

/** Row 2: the real server's `GET /v4/user/me` vs a bare Fastify route, autocannon on loopback. */
export async function httpRow(options: BenchOptions): Promise<RowResult> {
  const buildApp = await loadBuildApp();
  if (typeof buildApp === 'string') {
    return skippedRow(2, TITLE, `Skipped: ${buildApp}. The row runs as soon as it does.`);
  }
  const started = performance.now();
  const settings = { rounds: options.quick ? 2 : 3, duration: options.quick ? 1 : 3 };
  const lines: Line[] = [];
  const notes: string[] = [];

  options.log('  PGlite (memory://)');
  const pglite = await measureHttp(buildApp, 'memory://', options, settings);
  lines.push(...linesFor('PGlite', pglite));
  notes.push(describe('PGlite', pglite));
  if (options.postgresAdminUrl) {
    options.log('  PostgreSQL');
    const postgres = await withPostgres(options.postgresAdminUrl, 'http', (url) =>
      measureHttp(buildApp, url, options, settings),
    );
    lines.push(...linesFor('PostgreSQL', postgres));
    notes.push(describe('PostgreSQL', postgres));
  } else {
    notes.push('PostgreSQL was not reachable: its lines are skipped.');
  }

  if (lines.some((l) => l.status === 'missed')) {
    notes.push(
      '**Goal missed.** What limits it: the comparison is with a route that does nothing, and on this machine the' +
        " server's CPU is the bottleneck for both (autocannon holds the other core and itself needs about 50 µs per" +
        ' request). Measured around load runs with both servers in one process, as here: the bare route costs about' +
        ' 40 µs of CPU per request (user and system; the system part, about 15 µs, is the same for both), ours about' +
        ' 60 µs. Counted with `valgrind --tool=callgrind` (instructions, not seconds, so the noise of a shared machine' +
        ' drops out), the bare route runs about 115,000 user-space instructions per request and ours 175,000–240,000.' +
        ' Of the 60,000 or more, about 17,000 are the ten response headers the bare route does not send (the five' +
        ' rate-limit headers the contract asks for, the expiry, request id and three security headers: Fastify' +
        ' lower-cases each name, Node.js validates name and value with a regular expression each and builds the head),' +
        ' about 9,000 building and flattening strings, about 5,000 the response-schema serialiser, 3,000 SHA-256, and' +
        ' the rest a few hundred each: hooks, the cached verification, the rate limiter, metrics, the usage count. No' +
        ' single step is left to remove. Done: a warm request is admitted synchronously with an in-memory fixed-window' +
        " limiter (0.40× → 0.50×); metrics without prom-client's per-call label hashing, a cheap request-path clock," +
        ' cookies parsed only where read (0.50× → about 0.60×); the hooks are now attached per route, so no request looks' +
        ' up its route options and public routes skip authentication, cookies need no `onSend` step, and the rate-limit' +
        ' window and user view are found by ids already in memory (5,000–14,000 fewer instructions per request in the rounds' +
        ' counted, within the noise of the throughput figure). Reaching 0.80× would mean the whole authenticated request costing a' +
        ' quarter more than Node.js answering a constant, which the headers alone nearly use up.',
    );
  }

  return {
    id: 2,
    title: TITLE,
    method: [
      'The real server (`buildApp` from `src/http/app.ts`, logging off, dashboard off) listens on 127.0.0.1 on an ephemeral',
      'port over a warden on the given database, with rate limits and usage recording on as shipped. The PAT carries a',
      `per-key limit of ${RATE_LIMIT.limit.toLocaleString('en-US')} requests per ${RATE_LIMIT.windowSeconds} s (the highest the product accepts), so the`,
      'limiter runs on every request without tripping; every run is checked to have only 2xx answers. The baseline is a bare',
      'Fastify route answering the same JSON body (captured from the app) from a constant. autocannon runs in its own',
      `process, ${CONNECTIONS} connections, after a 1 s warm-up per server; ${settings.rounds} alternated rounds of ${settings.duration} s per server.`,
      'p99 is timed by the benchmark itself at microsecond resolution (autocannon reports whole milliseconds): one more',
      'keep-alive connection, in a process of its own (`bench/lib/latency-probe.ts`, so its client work never runs on the',
      "server's event loop), sends one request at a time with a 1 ms pause between them (a sampler that takes little CPU",
      'from the server it measures). Both child processes are started before the load, which begins at one agreed',
      `moment ${PROCESS_START_MS} ms later so that neither start-up overlaps the measurement; the probe samples from`,
      `${LOAD_RAMP_MS} ms after the load starts to ${LOAD_RAMP_MS} ms before it ends, and the 99th percentile of its round trips is reported.`,
    ],
    lines,
    notes,
    seconds: (performance.now() - started) / 1000,
  };
}
