import { and, desc, gte, lt, sql } from 'drizzle-orm';
import { newUsageMeter, type UsageEvent, type UsageMeter } from '../auth/usage-meter.js';
import { now } from '../clock.js';
import type { Database } from '../store/database.js';
import { idIs } from '../store/ids.js';
import { credentialActivity, credentialUsageDaily } from '../store/schema.js';

export type { UsageEvent, UsageMeter } from '../auth/usage-meter.js';

export interface UsageRecorderOptions {
  db: Database;
  /** How often buffered usage is written. Default 5,000 ms. */
  flushIntervalMs?: number;
  /**
   * Most activity events held between flushes, over all credentials; beyond it new events are
   * dropped (counts and last use stay exact). Default 2,000.
   */
  maxBuffer?: number;
  /**
   * Most activity events kept per credential per flush window (the first ones of the window), so
   * a busy key's log is sampled instead of written a row per request. Default 20.
   */
  maxPerCredential?: number;
  /** Activity older than this is pruned. Default 30 days. */
  retentionDays?: number;
  onError?: (error: unknown) => void;
}

/** A recorded request as `activity()` lists it: the event, its time as an ISO string. */
export type ActivityEntry = Omit<UsageEvent, 'credentialId' | 'at'> & { at: string };

const PRUNE_EVERY_MS = 10 * 60_000;
/**
 * Last use is rewritten when it moved by at least this much or came from another address, so a
 * busy credential costs its row one update a minute instead of one per flush; the stored time is
 * never more than this (plus a flush interval) behind the true last use.
 */
export const LAST_USE_STEP_MS = 60_000;
const MAX_TEXT = 512;
const DAY_MS = 86_400_000;
/** The time `count` passes to `tally` for "read the clock" (a small integer: passed unboxed). */
const NOW = -1;

const clip = (text: string | null) => (text === null ? null : text.slice(0, MAX_TEXT));

interface DailyCount {
  credentialId: string;
  day: string;
  requests: number;
}

/**
 * Records usage off the request path: `count` only updates the credential's meter in memory (a
 * few field writes, no lookup, no allocation) and `log` keeps the sampled requests' details; a
 * timer writes last use, per-day counts and activity rows in one transaction per flush; `close`
 * flushes what is left.
 */
export function createUsageRecorder(options: UsageRecorderOptions) {
  const { db } = options;
  const retentionDays = options.retentionDays ?? 30;
  // The meters counted since the last flush, by credential id (one per id: see `held`).
  let window = new Map<string, UsageMeter>();
  // Counts of a day that ended while its credential was still being counted (midnight, late events).
  let spilled: DailyCount[] = [];
  let lastPrune = 0;
  let running: Promise<void> = Promise.resolve();
  /**
   * What `count` reads and writes on every request, in one object rather than `let`s: V8 tracks
   * how an object's fields are stored, while every read of a closure's `let` in optimised code is
   * checked for the temporal dead zone and its value's kind (about half of `count`'s instructions).
   */
  const state = {
    closed: false,
    buffered: 0,
    dropped: 0,
    flushed: 0,
    maxBuffer: options.maxBuffer ?? 2_000,
    maxPerCredential: Math.max(1, options.maxPerCredential ?? 20),
  };

  // Days are counted as numbers (days since the epoch) and turned into text once per flush.
  let lastDay = -1;
  let lastDayText = '';
  function dayText(day: number): string {
    if (day !== lastDay) {
      lastDay = day;
      lastDayText = new Date(day * DAY_MS).toISOString().slice(0, 10);
    }
    return lastDayText;
  }

  const timer = setInterval(() => void flush(), options.flushIntervalMs ?? 5000);
  timer.unref();

  /**
   * The meter that counts `meter`'s credential in this flush window: the meter itself once it is
   * held, else the one already held for the same id (a credential whose cache entry was rebuilt,
   * or verified with the cache off, arrives with a fresh meter), else `meter`, now held.
   */
  function held(meter: UsageMeter): UsageMeter {
    if (meter.queued) return meter;
    const current = window.get(meter.credentialId);
    if (current !== undefined) return current;
    meter.queued = true;
    window.set(meter.credentialId, meter);
    return meter;
  }

  /**
   * Counts one request of a credential (daily count and last use) on its meter, now (by the
   * request-path clock, `src/clock.ts`), without allocating: a few field writes on the
   * principal's meter (`principal.credential.usage`). Returns true when the activity log still
   * samples this credential in the current flush window: only then does the caller build the
   * request's details and pass them to {@link log}.
   */
  function count(meter: UsageMeter, ip: string | null): boolean {
    return tally(meter, ip, NOW);
  }

  /** {@link count} at a given time (milliseconds since the epoch): late events, tests. */
  function countAt(meter: UsageMeter, ip: string | null, at: number): boolean {
    return tally(meter, ip, at);
  }

  /**
   * Counts one request at `at`, or now if it is {@link NOW}. This runs on every authenticated
   * request, so it is written for V8's optimising compiler (checked with `--print-opt-code`): the
   * clock is read here, not passed in (a time passed to a function that is not inlined travels
   * boxed, one allocation a call), the day is a small integer (comparing day strings called into
   * the runtime), and flags are compared with `===` (one comparison, where a truth test checks for
   * every kind of value).
   */
  function tally(meter: UsageMeter, ip: string | null, at: number): boolean {
    if (state.closed === true) return false;
    // `+at` (a number already) makes both branches numbers to V8, so `time` stays unboxed; with a
    // plain `at` the branches would meet as a boxed value, allocated on every call.
    const time = at === NOW ? now() : +at;
    const counted = meter.queued === true ? meter : held(meter);
    const day = Math.floor(time / DAY_MS);
    if (counted.day === day) counted.requests++;
    else {
      if (counted.requests > 0)
        spilled.push({
          credentialId: counted.credentialId,
          day: dayText(counted.day),
          requests: counted.requests,
        });
      counted.day = day;
      counted.requests = 1;
    }
    if (time >= counted.lastAt) {
      counted.lastAt = time;
      counted.lastIp = ip;
    }
    // Past the caps a request is only counted: keeping (and so retaining) every event of a busy
    // key would cost more in garbage collection than the whole verification.
    if (counted.sampled < state.maxPerCredential && state.buffered < state.maxBuffer) return true;
    state.dropped++;
    return false;
  }

  /** Keeps a counted request's details for the activity log (after {@link count} said true). */
  function log(meter: UsageMeter, event: UsageEvent): void {
    if (state.closed === true) return;
    const counted = held(meter);
    if (state.buffered >= state.maxBuffer || counted.sampled >= state.maxPerCredential) return;
    if (counted.events === null) counted.events = [event];
    else counted.events.push(event);
    counted.sampled++;
    state.buffered++;
  }

  /** The meter of a credential known only by id (this window's, or a new one). */
  function meterOf(credentialId: string): UsageMeter {
    return window.get(credentialId) ?? newUsageMeter(credentialId);
  }

  /** Counts one request of a credential known by id, keeping its details when the log samples it. */
  function record(event: UsageEvent): void {
    const meter = meterOf(event.credentialId);
    if (countAt(meter, event.ip, event.at)) log(meter, event);
  }

  /** What a flush writes, taken from this window's meters, which start counting afresh. */
  function drain() {
    const events: UsageEvent[] = [];
    const counts: DailyCount[] = spilled;
    const lastUse: { id: string; at: string; ip: string | null }[] = [];
    for (const meter of window.values()) {
      if (meter.events !== null) for (const event of meter.events) events.push(event);
      if (meter.requests > 0)
        counts.push({
          credentialId: meter.credentialId,
          day: dayText(meter.day),
          requests: meter.requests,
        });
      if (meter.lastAt - meter.writtenAt >= LAST_USE_STEP_MS || meter.lastIp !== meter.writtenIp) {
        lastUse.push({
          id: meter.credentialId,
          at: new Date(meter.lastAt).toISOString(),
          ip: clip(meter.lastIp),
        });
        meter.writtenAt = meter.lastAt;
        meter.writtenIp = meter.lastIp;
      }
      meter.requests = 0;
      meter.events = null;
      meter.sampled = 0;
      meter.queued = false;
    }
    window = new Map();
    spilled = [];
    return { events, counts, lastUse };
  }

  async function write({ events, counts, lastUse }: ReturnType<typeof drain>): Promise<void> {
    const activity = JSON.stringify(
      events.map((e) => ({
        credential_id: e.credentialId,
        at: new Date(e.at).toISOString(),
        method: e.method.slice(0, 16),
        route: clip(e.route),
        status: e.status,
        ip: clip(e.ip),
        user_agent: clip(e.userAgent),
        acting_user_id: e.actingUserId,
      })),
    );
    const daily = JSON.stringify(
      counts.map((c) => ({ credential_id: c.credentialId, day: c.day, requests: c.requests })),
    );
    const last = JSON.stringify(lastUse);
    await db.transaction(async (tx) => {
      if (lastUse.length > 0)
        await tx.execute(sql`
        update credentials c
           set last_used_at = greatest(coalesce(c.last_used_at, l.at), l.at),
               last_used_ip = case when c.last_used_at is null or l.at >= c.last_used_at then l.ip else c.last_used_ip end
          from jsonb_to_recordset(${last}::jsonb) as l(id uuid, at timestamptz, ip text)
         where c.id = l.id`);
      await tx.execute(sql`
        insert into credential_usage_daily (credential_id, day, requests)
        select d.credential_id, d.day, sum(d.requests)
          from jsonb_to_recordset(${daily}::jsonb) as d(credential_id uuid, day date, requests int)
         where exists (select 1 from credentials c where c.id = d.credential_id)
         group by d.credential_id, d.day
        on conflict (credential_id, day) do update set requests = credential_usage_daily.requests + excluded.requests`);
      if (events.length > 0) {
        await tx.execute(sql`
          insert into credential_activity (credential_id, at, method, route, status, ip, user_agent, acting_user_id)
          select e.credential_id, e.at, e.method, e.route, e.status, e.ip, e.user_agent, e.acting_user_id
            from jsonb_to_recordset(${activity}::jsonb)
              as e(credential_id uuid, at timestamptz, method text, route text, status int, ip text, user_agent text, acting_user_id uuid)
           where exists (select 1 from credentials c where c.id = e.credential_id)`);
      }
    });
    if (Date.now() - lastPrune > PRUNE_EVERY_MS) {
      lastPrune = Date.now();
      const cutoff = new Date(Date.now() - retentionDays * 86_400_000);
      await db.delete(credentialActivity).where(lt(credentialActivity.at, cutoff));
    }
  }

  /** Writes everything counted so far; resolves when it is stored. */
  function flush(): Promise<void> {
    running = running.then(async () => {
      if (window.size === 0 && spilled.length === 0) return;
      // Taken synchronously: requests counted while the write runs go to the next flush.
      const batch = drain();
      const events = state.buffered;
      state.buffered = 0;
      try {
        await write(batch);
        state.flushed += events;
      } catch (error) {
        options.onError?.(error);
      }
    });
    return running;
  }

  async function close(): Promise<void> {
    clearInterval(timer);
    await flush();
    state.closed = true;
  }

  /** Recent requests made with a credential, newest first. */
  async function activity(credentialId: string, limit = 100): Promise<ActivityEntry[]> {
    const rows = await db
      .select()
      .from(credentialActivity)
      .where(idIs(credentialActivity.credentialId, credentialId))
      .orderBy(desc(credentialActivity.at), desc(credentialActivity.id))
      .limit(Math.min(limit, 500));
    return rows.map((r) => ({
      at: r.at.toISOString(),
      method: r.method,
      route: r.route,
      status: r.status,
      ip: r.ip,
      userAgent: r.userAgent,
      actingUserId: r.actingUserId,
    }));
  }

  /** Requests per day for a credential over the last `days` days. */
  async function daily(credentialId: string, days = 30): Promise<{ day: string; requests: number }[]> {
    const since = new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
    return db
      .select({ day: credentialUsageDaily.day, requests: credentialUsageDaily.requests })
      .from(credentialUsageDaily)
      .where(and(idIs(credentialUsageDaily.credentialId, credentialId), gte(credentialUsageDaily.day, since)))
      .orderBy(credentialUsageDaily.day);
  }

  return {
    record,
    count,
    countAt,
    log,
    meterOf,
    flush,
    close,
    activity,
    daily,
    stats: () => ({ buffered: state.buffered, dropped: state.dropped, flushed: state.flushed }),
  };
}

export type UsageRecorder = ReturnType<typeof createUsageRecorder>;
