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

let cached = Date.now();
let calls = 0;
let stale = true;
let ticking = false;

function startTicking(): void {
  ticking = true;
  // Unref'd: the tick never keeps a process alive.
  setInterval(() => {
    stale = true;
  }, TICK_MS).unref();
}

/** Milliseconds since the epoch, at most one tick or {@link CALLS_PER_READ} calls old. */
export function now(): number {
  if (stale || ++calls >= CALLS_PER_READ) {
    if (!ticking) startTicking();
    cached = Date.now();
    stale = false;
    calls = 0;
  }
  return cached;
}
