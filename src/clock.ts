/**
 * The millisecond clock of the request path (expiry checks, rate-limit windows, last use).
 *
 * Reading the system clock is not always cheap: on virtual machines without a fast vDSO clock,
 * `Date.now()` costs over 100 ns, a tenth of a whole warm verification, and a request reads the
 * clock several times. `now()` re-reads it at most once per {@link CALLS_PER_READ} calls and
 * whenever a {@link TICK_MS} ms tick has passed, so a value is never older than one tick (plus
 * event-loop lag) nor than the last {@link CALLS_PER_READ} calls. A credential is therefore
 * refused at most a few milliseconds after the moment it expires.
 */
const CALLS_PER_READ = 64;
const TICK_MS = 5;

/**
 * The clock's state, in one object rather than module-level `let`s: V8 tracks how an object's
 * fields are stored (the time as an unboxed number), while every read of a `let` in optimised code
 * is checked for the temporal dead zone and its value's kind; `now()` runs several times a
 * request. `stale` is compared with `=== true`: one comparison, where a truth test checks for
 * every kind of value.
 */
const clock = { cached: Date.now(), calls: 0, stale: true, ticking: false };

function startTicking(): void {
  clock.ticking = true;
  // Unref'd: the tick never keeps a process alive.
  setInterval(() => {
    clock.stale = true;
  }, TICK_MS).unref();
}

/** Milliseconds since the epoch, at most one tick or {@link CALLS_PER_READ} calls old. */
export function now(): number {
  if (clock.stale === true || ++clock.calls >= CALLS_PER_READ) {
    if (!clock.ticking) startTicking();
    clock.cached = Date.now();
    clock.stale = false;
    clock.calls = 0;
  }
  return clock.cached;
}

/**
 * TTL settings for an `LRUCache` on the request path: it reads {@link now} on every check.
 *
 * lru-cache's default (`ttlResolution: 1`) re-reads `performance.now()` at most once a millisecond
 * by keeping the reading and arming a fresh timer to drop it a millisecond later, in every cache
 * that has a TTL. Under load that is a timer created, listed and fired per cache per millisecond:
 * about 0.5 µs of each `GET /v4/user/me` in a CPU profile at 10,000 requests/s, where the two
 * caches it reads each armed their own. This clock is already cached and costs no timer per use.
 */
export const requestPathTtl = { perf: { now }, ttlResolution: 0 } as const;
