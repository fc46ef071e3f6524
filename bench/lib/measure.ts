import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Median of a non-empty list (mean of the two middle values for even lengths). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] ?? Number.NaN;
  if (sorted.length % 2 === 1) return upper;
  return ((sorted[mid - 1] ?? upper) + upper) / 2;
}

/** Somewhere for results to go so the optimiser cannot drop the work that produced them. */
export const sink = { value: 0 };

/**
 * Operations per second of a synchronous function, called `batch` times between clock reads
 * until `durationMs` has passed.
 */
export function opsPerSecondSync(fn: (i: number) => unknown, durationMs: number, batch = 1000): number {
  let done = 0;
  let i = 0;
  const start = performance.now();
  let now = start;
  while (now - start < durationMs) {
    for (let k = 0; k < batch; k++) {
      if (fn(i++) === undefined) sink.value++;
    }
    done += batch;
    now = performance.now();
  }
  return (done * 1000) / (now - start);
}

/**
 * Operations per second of an async function with `concurrency` callers in flight, each
 * starting its next call as soon as the previous one resolves, for `durationMs`.
 */
export async function opsPerSecondAsync(
  fn: (i: number) => Promise<unknown>,
  durationMs: number,
  concurrency = 1,
): Promise<number> {
  const { done, elapsedMs } = await runAsync(fn, durationMs, { concurrency });
  return (done * 1000) / elapsedMs;
}

/**
 * Calls `fn` for `durationMs` with `concurrency` callers in flight. With `yieldEvery`, each
 * caller goes back to the event loop (`setImmediate`) after that many calls, as a server does
 * between requests, so timers (such as the usage recorder's flush) run during the measurement.
 */
export async function runAsync(
  fn: (i: number) => Promise<unknown>,
  durationMs: number,
  options: { concurrency?: number; yieldEvery?: number } = {},
): Promise<{ done: number; elapsedMs: number }> {
  let done = 0;
  let i = 0;
  const start = performance.now();
  const deadline = start + durationMs;
  const yieldEvery = options.yieldEvery ?? 0;
  const worker = async () => {
    let k = 0;
    while (true) {
      // Clock reads cost as much as a warm verification: read it every 64 calls.
      if ((k & 63) === 0 && performance.now() >= deadline) return;
      if (yieldEvery > 0 && k > 0 && k % yieldEvery === 0) await yieldToLoop();
      k++;
      const result = await fn(i++);
      if (result === undefined) sink.value++;
      done++;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 1 }, worker));
  return { done, elapsedMs: performance.now() - start };
}

export interface Variant {
  name: string;
  /** One measurement: returns a figure (ops/s, req/s, …). */
  run: () => Promise<number>;
}

/**
 * Runs every variant once per round, alternating their order from round to round (ABAB…, then
 * BABA…), after one discarded warm-up round. Returns the figures per variant, in round order.
 */
export async function alternate(
  variants: readonly Variant[],
  rounds: number,
  options: { warmup?: boolean; onRound?: (round: number, figures: Record<string, number>) => void } = {},
): Promise<Record<string, number[]>> {
  const results: Record<string, number[]> = {};
  for (const v of variants) results[v.name] = [];
  if (options.warmup !== false) for (const v of variants) await v.run();
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? variants : [...variants].reverse();
    const figures: Record<string, number> = {};
    for (const v of order) {
      collectGarbage();
      await yieldToLoop();
      const figure = await v.run();
      figures[v.name] = figure;
      results[v.name]?.push(figure);
    }
    options.onRound?.(round, figures);
  }
  return results;
}

/** Per-round ratios a[i] / b[i] (the two were measured next to each other). */
export function ratios(a: readonly number[], b: readonly number[]): number[] {
  return a.map((value, i) => value / (b[i] ?? Number.NaN));
}

let gcFunction: (() => void) | null | undefined;

/** A full garbage collection when the runtime allows one (it is enabled on first use). */
export function collectGarbage(): boolean {
  if (gcFunction === undefined) {
    const existing = (globalThis as { gc?: () => void }).gc;
    if (typeof existing === 'function') gcFunction = existing;
    else {
      try {
        setFlagsFromString('--expose-gc');
        const found: unknown = runInNewContext('gc');
        gcFunction = typeof found === 'function' ? (found as () => void) : null;
      } catch {
        gcFunction = null;
      }
    }
  }
  if (gcFunction === null) return false;
  gcFunction();
  return true;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
