/**
 * `npm run bench`: measures every figure of the benchmark issue side by side with its baseline
 * and writes docs/benchmarks.md.
 *
 *   npm run bench                   all rows, rewrites docs/benchmarks.md
 *   npm run bench -- --only 1,4     some rows (printed, page not rewritten unless --write)
 *   npm run bench -- --quick        short smoke run (printed, page not rewritten unless --write)
 *
 * Each row runs in a Node.js process of its own (this file again, with `--row N`), so no row
 * measures code that V8 optimised, or memory that was filled, for another row's workload. Within
 * a row, ours and its baseline share one process, side by side.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { findPostgres, postgresVersion } from './lib/databases.js';
import { collectGarbage } from './lib/measure.js';
import { type BenchOptions, bytes, type RowResult, renderPage, skippedRow } from './lib/report.js';
import { bcryptRow } from './rows/bcrypt.js';
import { betterAuthRow } from './rows/better-auth.js';
import { coldRow } from './rows/cold.js';
import { httpRow } from './rows/http.js';
import { malformedRow } from './rows/malformed.js';
import { revocationRow } from './rows/revocation.js';
import { scaleRow } from './rows/scale.js';
import { usageRow } from './rows/usage.js';
import { warmRow } from './rows/warm.js';

const ROWS: { id: number; title: string; run: (options: BenchOptions) => Promise<RowResult> }[] = [
  { id: 1, title: 'In-process warm verification', run: warmRow },
  { id: 2, title: 'HTTP `GET /v4/user/me` with a warm PAT', run: httpRow },
  { id: 3, title: 'Cold verification (cache off)', run: coldRow },
  { id: 4, title: 'Rejection of malformed credentials', run: malformedRow },
  { id: 5, title: "better-auth's API-key plugin", run: betterAuthRow },
  { id: 6, title: 'A naive design: bcrypt-hashed keys', run: bcryptRow },
  { id: 7, title: '1,000,000 stored credentials', run: scaleRow },
  { id: 8, title: 'Usage recording on vs off', run: usageRow },
  { id: 9, title: 'Revocation seen by the next request', run: revocationRow },
];

const GOALS = `| # | what | baseline in the same run | goal |
|---|---|---|---|
| 1 | in-process warm verification | raw \`sha256(token)\` + \`Map.get\` | ≥ 0.60 of the baseline's rate |
| 2 | HTTP \`GET /v4/user/me\` with a warm PAT, rate limits and usage on (autocannon, loopback) | a bare Fastify route returning a similar body | ≥ 0.80 of its requests/s; p99 ≤ 1.5× |
| 3 | cold verification (cache off) on PGlite and on PostgreSQL | a raw indexed \`SELECT … WHERE hash = $1\` on the same database | ≥ 0.80 |
| 4 | rejection of malformed credentials | — | ≥ 1,000,000/s in-process, 0 queries |
| 5 | better-auth's API-key plugin (\`@better-auth/api-key\`), same PostgreSQL, its rate limit off, database mode | our warm and cold verification | ours ≥ 20× its throughput warm; report cold |
| 6 | a naive design: bcrypt-hashed keys checked per request | ours | report the ratio |
| 7 | 1,000,000 stored credentials | 1,000 stored | warm and cold within 10%; memory per cached credential reported |
| 8 | usage recording on vs off | off | ≤ 10% throughput cost |
| 9 | revocation seen by the next request on the same node | — | 100% of 10,000 trials |`;

/** Runs one row in a fresh process (see the top of this file) and returns what it measured. */
async function runInOwnProcess(id: number, quick: boolean): Promise<RowResult> {
  const dir = mkdtempSync(join(tmpdir(), 'keywarden-bench-'));
  const file = join(dir, 'row.json');
  try {
    const args = [
      ...process.execArgv,
      fileURLToPath(import.meta.url),
      '--row',
      String(id),
      '--result',
      file,
      ...(quick ? ['--quick'] : []),
    ];
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, args, { stdio: 'inherit' });
      child.on('error', reject);
      child.on('exit', resolve);
    });
    if (code !== 0) throw new Error(`the row's process exited with code ${code}`);
    return JSON.parse(readFileSync(file, 'utf8')) as RowResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `--row N --result FILE`: measures one row in this process and writes its result as JSON. */
async function runRow(id: number, file: string, quick: boolean): Promise<void> {
  const row = ROWS.find((candidate) => candidate.id === id);
  if (row === undefined) throw new Error(`no row ${id}`);
  collectGarbage();
  const result = await row.run({ quick, postgresAdminUrl: await findPostgres(), log: (m) => console.log(m) });
  writeFileSync(file, JSON.stringify(result));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      write: { type: 'boolean', default: false },
      row: { type: 'string' },
      result: { type: 'string' },
    },
  });
  if (values.row !== undefined && values.result !== undefined)
    return runRow(Number(values.row), values.result, values.quick ?? false);
  const only = values.only
    ? new Set(
        values.only
          .split(',')
          .map((part) => Number(part.trim()))
          .filter((n) => Number.isInteger(n)),
      )
    : null;
  const quick = values.quick ?? false;
  const selected = ROWS.filter((row) => only === null || only.has(row.id));
  if (selected.length === 0) throw new Error(`--only matched no row (rows are 1–${ROWS.length})`);

  const started = performance.now();
  const postgresAdminUrl = await findPostgres();
  if (postgresAdminUrl === null) {
    console.warn(
      '⚠️  PostgreSQL is not reachable: the PostgreSQL parts of rows 3, 5, 7, 8 and 9 are SKIPPED.',
    );
  }
  const gc = collectGarbage();
  if (!gc)
    console.warn(
      '⚠️  global.gc is unavailable: memory figures use process.memoryUsage() without a forced GC.',
    );

  const results: RowResult[] = [];
  for (const row of selected) {
    console.log(`\n▶ ${row.id}. ${row.title}${quick ? ' (quick)' : ''}`);
    const rowStarted = performance.now();
    try {
      const result = await runInOwnProcess(row.id, quick);
      results.push(result);
      for (const line of result.lines) {
        console.log(
          `  = ${line.what}: ours ${line.ours} | baseline ${line.baseline} | ratio ${line.ratio} | goal ${line.goal} → ${line.status}`,
        );
      }
      for (const note of result.notes)
        if (result.lines.every((l) => l.status === 'skipped')) console.log(`  ${note}`);
    } catch (error) {
      console.error(`  row ${row.id} failed:`, error);
      const failed = skippedRow(
        row.id,
        row.title,
        `This row failed with an error in this run: \`${String(error instanceof Error ? error.message : error).slice(0, 300)}\`.`,
      );
      failed.seconds = (performance.now() - rowStarted) / 1000;
      results.push(failed);
    }
    console.log(`  (${Math.round((performance.now() - rowStarted) / 1000)} s)`);
  }

  const durationSeconds = (performance.now() - started) / 1000;
  const cpu = cpus();
  const page = renderPage(
    {
      cpu: cpu[0]?.model.trim() || 'unknown',
      cores: cpu.length,
      memory: bytes(totalmem()),
      node: process.version,
      platform: `${platform()} ${release()}`,
      postgres: postgresAdminUrl
        ? `${await postgresVersion(postgresAdminUrl)} on 127.0.0.1`
        : 'not reachable (skipped)',
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(
        ' ',
      ),
      durationSeconds,
    },
    results,
    GOALS,
  );

  const fullRun = only === null && !quick;
  if (fullRun || values.write) {
    const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'benchmarks.md');
    writeFileSync(target, page);
    console.log(`\nWrote ${target} (${Math.round(durationSeconds)} s).`);
  } else {
    console.log(`\n${page}`);
    console.log(
      `(subset or quick run: docs/benchmarks.md left unchanged; add --write to replace it) ${Math.round(durationSeconds)} s`,
    );
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
