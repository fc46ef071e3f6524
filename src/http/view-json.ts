import type { FastifyReply } from 'fastify';

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Sends a frozen view (the directory's cached user views) as JSON, serialised once per view by the
 * route's own response schema and reused while the view lives: `GET /v4/user/me` answers the same
 * view request after request, and serialising it was about 5,000 instructions of each.
 * Views that are not frozen are serialised every time (they may change under a cache).
 */
export function sendView(reply: FastifyReply, view: object): FastifyReply {
  let json = serialised.get(view);
  if (json === undefined) {
    if (!Object.isFrozen(view)) return reply.send(view);
    const out = reply.serialize(view);
    // The route's schema serialiser writes strings; anything else goes the ordinary way.
    if (typeof out !== 'string') return reply.send(view);
    json = out;
    serialised.set(view, json);
  }
  return reply.type(JSON_TYPE).send(json);
}

/** Keyed by the view object itself: a view dropped from the directory's cache takes its JSON along. */
const serialised = new WeakMap<object, string>();
