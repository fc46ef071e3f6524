import type {
  FastifyReply,
  FastifyRequest,
  onRequestHookHandler,
  onSendHookHandler,
  RouteOptions,
} from 'fastify';
import fp from 'fastify-plugin';
import type { Metrics, SeriesEntry } from '../metrics.js';

type RouteHooks = { onRequest: onRequestHookHandler; onSend: onSendHookHandler };

declare module 'fastify' {
  interface FastifyRequest {
    /** `performance.now()` when the request entered its route (the duration metric's start). */
    startedAt: number;
  }
}

/**
 * Appends a route-level hook (after the route's own). Hooks that only some routes need are added
 * this way, from an `onRoute` hook, rather than as global hooks that would run on every request
 * and look up the route's options each time (`request.routeOptions` builds a new object per read).
 */
export function addRouteHook<Name extends keyof RouteHooks>(
  route: RouteOptions,
  name: Name,
  hook: RouteHooks[Name],
): void {
  const existing = route[name] as RouteHooks[Name] | RouteHooks[Name][] | undefined;
  route[name] = (
    existing === undefined ? [hook] : Array.isArray(existing) ? [...existing, hook] : [existing, hook]
  ) as RouteOptions[Name];
}

/**
 * The headers every answer carries: its request id, `nosniff`, no referrer, and `no-store`
 * (a route that may be cached, such as a dashboard asset, sets its own `cache-control` later).
 * Set when a request enters its route, and by the 404 handler and router errors, which have none.
 */
export function baseHeaders(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('x-request-id', request.id);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('cache-control', 'no-store');
}

/** The duration histogram's series of one route, found by method and status without building a key. */
function routeSeries(metrics: Metrics, route: string) {
  const byMethod = new Map<string, Map<number, SeriesEntry>>();
  return (method: string, status: number): SeriesEntry => {
    let byStatus = byMethod.get(method);
    if (byStatus === undefined) {
      byStatus = new Map();
      byMethod.set(method, byStatus);
    }
    let entry = byStatus.get(status);
    if (entry === undefined) {
      entry = metrics.requests.entry([method, route, status]);
      byStatus.set(status, entry);
    }
    return entry;
  };
}

/** Counts a request that matched no route (404, 405), once its answer is sent. */
export function countUnmatched(metrics: Metrics, request: FastifyRequest, reply: FastifyReply): void {
  // Timed here, not by `reply.elapsedTime`: Fastify keeps that only when a logger is set.
  const started = performance.now();
  reply.raw.once('finish', () =>
    metrics.requests.record(
      metrics.requests.entry([request.method, 'unmatched', reply.statusCode]),
      (performance.now() - started) / 1000,
    ),
  );
}

/**
 * What every route does: its base response headers, and its request-duration metric. Both are
 * route-level callback hooks (no promise, no route-options lookup per request).
 *
 * The duration is taken in `onSend`, when the answer is complete and handed to Node.js (for a
 * streamed file, when its stream starts), not in `onResponse`: with logging off, a route without
 * `onResponse` hooks spares Fastify two listeners on every response and two clock reads, about
 * 2 µs of a warm `GET /v4/user/me` in a CPU profile (docs/benchmarks.md, row 2).
 */
export const routeBasicsPlugin = fp(
  async (app) => {
    const { metrics } = app.keywarden;
    app.decorateRequest('startedAt', 0);
    app.addHook('onRoute', (route) => {
      const series = routeSeries(metrics, route.url);
      addRouteHook(route, 'onRequest', (request, reply, done) => {
        request.startedAt = performance.now();
        baseHeaders(request, reply);
        done();
      });
      addRouteHook(route, 'onSend', (request, reply, payload, done) => {
        const seconds = (performance.now() - request.startedAt) / 1000;
        metrics.requests.record(series(request.method, reply.statusCode), seconds);
        done(null, payload);
      });
    });
  },
  { name: 'keywarden-route-basics' },
);
