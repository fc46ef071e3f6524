import { autocannon, type LoadResult, probeLatencies, quantile } from '../lib/autocannon.js';
import { withPostgres } from '../lib/databases.js';
import { type ChildServer, serveInChild } from '../lib/http-server.js';
import { median, ratios, sleep } from '../lib/measure.js';
import { type BenchOptions, type Line, ms, type RowResult, rate, ratio, roundsList } from '../lib/report.js';

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

interface Run extends LoadResult {
  /** CPU time the server's process used per request during the run (user + system), µs. */
  cpuPerRequest: number;
}

interface Figures {
  app: Run[];
  bare: Run[];
  /** Diagnostic: the bare route with Node's nextTick record shape held, as the app holds it. */
  bareHeld: Run[];
  /** Diagnostic: that route sending the app's own response headers too. */
  bareHeaders: Run[];
  lookup: Run[];
  /** How many response headers the app sets itself (the bare route sends none of them). */
  headerCount: number;
}

interface Settings {
  rounds: number;
  duration: number;
  warmUp: number;
  /** The app's warm-up: longer, see the comment where it runs. */
  appWarmUp: number;
}

async function measureHttp(databaseUrl: string, options: BenchOptions, settings: Settings): Promise<Figures> {
  const servers: ChildServer[] = [];
  try {
    // Each server is a process of its own, as in production (see bench/lib/http-server.ts).
    const app = await serveInChild({ kind: 'app', databaseUrl, rateLimit: RATE_LIMIT });
    servers.push(app);
    const headers = app.headers ?? {};
    // The baseline answers the very same JSON body from a constant.
    const bare = await serveInChild({ kind: 'bare', body: app.body });
    servers.push(bare);
    const bareHeld = await serveInChild({ kind: 'bare', body: app.body, holdTickShape: true });
    servers.push(bareHeld);
    const responseHeaders = app.responseHeaders ?? {};
    const bareHeaders = await serveInChild({
      kind: 'bare',
      body: app.body,
      holdTickShape: true,
      headers: responseHeaders,
    });
    servers.push(bareHeaders);
    const lookup = await serveInChild({ kind: 'lookup', databaseUrl });
    servers.push(lookup);

    // autocannon's load, and beside it one connection timing its own requests (the p99 figure).
    // Both child processes start first; the load begins at one agreed moment, once their start-up
    // (module loading) is over, and the probe samples only while the load runs.
    const run = async (server: ChildServer, duration: number): Promise<Run> => {
      const startAt = Date.now() + PROCESS_START_MS;
      let cpuBefore = Number.NaN;
      const [load, latencies] = await Promise.all([
        sleep(PROCESS_START_MS).then(() => {
          cpuBefore = server.cpuMicros();
          return autocannon(server.url, { connections: CONNECTIONS, durationSeconds: duration, headers });
        }),
        probeLatencies(server.url, headers, {
          startAt: startAt + LOAD_RAMP_MS,
          durationMs: duration * 1000 - 2 * LOAD_RAMP_MS,
        }),
      ]);
      const cpuPerRequest = (server.cpuMicros() - cpuBefore) / load.total;
      return { ...load, p99: quantile(latencies, 0.99), cpuPerRequest };
    };
    // Warm-up: until V8 has compiled what each server runs (the app has far more code than the
    // bare route and needs seconds of load for it), its connection pools, cache entry and limiter key.
    // The app gets longer: under this load V8 grows its young generation for about a minute, and
    // its CPU per request falls with it (from about 60 to about 30 µs in a probe on this machine,
    // where with a fixed 16 MB semi-space it was about 30 µs from the first second); the bare
    // servers allocate little and are flat after a few seconds. The rounds measure steady state.
    for (const server of servers) {
      const durationSeconds = server === app ? settings.appWarmUp : settings.warmUp;
      await autocannon(server.url, { connections: CONNECTIONS, durationSeconds, headers });
    }

    const figures: Figures = {
      app: [],
      bare: [],
      bareHeld: [],
      bareHeaders: [],
      lookup: [],
      headerCount: Object.keys(responseHeaders).length,
    };
    const variants = [
      { name: 'app' as const, server: app },
      { name: 'bare' as const, server: bare },
      { name: 'bareHeld' as const, server: bareHeld },
      { name: 'bareHeaders' as const, server: bareHeaders },
      { name: 'lookup' as const, server: lookup },
    ];
    for (let round = 0; round < settings.rounds; round++) {
      const order = round % 2 === 0 ? variants : [...variants].reverse();
      const line: string[] = [];
      for (const variant of order) {
        const result = await run(variant.server, settings.duration);
        figures[variant.name].push(result);
        line.push(
          `${variant.name} ${Math.round(result.requestsPerSecond)} req/s p99 ${result.p99.toFixed(3)} ms ` +
            `cpu ${result.cpuPerRequest.toFixed(1)} µs/req`,
        );
        if (result.non2xx > 0 || result.errors > 0) {
          throw new Error(`${variant.name}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
        }
      }
      options.log(`  round ${round + 1}: ${line.join(' | ')}`);
    }
    return figures;
  } finally {
    for (const server of servers.reverse()) await server.stop();
  }
}

const rps = (list: LoadResult[]) => list.map((r) => r.requestsPerSecond);

function linesFor(target: string, f: Figures): Line[] {
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
      what: `${target}, diagnostic: server CPU per request (user + system, the server's whole process)`,
      ours: `${median(f.app.map((r) => r.cpuPerRequest)).toFixed(1)} µs`,
      baseline: `${median(f.bare.map((r) => r.cpuPerRequest)).toFixed(1)} µs`,
      ratio: ratio(
        median(
          ratios(
            f.bare.map((r) => r.cpuPerRequest),
            f.app.map((r) => r.cpuPerRequest),
          ),
        ),
      ),
      goal: '—',
      status: 'report',
    },
    {
      what: `${target}, diagnostic: requests/s against the bare route with Node's \`nextTick\` record shape held (as ours holds it)`,
      ours: rate(median(rps(f.app)), ' req/s'),
      baseline: rate(median(rps(f.bareHeld)), ' req/s'),
      ratio: ratio(median(ratios(rps(f.app), rps(f.bareHeld)))),
      goal: '—',
      status: 'report',
    },
    {
      what: `${target}, diagnostic: requests/s against that route sending our ${f.headerCount} response headers too`,
      ours: rate(median(rps(f.app)), ' req/s'),
      baseline: rate(median(rps(f.bareHeaders)), ' req/s'),
      ratio: ratio(median(ratios(rps(f.app), rps(f.bareHeaders)))),
      goal: '—',
      status: 'report',
    },
    {
      what: `${target}, diagnostic: the bare route's requests/s when it sends our response headers`,
      ours: rate(median(rps(f.bareHeaders)), ' req/s'),
      baseline: rate(median(rps(f.bareHeld)), ' req/s'),
      ratio: ratio(median(ratios(rps(f.bareHeaders), rps(f.bareHeld)))),
      goal: '—',
      status: 'report',
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
  const cpu = (results: Run[]) => results.map((r) => r.cpuPerRequest.toFixed(1)).join(', ');
  return (
    `${target} per round, req/s — app: ${list(f.app)}; bare: ${list(f.bare)}; bare, shape held: ${list(f.bareHeld)}; ` +
    `bare with our headers: ${list(f.bareHeaders)}; lookup only: ${list(f.lookup)}. ` +
    `p99 ms — app: ${p99(f.app)}; bare: ${p99(f.bare)}; bare, shape held: ${p99(f.bareHeld)}; ` +
    `bare with our headers: ${p99(f.bareHeaders)}; lookup only: ${p99(f.lookup)}. ` +
    `Server CPU µs per request — app: ${cpu(f.app)}; bare: ${cpu(f.bare)}; bare, shape held: ${cpu(f.bareHeld)}; ` +
    `bare with our headers: ${cpu(f.bareHeaders)}; lookup only: ${cpu(f.lookup)}.`
  );
}

/** Row 2: the real server's `GET /v4/user/me` vs a bare Fastify route, autocannon on loopback. */
export async function httpRow(options: BenchOptions): Promise<RowResult> {
  const started = performance.now();
  const settings: Settings = options.quick
    ? { rounds: 2, duration: 1, warmUp: 2, appWarmUp: 3 }
    : { rounds: 5, duration: 3, warmUp: 8, appWarmUp: 45 };
  const lines: Line[] = [];
  const notes: string[] = [];

  options.log('  PGlite (memory://)');
  const pglite = await measureHttp('memory://', options, settings);
  lines.push(...linesFor('PGlite', pglite));
  notes.push(describe('PGlite', pglite));
  let postgres: Figures | null = null;
  if (options.postgresAdminUrl) {
    options.log('  PostgreSQL');
    postgres = await withPostgres(options.postgresAdminUrl, 'http', (url) =>
      measureHttp(url, options, settings),
    );
    lines.push(...linesFor('PostgreSQL', postgres));
    notes.push(describe('PostgreSQL', postgres));
  } else {
    notes.push('PostgreSQL was not reachable: its lines are skipped.');
  }

  if (lines.some((l) => l.status === 'missed')) {
    const shares = [pglite, ...(postgres ? [postgres] : [])].map((f) => ({
      headers: ratio(median(ratios(rps(f.bareHeaders), rps(f.bareHeld)))),
      ours: ratio(median(ratios(rps(f.app), rps(f.bareHeaders)))),
    }));
    const figures = (pick: (s: { headers: string; ours: string }) => string) => shares.map(pick).join(' / ');
    notes.push(
      '**Goal missed.** What limits it: on this 2-core machine the server process is the bottleneck for both servers' +
        ' (autocannon holds the other core), so requests/s follow CPU per request, the diagnostic line above. Two' +
        ' diagnostic lines split the gap. The response headers: ours sends ten that the bare route does not (the' +
        ' contract asks for five rate-limit headers and the expiry; the request id and three security headers are our' +
        ' posture), and the bare route sending the same ten, one `reply.header` each, keeps' +
        ` ${figures((x) => x.headers)} of its requests/s (PGlite / PostgreSQL): Fastify lower-cases each name and stores` +
        ' it with a megamorphic keyed access, Node.js validates each name and value with a regular expression and' +
        ` lower-cases it again. Against that route ours reaches ${figures((x) => x.ours)}: the cached verification with` +
        ' its SHA-256, the limiter, the metrics, the usage count, the two cache reads and the route hooks, each a few per' +
        ' cent; counted with `valgrind --tool=callgrind` in an earlier probe, ours ran about' +
        ' 122,000 user-space instructions per request and a bare route that holds the `nextTick` shape about 82,000.' +
        ' The kernel widens the gap: `perf record` of both servers under the same load (the kernel samples are exact' +
        ' on this VM, which has no hardware counters) put the server’s kernel time at about 16 µs per request for ours' +
        ' against 10.5 µs for the bare route with our headers, the difference mostly in waking autocannon from the' +
        ' loopback socket (`sock_def_readable`, 3.5 against 1.3 µs): the slower a server answers, the more often the' +
        ' client has gone idle and must be woken on another virtual CPU, which is dear on a VM. So every microsecond' +
        ' of user-space work saved is worth more than one. Fixed over the rounds: the `nextTick` shape held' +
        ' (159,000 → 134,000 instructions), the cached user view sent as JSON serialised once per view' +
        ' (`src/http/view-json.ts`, → 122,000), a warm request admitted synchronously with an in-memory fixed-window' +
        " limiter, metrics without prom-client's per-call label hashing, a cheap request-path clock, cookies parsed" +
        ' only where read, hooks attached per route, and most recently (found in a CPU profile against the bare route with our' +
        ' headers, then 10 alternated rounds of the new app against the previous one: 1.09× its requests/s, 34.5 against' +
        ' 40.8 µs of CPU per request): the caches read the request clock instead of arming a timer per cache per' +
        ' millisecond, the duration metric and the usage count run in `onSend` so that Fastify sets no response' +
        ' listeners, and request ids are a per-process tag and a counter instead of a `randomUUID` each. What remains is mostly what the contract puts in every answer and' +
        ' the cost of a SHA-256 per request; 0.80× would need the whole authenticated request, headers included,' +
        ' within a quarter of Node.js answering a constant.',
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
      'Fastify route answering the same JSON body (captured from the app) from a constant; a second one, for a diagnostic',
      "line, first keeps one of Node's `nextTick` records alive as the app does, and a third does that and also sends the",
      "app's own response headers, taken from its first answer (constant values, one `reply.header` each). Each server runs in a Node.js",
      'process of its own (`bench/lib/http-server.ts`), as a production server does: in one shared process V8 would tune',
      "the code they all run (Fastify's reply path, Node's HTTP and streams) for whichever ran before. autocannon runs in",
      `its own process, ${CONNECTIONS} connections, after a warm-up of ${settings.warmUp} s per bare server and ${settings.appWarmUp} s for the app (it has far`,
      'more code for V8 to compile, and under this load V8 grows its young generation for about a minute, its CPU per request falling',
      `with it: the rounds measure steady state); ${settings.rounds} alternated rounds of ${settings.duration} s per server. Server CPU per request is read from`,
      "`/proc/<pid>/stat` around each run (10 ms ticks) and covers the server's whole process.",
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
