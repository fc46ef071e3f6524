import { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import type { RateLimitPolicy } from '../auth/outcome.js';
import { now } from '../clock.js';

export interface LimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Milliseconds until the window resets. */
  resetMs: number;
  windowSeconds: number;
}

export interface RateLimitsOptions {
  redisUrl?: string | undefined;
  authFailures: RateLimitPolicy;
  onRedisError?: (error: unknown) => void;
}

/**
 * Per-credential fixed windows in this process, decided synchronously: a warm request then needs
 * no promise for its rate limit. Same semantics as the Redis limiter (the window starts at a
 * key's first request; refused requests count too). A window is keyed by the credential id alone
 * (a string the verification cache already holds, so the lookup hashes nothing new) and
 * remembers the policy it counts against: a changed policy starts a new window, as a new Redis
 * key would. Expired windows are swept at most once a minute.
 */
class MemoryWindows {
  private readonly windows = new Map<string, { count: number; resetAt: number; policy: RateLimitPolicy }>();
  private sweepAt = 0;

  consume(key: string, policy: RateLimitPolicy, now: number): LimitDecision {
    let window = this.windows.get(key);
    if (window === undefined || window.resetAt <= now || !samePolicy(window.policy, policy)) {
      if (now >= this.sweepAt) this.sweep(now);
      window = { count: 0, resetAt: now + policy.windowSeconds * 1000, policy };
      this.windows.set(key, window);
    }
    window.count++;
    return {
      allowed: window.count <= policy.limit,
      limit: policy.limit,
      remaining: Math.max(0, policy.limit - window.count),
      resetMs: window.resetAt - now,
      windowSeconds: policy.windowSeconds,
    };
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
    this.sweepAt = now + 60_000;
  }
}

const samePolicy = (a: RateLimitPolicy, b: RateLimitPolicy) =>
  a === b || (a.limit === b.limit && a.windowSeconds === b.windowSeconds);

/**
 * Fixed-window limits per credential (its own policy, else the company default) and per IP for
 * failed authentication. In memory by default; in Redis when `redisUrl` is set, so that every
 * node counts against the same budget (with an in-memory fallback if Redis stops answering).
 */
export function createRateLimits(options: RateLimitsOptions) {
  const redis = options.redisUrl
    ? new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false })
    : null;
  redis?.on('error', (error) => options.onRedisError?.(error));
  const limiters = new Map<string, RateLimiterAbstract>();
  const credentialWindows = redis ? null : new MemoryWindows();

  function limiterFor(prefix: string, policy: RateLimitPolicy): RateLimiterAbstract {
    const key = `${prefix}:${policy.limit}:${policy.windowSeconds}`;
    let limiter = limiters.get(key);
    if (!limiter) {
      const base = { points: policy.limit, duration: policy.windowSeconds, keyPrefix: `keywarden:${key}` };
      limiter = redis
        ? new RateLimiterRedis({ ...base, storeClient: redis, insuranceLimiter: new RateLimiterMemory(base) })
        : new RateLimiterMemory(base);
      limiters.set(key, limiter);
    }
    return limiter;
  }

  function decision(policy: RateLimitPolicy, result: RateLimiterRes, allowed: boolean): LimitDecision {
    return {
      allowed,
      limit: policy.limit,
      remaining: Math.max(0, result.remainingPoints),
      resetMs: result.msBeforeNext,
      windowSeconds: policy.windowSeconds,
    };
  }

  async function consume(prefix: string, key: string, policy: RateLimitPolicy): Promise<LimitDecision> {
    try {
      return decision(policy, await limiterFor(prefix, policy).consume(key), true);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return decision(policy, rejection, false);
      throw rejection;
    }
  }

  /** The credential's count when it is kept in memory (`null` when it lives in Redis). */
  function consumeNow(credentialId: string, policy: RateLimitPolicy): LimitDecision | null {
    if (!credentialWindows) return null;
    return credentialWindows.consume(credentialId, policy, now());
  }

  return {
    /** Counts one request for a credential. */
    consumeCredential(credentialId: string, policy: RateLimitPolicy): Promise<LimitDecision> {
      const now = consumeNow(credentialId, policy);
      return now ? Promise.resolve(now) : consume('cred', credentialId, policy);
    },
    /** The same, decided at once when counting in memory; `null` when the count lives in Redis. */
    consumeCredentialNow: consumeNow,
    /** Whether an IP has used up its failed-authentication budget, without counting. */
    async authFailuresExceeded(ip: string): Promise<LimitDecision | null> {
      const result = await limiterFor('authfail', options.authFailures).get(ip);
      if (result && result.remainingPoints <= 0) return decision(options.authFailures, result, false);
      return null;
    },
    /** Counts one failed authentication for an IP. */
    async recordAuthFailure(ip: string): Promise<void> {
      await consume('authfail', ip, options.authFailures);
    },
    /**
     * Resolves `true` once Redis answers (at once without Redis), or `false` after `timeoutMs`.
     * Until then a fresh node would count in its memory fallback only, outside the shared budget.
     */
    ready(timeoutMs = 2000): Promise<boolean> {
      const client = redis;
      if (!client || client.status === 'ready') return Promise.resolve(true);
      return new Promise((resolve) => {
        const onReady = () => {
          clearTimeout(timer);
          resolve(true);
        };
        const timer = setTimeout(() => {
          client.off('ready', onReady);
          resolve(false);
        }, timeoutMs);
        timer.unref();
        client.once('ready', onReady);
      });
    },
    async close(): Promise<void> {
      if (redis) await redis.quit().catch(() => redis.disconnect());
    },
  };
}

export type RateLimits = ReturnType<typeof createRateLimits>;
