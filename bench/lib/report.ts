import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Whether a figure meets its goal; `report` = informational, no goal. */
export type Status = 'met' | 'missed' | 'report' | 'skipped';

/** One line of a row's table. */
export interface Line {
  what: string;
  ours: string;
  baseline: string;
  ratio: string;
  goal: string;
  status: Status;
}

/** The outcome of one row of the table. */
export interface RowResult {
  id: number;
  title: string;
  /** How the figure was measured (markdown). */
  method: string[];
  lines: Line[];
  /** Findings, limits of missed goals, skipped parts (markdown). */
  notes: string[];
  seconds: number;
}

export interface BenchOptions {
  quick: boolean;
  /** Admin URL of a reachable PostgreSQL server, or `null`. */
  postgresAdminUrl: string | null;
  log: (message: string) => void;
}

const grouping = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** `1,234,567/s`-style figures. */
export function rate(value: number, unit = '/s'): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (value >= 100) return `${grouping.format(value)}${unit}`;
  if (value >= 10) return `${value.toFixed(1)}${unit}`;
  return `${value.toFixed(2)}${unit}`;
}

export function ratio(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (value >= 1000) return `${grouping.format(value)}×`;
  if (value >= 100) return `${value.toFixed(0)}×`;
  return `${value.toFixed(digits)}×`;
}

export function percent(value: number, digits = 1): string {
  return Number.isFinite(value) ? `${(value * 100).toFixed(digits)}%` : 'n/a';
}

export function ms(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value >= 10 ? `${value.toFixed(0)} ms` : `${value.toFixed(2)} ms`;
}

export function bytes(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (value >= 1024 * 1024) return `${(value / 1024 / 1024).toFixed(1)} MiB`;
  if (value >= 1024) return `${(value / 1024).toFixed(1)} KiB`;
  return `${value.toFixed(0)} B`;
}

export function statusLabel(status: Status): string {
  switch (status) {
    case 'met':
      return '✅ met';
    case 'missed':
      return '❌ missed';
    case 'skipped':
      return '⏭️ skipped';
    default:
      return 'reported';
  }
}

/** The per-round figures, for the reproducibility appendix of each row. */
export function roundsList(values: readonly number[], format: (v: number) => string): string {
  return values.map(format).join(', ');
}

export function skippedRow(id: number, title: string, reason: string): RowResult {
  return {
    id,
    title,
    method: [],
    lines: [{ what: title, ours: '—', baseline: '—', ratio: '—', goal: '—', status: 'skipped' }],
    notes: [reason],
    seconds: 0,
  };
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

export interface Machine {
  cpu: string;
  cores: number;
  memory: string;
  node: string;
  platform: string;
  postgres: string;
  date: string;
  command: string;
  durationSeconds: number;
}

/** Renders `docs/benchmarks.md`. */
export function renderPage(machine: Machine, rows: readonly RowResult[], goalsTable: string): string {
  const out: string[] = [];
  out.push('# Benchmarks');
  out.push('');
  out.push(
    'A credential check sits in front of every API call, so its speed is a product feature. Every figure',
    'below was measured in one run of `npm run bench`, **side by side with its baseline in the same',
    'process**, in several rounds whose order alternates (A B, then B A, …) after a discarded warm-up',
    'round. Figures are medians of the rounds; ratios are medians of the per-round ratios, so a noisy',
    'neighbour slows both sides of a pair alike. Each row runs in a Node.js process of its own, so no row',
    'measures code that V8 optimised for another row. This page is generated: do not edit it by hand.',
  );
  out.push('');
  out.push('## Machine and run');
  out.push('');
  out.push('| | |');
  out.push('|---|---|');
  out.push(`| CPU | ${machine.cpu} |`);
  out.push(
    `| cores | ${machine.cores} (shared virtual machine: absolute numbers are noisy, ratios are not) |`,
  );
  out.push(`| memory | ${machine.memory} |`);
  out.push(`| Node.js | ${machine.node} (${machine.platform}) |`);
  out.push(`| PostgreSQL | ${machine.postgres} |`);
  out.push(`| date | ${machine.date} |`);
  out.push(`| command | \`${machine.command}\` |`);
  out.push(`| duration | ${Math.round(machine.durationSeconds)} s |`);
  out.push('');
  out.push('Reproduce with one command: `npm run bench` (add `-- --only 1,4` for some rows, `-- --quick`');
  out.push('for a fast smoke run that does not rewrite this page). A PostgreSQL server is looked for at');
  out.push('`KEYWARDEN_BENCH_PG_URL`, else `postgres://postgres@127.0.0.1:5432/postgres`; each row creates');
  out.push('its own database and drops it at the end. Without a server the PostgreSQL parts are skipped.');
  out.push('');
  out.push(
    'Wardens measured warm keep the default cache except its TTL, raised from 60 s to 30 min so that no',
  );
  out.push(
    'entry expires in the middle of a row (the TTL is checked on every lookup whatever its value); "cold"',
  );
  out.push('wardens use a one-entry, 1 ms cache (row 3). Both settings are in `bench/lib/paths.ts`.');
  out.push('');
  out.push('## Summary');
  out.push('');
  out.push('| # | what | ours | baseline | ratio | goal | result |');
  out.push('|---|---|---|---|---|---|---|');
  for (const row of rows) {
    for (const line of row.lines) {
      out.push(
        `| ${row.id} | ${escapeCell(line.what)} | ${escapeCell(line.ours)} | ${escapeCell(line.baseline)} | ${escapeCell(line.ratio)} | ${escapeCell(line.goal)} | ${statusLabel(line.status)} |`,
      );
    }
  }
  out.push('');
  out.push('The goals come from the benchmark issue:');
  out.push('');
  out.push(goalsTable);
  out.push('');
  for (const row of rows) {
    out.push(`## ${row.id}. ${row.title}`);
    out.push('');
    out.push('| what | ours | baseline | ratio | goal | result |');
    out.push('|---|---|---|---|---|---|');
    for (const line of row.lines) {
      out.push(
        `| ${escapeCell(line.what)} | ${escapeCell(line.ours)} | ${escapeCell(line.baseline)} | ${escapeCell(line.ratio)} | ${escapeCell(line.goal)} | ${statusLabel(line.status)} |`,
      );
    }
    out.push('');
    if (row.method.length > 0) {
      out.push(`**How.** ${row.method.join(' ')}`);
      out.push('');
    }
    for (const note of row.notes) {
      out.push(note);
      out.push('');
    }
    if (row.seconds > 0) {
      out.push(`<sub>Row time: ${Math.round(row.seconds)} s.</sub>`);
      out.push('');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** The installed version of a package, read from its package.json under node_modules. */
export function installedVersion(name: string): string {
  try {
    const path = join(
      dirname(fileURLToPath(import.meta.url)),
      '..',
      '..',
      'node_modules',
      name,
      'package.json',
    );
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (
      parsed !== null &&
      typeof parsed === 'object' &&
      'version' in parsed &&
      typeof parsed.version === 'string'
    ) {
      return parsed.version;
    }
  } catch {
    // fall through
  }
  return 'unknown';
}
