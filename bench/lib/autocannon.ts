import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'node_modules',
  'autocannon',
  'autocannon.js',
);

export interface LoadResult {
  /** Mean requests per second (autocannon's per-second samples). */
  requestsPerSecond: number;
  /** 99th percentile latency in milliseconds. */
  p99: number;
  /** Mean latency in milliseconds. */
  mean: number;
  total: number;
  non2xx: number;
  errors: number;
}

function numberAt(source: unknown, ...path: string[]): number {
  let value: unknown = source;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !(key in value)) return Number.NaN;
    value = (value as Record<string, unknown>)[key];
  }
  return typeof value === 'number' ? value : Number.NaN;
}

/**
 * Runs autocannon in its own process (so the load generator does not share the server's event
 * loop) against `url` and returns its summary.
 */
export async function autocannon(
  url: string,
  options: {
    connections: number;
    durationSeconds: number;
    headers?: Record<string, string>;
    amount?: number;
  },
): Promise<LoadResult> {
  const args = [CLI, '--json', '-c', String(options.connections), '-d', String(options.durationSeconds)];
  if (options.amount !== undefined) args.push('-a', String(options.amount));
  for (const [name, value] of Object.entries(options.headers ?? {})) args.push('-H', `${name}=${value}`);
  args.push(url);
  const stdout = await output(args, 'autocannon');
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch (error) {
    throw new Error(`could not read autocannon output: ${String(error)}: ${stdout.slice(0, 200)}`);
  }
  return {
    requestsPerSecond: numberAt(parsed, 'requests', 'average'),
    p99: numberAt(parsed, 'latency', 'p99'),
    mean: numberAt(parsed, 'latency', 'average'),
    total: numberAt(parsed, 'requests', 'total'),
    non2xx: numberAt(parsed, 'non2xx'),
    errors: numberAt(parsed, 'errors') + numberAt(parsed, 'timeouts'),
  };
}

const PROBE = join(dirname(fileURLToPath(import.meta.url)), 'latency-probe.ts');

/** Runs a command to completion and returns its standard output (rejects on a non-zero exit). */
function output(args: string[], what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${what} exited with ${code}: ${stderr.slice(0, 500)}`));
    });
  });
}

/**
 * Latency at microsecond resolution (autocannon's percentiles are whole milliseconds, too coarse
 * for loopback answers well under one): one keep-alive connection, in a process of its own (see
 * `latency-probe.ts`), samples round trips from `startAt` (epoch ms) for `durationMs`, normally
 * while autocannon loads the same server; every round-trip time in milliseconds is returned.
 */
export async function probeLatencies(
  url: string,
  headers: Record<string, string>,
  window: { startAt: number; durationMs: number },
): Promise<number[]> {
  const stdout = await output(
    [
      '--import',
      'tsx',
      PROBE,
      url,
      String(window.startAt),
      String(window.durationMs),
      JSON.stringify(headers),
    ],
    'latency probe',
  );
  const parsed: unknown = JSON.parse(stdout);
  if (!Array.isArray(parsed) || !parsed.every((value) => typeof value === 'number'))
    throw new Error(`could not read the latency probe's output: ${stdout.slice(0, 200)}`);
  return parsed;
}

/** The `q` quantile (0–1) of `values`, nearest-rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}
