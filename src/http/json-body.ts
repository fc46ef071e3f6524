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

const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a string cannot be stored as PostgreSQL text, or `null` when it can. */
function unstorable(text: string): string | null {
  if (text.includes('\u0000')) return 'Text must not contain NUL characters (\\u0000)';
  if (UNPAIRED_SURROGATE.test(text)) return 'Text must be valid Unicode: it holds an unpaired surrogate';
  return null;
}

/** The first reason any string of a parsed JSON value (property names included) cannot be stored. */
function firstUnstorable(value: unknown): string | null {
  if (typeof value === 'string') return unstorable(value);
  const items = Array.isArray(value)
    ? value
    : value !== null && typeof value === 'object'
      ? Object.entries(value).flat()
      : [];
  for (const item of items) {
    const reason = firstUnstorable(item);
    if (reason !== null) return reason;
  }
  return null;
}

/** The escapes through which JSON can carry U+0000 or a surrogate: raw text never holds either. */
const RISKY_ESCAPE = /\\u(?:0000|[dD][89a-fA-F])/;

/**
 * The JSON body parser: Fastify's own (its prototype-poisoning checks included), with two rules.
 *
 * - An empty body sent as `application/json` is no body, not malformed JSON: many HTTP clients put
 *   the content type on every request, bodiless ones included (`DELETE`, `…/deactivate`). A route
 *   that needs a body then answers 400 `validation_failed`.
 * - Every string must be storable as PostgreSQL text: no U+0000 (`text` cannot hold it) and no
 *   unpaired surrogate (`jsonb` refuses its escape, `text` would keep U+FFFD instead). Either would
 *   fail in the database as a 500 or change the text silently; both are refused here, for every
 *   route, as 400 `validation_failed`. JSON carries them only as `\u` escapes (a raw surrogate is
 *   not UTF-8), so a body without such an escape is not walked.
 */
export function jsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.length === 0) return done(null, undefined);
    parseJson(request, text, (error, parsed) => {
      if (error) return done(error, undefined);
      const reason = RISKY_ESCAPE.test(text) ? firstUnstorable(parsed) : null;
      if (reason !== null) return done(new RefusedRequest('validation_failed', reason), undefined);
      done(null, parsed);
    });
  });
}
