import type { FastifyReply, FastifyRequest, onSendHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { OUTCOME_ERROR, type Principal, type VerifyOutcome } from '../../auth/outcome.js';
import { hasScope, MANAGEMENT_SCOPE, type Scope } from '../../auth/scopes.js';
import type { VerifyRequest } from '../../auth/verifier.js';
import { now } from '../../clock.js';
import { ERRORS } from '../../errors.js';
import { sessionToken } from '../cookies.js';
import type { LimitDecision } from '../rate-limits.js';
import { REALM, replyError } from '../reply-error.js';
import { addRouteHook } from './route-basics.js';

/** How a route is protected, declared in its `config.auth`. Routes without it are public. */
export interface RouteAuth {
  /** Scope a scoped credential needs (role permissions still apply in the handler). */
  scope?: Scope;
  /** API keys may omit the acting-user header and then act as the company owner. */
  ownerDefault?: boolean;
  /** User management: refused to PATs whatever their scopes. */
  userManagement?: boolean;
  /** Credential management: bearer credentials need the management scope, never granted by default. */
  management?: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
  }
  interface FastifyRequest {
    /** Who the request acts as; set for every route with `config.auth` that reached its handler. */
    principal: Principal | null;
  }
}

const DEFAULT_ACTING_HEADER = 'x-meetergo-api-user-id';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The principal of an authenticated route (the hook guarantees it is set). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('route has no config.auth but reads the principal');
  return request.principal;
}

/** The last policy's constant header texts: nearly every request repeats the one before it. */
const policyTexts = {
  policy: '',
  limit: -1,
  windowSeconds: -1,
  header: '',
  limitText: '',
  resetAt: -1,
  resetAtText: '',
};

/**
 * IETF `RateLimit-Policy` / `RateLimit` and the common `X-RateLimit-*` headers for one limit
 * (`credential`, or `auth-failures` for an IP's failed-authentication budget); `Retry-After`
 * when refused.
 *
 * Every value is handed over as a string. Node.js checks each header value with a regular
 * expression; a number there is converted first and, once a call site has seen both, sends every
 * header's check down V8's generic (slower) `RegExp.prototype.test` path — about 2,000
 * instructions of each warm `GET /v4/user/me` under callgrind (docs/benchmarks.md, row 2).
 */
export function setLimitHeaders(
  reply: FastifyReply,
  decision: LimitDecision,
  policy: 'credential' | 'auth-failures' = 'credential',
): void {
  const texts = policyTexts;
  if (
    texts.policy !== policy ||
    texts.limit !== decision.limit ||
    texts.windowSeconds !== decision.windowSeconds
  ) {
    texts.policy = policy;
    texts.limit = decision.limit;
    texts.windowSeconds = decision.windowSeconds;
    texts.header = `"${policy}";q=${decision.limit};w=${decision.windowSeconds}`;
    texts.limitText = String(decision.limit);
  }
  const reset = Math.max(0, Math.ceil(decision.resetMs / 1000));
  // The reset moment, in epoch seconds, changes once a second: its text is made once per change.
  const resetAt = Math.ceil((now() + decision.resetMs) / 1000);
  if (texts.resetAt !== resetAt) {
    texts.resetAt = resetAt;
    texts.resetAtText = String(resetAt);
  }
  const remaining = String(decision.remaining);
  reply.header('ratelimit-policy', texts.header);
  reply.header('ratelimit', `"${policy}";r=${remaining};t=${reset}`);
  reply.header('x-ratelimit-limit', texts.limitText);
  reply.header('x-ratelimit-remaining', remaining);
  reply.header('x-ratelimit-reset', texts.resetAtText);
  if (!decision.allowed) reply.header('retry-after', String(Math.max(1, reset)));
}

/**
 * The authentication hook: Bearer credential (verification pipeline) or dashboard session
 * cookie, then rate and usage limits, user-management and scope rules. Runs in `onRequest`,
 * before any body is parsed, so unauthenticated requests cost no parsing.
 */
export const authenticatePlugin = fp(
  async (app) => {
    const { warden, config, limits, metrics, sessions } = app.keywarden;
    const actingHeader = config.ACTING_USER_HEADER.toLowerCase();
    const defaultRate = { limit: config.RATE_LIMIT_MAX, windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS };
    const allowedOrigins = new Set(
      config.ALLOWED_ORIGINS.split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    );
    const message = (text: string) =>
      actingHeader === DEFAULT_ACTING_HEADER
        ? text
        : text.replace(DEFAULT_ACTING_HEADER, config.ACTING_USER_HEADER);

    app.decorateRequest('principal', null);

    /** The kind of credential a refused header claims to be, from its prefix (for metrics only). */
    function kindOf(authorization: string | undefined): 'pat' | 'api_key' | 'unknown' {
      const token = authorization?.slice(authorization.indexOf(' ') + 1).trimStart() ?? '';
      if (token.startsWith(config.PAT_PREFIX)) return 'pat';
      if (token.startsWith(`${config.API_KEY_PREFIX}:`)) return 'api_key';
      return 'unknown';
    }

    // The expiry header of each cached credential, formatted once rather than per request.
    const expiryTexts = new WeakMap<object, string>();
    function expiryText(credential: { expiresAt: Date | null }): string {
      let text = expiryTexts.get(credential);
      if (text === undefined) {
        text = credential.expiresAt ? credential.expiresAt.toISOString() : 'never';
        expiryTexts.set(credential, text);
      }
      return text;
    }

    type Verdict = FastifyReply | undefined;

    function verifyInput(request: FastifyRequest, auth: RouteAuth, header: string): VerifyRequest {
      const acting = request.headers[actingHeader];
      return {
        authorization: header,
        actingUserId: Array.isArray(acting) ? acting.join(',') : acting,
        ownerDefault: auth.ownerDefault === true,
        ip: request.ip,
      };
    }

    /**
     * A Bearer credential. Memory first: a cached valid credential is let through even from an
     * IP that is over its failed-authentication budget (that budget guards the database and
     * guessing, and a valid credential is neither), and, with in-memory rate limits, is decided
     * without a single promise. Anything else is checked against the budget before any lookup.
     */
    function bearer(
      request: FastifyRequest,
      reply: FastifyReply,
      auth: RouteAuth,
      header: string,
    ): Verdict | Promise<Verdict> {
      const input = verifyInput(request, auth, header);
      const cached = warden.verifier.verifyFromCache(input);
      if (cached?.kind === 'valid') return admit(request, reply, auth, cached);
      return verifyUncached(request, reply, auth, input, cached);
    }

    async function verifyUncached(
      request: FastifyRequest,
      reply: FastifyReply,
      auth: RouteAuth,
      input: VerifyRequest,
      cached: VerifyOutcome | undefined,
    ): Promise<Verdict> {
      const blocked = await limits.authFailuresExceeded(request.ip);
      if (blocked) {
        metrics.rateLimited.inc('auth_failures');
        setLimitHeaders(reply, blocked, 'auth-failures');
        return replyError(reply, 'rate_limited');
      }
      const started = performance.now();
      const outcome = cached ?? (await warden.verify(input));
      // Timed only here, where a lookup may go to the database: a cache hit takes about a
      // microsecond, less than the two clock reads that would time it on some machines.
      if (!cached) metrics.verificationSeconds.observe((performance.now() - started) / 1000);
      if (outcome.kind === 'valid') return admit(request, reply, auth, outcome);
      metrics.verifications.inc(outcome.kind, kindOf(input.authorization));
      const code = OUTCOME_ERROR[outcome.kind];
      if (ERRORS[code].status === 401) await limits.recordAuthFailure(request.ip);
      return replyError(reply, code, message(ERRORS[code].message), true);
    }

    /** A verified credential: its expiry header, rate and usage limits, then the route's rules. */
    function admit(
      request: FastifyRequest,
      reply: FastifyReply,
      auth: RouteAuth,
      outcome: Extract<VerifyOutcome, { kind: 'valid' }>,
    ): Verdict | Promise<Verdict> {
      const principal = outcome.principal;
      metrics.verifications.inc('valid', principal.via);
      const credential = principal.credential;
      if (!credential) throw new Error('bearer principal without credential');
      request.principal = principal;
      reply.header(config.EXPIRY_HEADER, expiryText(credential));

      const policy = credential.rateLimit ?? defaultRate;
      const now = limits.consumeCredentialNow(credential.id, policy);
      if (now !== null && !credential.limitedUsage)
        return limited(reply, now) ?? rules(reply, auth, principal);
      return (async () => {
        const limitedReply = limited(reply, now ?? (await limits.consumeCredential(credential.id, policy)));
        if (limitedReply) return limitedReply;
        if (credential.limitedUsage) {
          const remaining = await warden.credentials.consumeUsage(credential.id);
          if (remaining === null) {
            metrics.rateLimited.inc('usage');
            const refill = await warden.credentials.nextUsageRefill(credential.id);
            if (refill !== null)
              reply.header(
                'retry-after',
                String(Math.max(1, Math.ceil((refill.getTime() - Date.now()) / 1000))),
              );
            return replyError(reply, 'usage_exhausted');
          }
          reply.header('x-usage-remaining', String(remaining));
        }
        return rules(reply, auth, principal);
      })();
    }

    function limited(reply: FastifyReply, decision: LimitDecision): Verdict {
      setLimitHeaders(reply, decision);
      if (decision.allowed) return undefined;
      metrics.rateLimited.inc('credential');
      return replyError(reply, 'rate_limited');
    }

    /** User management is refused to PATs; scoped credentials need the route's scope. */
    function rules(reply: FastifyReply, auth: RouteAuth, principal: Principal): Verdict {
      if (auth.userManagement && principal.via === 'pat')
        return replyError(reply, 'user_management_requires_api_key');
      const needed = auth.management ? MANAGEMENT_SCOPE : auth.scope;
      if (needed && !hasScope(principal.credential?.scopes ?? null, true, needed)) {
        reply.header(
          'www-authenticate',
          `Bearer realm="${REALM}", error="insufficient_scope", scope="${needed}"`,
        );
        return replyError(reply, 'insufficient_scope', `This endpoint requires the '${needed}' scope`);
      }
      return undefined;
    }

    async function session(request: FastifyRequest, reply: FastifyReply, token: string) {
      const user = await sessions.lookup(token);
      if (!user) return replyError(reply, 'missing_authorization');
      if (UNSAFE.has(request.method)) {
        const origin = request.headers.origin;
        const own = `${request.protocol}://${request.host}`;
        if (!origin || (origin !== own && !allowedOrigins.has(origin)))
          return replyError(reply, 'origin_mismatch');
      }
      request.principal = {
        companyId: user.companyId,
        plan: user.plan,
        userId: user.userId,
        role: user.role,
        via: 'session',
        credential: null,
      };
      return undefined;
    }

    // Each protected route gets its own callback hooks (its `auth` captured here, not looked up
    // per request). A warm request is admitted synchronously; only slower paths use promises.
    // A verdict of `undefined` lets the request through; a reply means it was answered here.
    app.addHook('onRoute', (route) => {
      const auth = route.config?.auth;
      if (!auth) return;
      addRouteHook(route, 'onRequest', (request, reply, done) => {
        const header = request.headers.authorization;
        const token = header ? undefined : sessionToken(request);
        const verdict =
          header !== undefined && header !== ''
            ? bearer(request, reply, auth, header)
            : token
              ? session(request, reply, token)
              : replyError(reply, 'missing_authorization');
        if (verdict === undefined) done();
        else if (verdict instanceof Promise)
          verdict.then((settled) => (settled === undefined ? done() : undefined), done);
      });
      addRouteHook(route, 'onSend', usageHook(route.url));
    });

    /**
     * Usage is recorded once the answer is complete (its status known), as it is handed to Node.js:
     * a callback hook, no promise; `onSend` rather than `onResponse` for the reason in route-basics.
     */
    function usageHook(routeUrl: string): onSendHookHandler {
      return (request, reply, payload, done) => {
        const principal = request.principal;
        const credential = principal?.credential;
        if (!credential || !principal) return done(null, payload);
        // Counted always; the details are built only for requests the activity log samples.
        const ip = request.ip;
        if (warden.usage.count(credential.usage, ip))
          warden.usage.log(credential.usage, {
            credentialId: credential.id,
            at: now(),
            method: request.method,
            route: routeUrl,
            status: reply.statusCode,
            ip,
            userAgent: request.headers['user-agent'] ?? null,
            actingUserId: principal.userId,
          });
        done(null, payload);
      };
    }
  },
  { name: 'keywarden-authenticate', dependencies: ['keywarden-route-basics'] },
);
