import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { OUTCOME_ERROR, type Principal } from '../../auth/outcome.js';
import { hasScope, MANAGEMENT_SCOPE, type Scope } from '../../auth/scopes.js';
import { ERRORS } from '../../errors.js';
import type { LimitDecision } from '../rate-limits.js';
import { REALM, replyError } from '../reply-error.js';

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

export const SESSION_COOKIE = 'kw_session';
const DEFAULT_ACTING_HEADER = 'x-meetergo-api-user-id';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The principal of an authenticated route (the hook guarantees it is set). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('route has no config.auth but reads the principal');
  return request.principal;
}

/**
 * IETF `RateLimit-Policy` / `RateLimit` and the common `X-RateLimit-*` headers for one limit
 * (`credential`, or `auth-failures` for an IP's failed-authentication budget); `Retry-After`
 * when refused.
 */
export function setLimitHeaders(
  reply: FastifyReply,
  decision: LimitDecision,
  policy: 'credential' | 'auth-failures' = 'credential',
): void {
  const reset = Math.max(0, Math.ceil(decision.resetMs / 1000));
  reply.header('ratelimit-policy', `"${policy}";q=${decision.limit};w=${decision.windowSeconds}`);
  reply.header('ratelimit', `"${policy}";r=${decision.remaining};t=${reset}`);
  reply.header('x-ratelimit-limit', decision.limit);
  reply.header('x-ratelimit-remaining', decision.remaining);
  reply.header('x-ratelimit-reset', Math.ceil((Date.now() + decision.resetMs) / 1000));
  if (!decision.allowed) reply.header('retry-after', Math.max(1, reset));
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

    async function bearer(request: FastifyRequest, reply: FastifyReply, auth: RouteAuth, header: string) {
      const acting = request.headers[actingHeader];
      const input = {
        authorization: header,
        actingUserId: Array.isArray(acting) ? acting.join(',') : acting,
        ownerDefault: auth.ownerDefault === true,
        ip: request.ip,
      };
      const started = performance.now();
      // Memory first: a cached valid credential is let through even from an IP that is over its
      // failed-authentication budget (that budget guards the database and guessing, and a valid
      // credential is neither). Anything else is checked against the budget before any lookup.
      let outcome = warden.verifier.verifyFromCache(input);
      if (outcome === undefined || outcome.kind !== 'valid') {
        const blocked = await limits.authFailuresExceeded(request.ip);
        if (blocked) {
          metrics.rateLimited.inc({ limit: 'auth_failures' });
          setLimitHeaders(reply, blocked, 'auth-failures');
          return replyError(reply, 'rate_limited');
        }
        outcome ??= await warden.verify(input);
      }
      metrics.verificationSeconds.observe((performance.now() - started) / 1000);
      const kind = outcome.kind === 'valid' ? outcome.principal.via : 'unknown';
      metrics.verifications.inc({ outcome: outcome.kind, kind });

      if (outcome.kind !== 'valid') {
        const code = OUTCOME_ERROR[outcome.kind];
        if (ERRORS[code].status === 401) await limits.recordAuthFailure(request.ip);
        return replyError(reply, code, message(ERRORS[code].message), true);
      }
      const principal = outcome.principal;
      const credential = principal.credential;
      if (!credential) throw new Error('bearer principal without credential');
      request.principal = principal;
      if (credential.expiresAt) reply.header(config.EXPIRY_HEADER, credential.expiresAt.toISOString());
      else reply.header(config.EXPIRY_HEADER, 'never');

      const decision = await limits.consumeCredential(credential.id, credential.rateLimit ?? defaultRate);
      setLimitHeaders(reply, decision);
      if (!decision.allowed) {
        metrics.rateLimited.inc({ limit: 'credential' });
        return replyError(reply, 'rate_limited');
      }
      if (credential.limitedUsage) {
        const remaining = await warden.credentials.consumeUsage(credential.id);
        if (remaining === null) {
          metrics.rateLimited.inc({ limit: 'usage' });
          return replyError(reply, 'usage_exhausted');
        }
        reply.header('x-usage-remaining', remaining);
      }

      if (auth.userManagement && principal.via === 'pat')
        return replyError(reply, 'user_management_requires_api_key');
      const needed = auth.management ? MANAGEMENT_SCOPE : auth.scope;
      if (needed && !hasScope(credential.scopes, true, needed)) {
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

    app.addHook('onRequest', async (request, reply) => {
      const auth = request.routeOptions.config.auth;
      if (!auth) return;
      const header = request.headers.authorization;
      if (header !== undefined && header !== '') return bearer(request, reply, auth, header);
      const token = request.cookies[SESSION_COOKIE];
      if (token) return session(request, reply, token);
      return replyError(reply, 'missing_authorization');
    });

    // Usage is recorded after the response, off the request path (a callback hook: no promise).
    app.addHook('onResponse', (request, reply, done) => {
      const credential = request.principal?.credential;
      if (!credential || !request.principal) return done();
      warden.usage.record({
        credentialId: credential.id,
        at: Date.now(),
        method: request.method,
        route: request.routeOptions.url ?? request.url.split('?')[0] ?? '',
        status: reply.statusCode,
        ip: request.ip,
        userAgent: request.headers['user-agent'] ?? null,
        actingUserId: request.principal.userId,
      });
      done();
    });
  },
  { name: 'keywarden-authenticate', dependencies: ['@fastify/cookie'] },
);
