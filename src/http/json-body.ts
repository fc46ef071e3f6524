import type { FastifyInstance } from 'fastify';
import type { ErrorCode } from '../errors.js';

/** A request refused while it is read, before validation, with a documented code and message. */
export class RefusedRequest extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RefusedRequest';
  }
}

/** Whether a parsed JSON value holds U+0000 in any string, property names included. */
function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(holdsNul);
  if (value !== null && typeof value === 'object')
    return Object.entries(value).some(([key, item]) => key.includes('\u0000') || holdsNul(item));
  return false;
}

/**
 * The JSON body parser: Fastify's own (its prototype-poisoning checks included), with two rules.
 *
 * - An empty body sent as `application/json` is no body, not malformed JSON: many HTTP clients put
 *   the content type on every request, bodiless ones included (`DELETE`, `…/deactivate`). A route
 *   that needs a body then answers 400 `validation_failed`.
 * - No string may hold U+0000. PostgreSQL's `text` cannot store it, so it would fail in the
 *   database as a 500; it is refused here, for every route, as 400 `validation_failed`. JSON can
 *   carry it only as the escape `\u0000`, so bodies without that text are not walked.
 */
export function jsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.length === 0) return done(null, undefined);
    parseJson(request, text, (error, parsed) => {
      if (error) return done(error, undefined);
      if (text.includes('\\u0000') && holdsNul(parsed))
        return done(
          new RefusedRequest('validation_failed', 'Text must not contain NUL characters (\\u0000)'),
          undefined,
        );
      done(null, parsed);
    });
  });
}
