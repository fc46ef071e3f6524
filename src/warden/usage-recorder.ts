import { and, desc, eq, gte, lt, sql } from 'drizzle-orm';
import type { Database } from '../store/database.js';
import { credentialActivity, credentialUsageDaily } from '../store/schema.js';

/** One authenticated request made with a credential. */
export interface UsageEvent {
  credentialId: string;
  /** Milliseconds since the epoch. */
  at: number;
  method: string;
  route: string;
  status: number;
  ip: string | null;
  userAgent: string | null;
  actingUserId: string | null;
}

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

export interface ActivityEntry {
  at: string;
  method: string;
  route: string;
  status: number;
  ip: string | null;
  userAgent: string | null;
  actingUserId: string | null;
}

const PRUNE_EVERY_MS = 10 * 60_000;
const MAX_TEXT = 512;
const DAY_MS = 86_400_000;

const clip = (text: string | null) => (text === null ? null : text.slice(0, MAX_TEXT));

/** What one credential did since the last flush. */
interface Pending {
  credentialId: string;
  /** The UTC day being counted (`YYYY-MM-DD`) and its requests. */
  day: string;
  requests: number;
  lastAt: number;
  lastIp: string | null;
  /** The first `maxPerCredential` activity events of this flush window. */
  events: UsageEvent[];
}

interface DailyCount {
  credentialId: string;
  day: string;
  requests: number;
}

/**
 * Records usage off the request path: `count` only updates memory (a map lookup and a few
 * field writes, no allocation) and `log` keeps the sampled requests' details; a timer writes last-used, per-day counts and activity rows in one transaction
 * per batch; `close` flushes what is left.
 */
export function createUsageRecorder(options: UsageRecorderOptions) {
  const { db } = options;
  const maxBuffer = options.maxBuffer ?? 2_000;
  const maxPerCredential = Math.max(1, options.maxPerCredential ?? 20);
  const retentionDays = options.retentionDays ?? 30;
  let pending = new Map<string, Pending>();
  // Counts of a day that ended while its credential was still pending (midnight, late events).
  let spilled: DailyCount[] = [];
  let buffered = 0;
  let dropped = 0;
  let flushed = 0;
  let lastPrune = 0;
  let running: Promise<void> = Promise.resolve();
  let closed = false;

  // Formatting a date per request is the costliest part of recording; days change rarely.
  let dayStart = 0;
  let dayEnd = 0;
  let dayText = '';
  function dayOf(at: number): string {
    if (at >= dayStart && at < dayEnd) return dayText;
    const start = at - (((at % DAY_MS) + DAY_MS) % DAY_MS);
    const text = new Date(start).toISOString().slice(0, 10);
    if (at >= Date.now() - DAY_MS) {
      dayStart = start;
      dayEnd = start + DAY_MS;
      dayText = text;
    }
    return text;
  }

  const timer = setInterval(() => void flush(), options.flushIntervalMs ?? 5000);
  timer.unref();

  /**
   * Counts one request of a credential (daily count and last use) without allocating. Returns
   * true when the activity log still samples this credential in the current flush window: only
   * then does the caller build the request's details and pass them to {@link log}.
   */
  function count(credentialId: string, at: number, ip: string | null): boolean {
    if (closed) return false;
    const day = dayOf(at);
    let entry = pending.get(credentialId);
    if (entry === undefined) {
      entry = { credentialId, day, requests: 0, lastAt: at, lastIp: ip, events: [] };
      pending.set(credentialId, entry);
    }
    if (entry.day === day) entry.requests++;
    else {
      spilled.push({ credentialId: entry.credentialId, day: entry.day, requests: entry.requests });
      entry.day = day;
      entry.requests = 1;
    }
    if (at >= entry.lastAt) {
      entry.lastAt = at;
      entry.lastIp = ip;
    }
    // Past the caps a request is only counted: keeping (and so retaining) every event of a busy
    // key would cost more in garbage collection than the whole verification.
    if (entry.events.length < maxPerCredential && buffered < maxBuffer) return true;
    dropped++;
    return false;
  }

  /** Keeps a counted request's details for the activity log (after {@link count} said true). */
  function log(event: UsageEvent): void {
    const entry = pending.get(event.credentialId);
    if (entry === undefined || entry.events.length >= maxPerCredential || buffered >= maxBuffer) return;
    entry.events.push(event);
    buffered++;
  }

  /** Counts one request and keeps its details when the activity log samples it. */
  function record(event: UsageEvent): void {
    if (count(event.credentialId, event.at, event.ip)) log(event);
  }

  async function write(batch: Map<string, Pending>, batchSpilled: DailyCount[]): Promise<void> {
    const events: UsageEvent[] = [];
    const counts: DailyCount[] = batchSpilled;
    const lastUse: { id: string; at: string; ip: string | null }[] = [];
    for (const entry of batch.values()) {
      for (const event of entry.events) events.push(event);
      counts.push({ credentialId: entry.credentialId, day: entry.day, requests: entry.requests });
      lastUse.push({
        id: entry.credentialId,
        at: new Date(entry.lastAt).toISOString(),
        ip: clip(entry.lastIp),
      });
    }
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

  /** Writes everything buffered so far; resolves when it is stored. */
  function flush(): Promise<void> {
    running = running.then(async () => {
      if (pending.size === 0) return;
      const batch = pending;
      const batchSpilled = spilled;
      const events = buffered;
      pending = new Map();
      spilled = [];
      buffered = 0;
      try {
        await write(batch, batchSpilled);
        flushed += events;
      } catch (error) {
        options.onError?.(error);
      }
    });
    return running;
  }

  async function close(): Promise<void> {
    clearInterval(timer);
    await flush();
    closed = true;
  }

  /** Recent requests made with a credential, newest first. */
  async function activity(credentialId: string, limit = 100): Promise<ActivityEntry[]> {
    const rows = await db
      .select()
      .from(credentialActivity)
      .where(eq(credentialActivity.credentialId, credentialId))
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
      .where(and(eq(credentialUsageDaily.credentialId, credentialId), gte(credentialUsageDaily.day, since)))
      .orderBy(credentialUsageDaily.day);
  }

  return {
    record,
    count,
    log,
    flush,
    close,
    activity,
    daily,
    stats: () => ({ buffered, dropped, flushed }),
  };
}

export type UsageRecorder = ReturnType<typeof createUsageRecorder>;
