import { randomBytes } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { type Config, loadConfig } from '../config.js';
import { holdTickShape } from '../tick-shape.js';
import { createWarden, type Warden } from '../warden/create-warden.js';
import { createSessionsService, type SessionsService } from '../warden/sessions-service.js';
import { jsonBodyParser } from './json-body.js';
import { createMetrics, type Metrics } from './metrics.js';
import { authenticatePlugin } from './plugins/authenticate.js';
import { dashboardPlugin } from './plugins/dashboard.js';
import { docsPlugin } from './plugins/docs.js';
import { clientError, errorsPlugin, frameworkErrors } from './plugins/errors.js';
import { routeBasicsPlugin } from './plugins/route-basics.js';
import { createRateLimits, type RateLimits } from './rate-limits.js';
import { routes } from './routes/index.js';
import { sharedSchemas } from './schemas.js';

/** What every route and plugin reaches through `app.keywarden`. */
export interface KeywardenContext {
  config: Config;
  warden: Warden;
  limits: RateLimits;
  metrics: Metrics;
  sessions: SessionsService;
}

declare module 'fastify' {
  interface FastifyInstance {
    keywarden: KeywardenContext;
  }
}

export interface AppOptions {
  /** Settings; anything missing comes from the defaults (not from process.env). */
  config?: Partial<Config>;
  /** A warden to use (the app then does not close it); else one is created from the config. */
  warden?: Warden;
  /** Fastify logger options, or a pino logger; default: JSON logs at `config.LOG_LEVEL`. */
  logger?: FastifyServerOptions['logger'] | FastifyBaseLogger;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Generated request ids: a random tag drawn once per process, then a counter (`9f2c…e41a-1k7`).
 * Unique across nodes and restarts, and without a `randomUUID` per request, which was about
 * 0.8 µs of each warm `GET /v4/user/me` in a CPU profile. An id names a request in the logs; it
 * is not a secret and grants nothing.
 */
const generatedIds = { tag: `${randomBytes(8).toString('hex')}-`, count: 0 };
function nextRequestId(): string {
  generatedIds.count++;
  return generatedIds.tag + generatedIds.count.toString(36);
}

const REDACT = {
  paths: [
    'req.headers.authorization',
    'req.headers.cookie',
    'res.headers["set-cookie"]',
    '*.password',
    '*.token',
  ],
  censor: '[redacted]',
};
const SERIALIZERS = {
  req: (request: { method: string; url: string; id: string; ip?: string }) => ({
    id: request.id,
    method: request.method,
    // Query strings may carry secrets someone pasted; the path is enough to follow a request.
    path: request.url.split('?')[0],
    ip: request.ip,
  }),
};

/**
 * `TRUST_PROXY` as Fastify's `trustProxy`: a hop count becomes the function proxy-addr would
 * compile from it (the first `hops` hops, counted from this server, are trusted).
 */
function trustedProxies(
  setting: Config['TRUST_PROXY'],
): boolean | string | ((address: string, hop: number) => boolean) {
  if (typeof setting !== 'number') return setting;
  return (_address, hop) => hop < setting;
}

/** Logger options that never write a credential, cookie or query string. */
export function loggerOptions(level: string): FastifyServerOptions['logger'] {
  return { level, redact: REDACT, serializers: SERIALIZERS };
}

/**
 * Fastify logger settings from whatever the caller gave: its level and destination are kept, but
 * the redaction and request serializer always apply, so that an injected pino logger or custom
 * options do not bring back Fastify's default (which logs the full URL with its query string).
 */
function safeLogger(
  given: AppOptions['logger'],
  level: string,
): Pick<FastifyServerOptions, 'logger' | 'loggerInstance'> {
  if (given === undefined || given === true) return { logger: loggerOptions(level) };
  if (given === false || given === null) return { logger: false };
  if ('child' in given)
    return { loggerInstance: given.child({}, { redact: REDACT, serializers: SERIALIZERS }) };
  return { logger: { ...given, redact: REDACT, serializers: { ...given.serializers, ...SERIALIZERS } } };
}

/**
 * Builds the Keywarden server: `/v4` API, `/auth` login, dashboard, docs and operations routes.
 *
 * @example
 * const app = await buildApp({ config: { DATABASE_URL: 'memory://' } });
 * await app.listen({ port: 3000 });
 */
export async function buildApp(options: AppOptions = {}): Promise<FastifyInstance> {
  await holdTickShape();
  const config = { ...loadConfig({}), ...options.config };
  const app = Fastify({
    ...safeLogger(options.logger, config.LOG_LEVEL),
    trustProxy: trustedProxies(config.TRUST_PROXY),
    bodyLimit: 64 * 1024,
    genReqId: (request) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : nextRequestId();
    },
    // Errors raised by the router before any hook runs (an over-long path id, a malformed URL).
    frameworkErrors,
    // Requests Node.js itself refuses (unparsable, headers too large, too slow).
    clientErrorHandler: clientError,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  jsonBodyParser(app);

  const ownWarden = !options.warden;
  const warden =
    options.warden ??
    (await createWarden({
      databaseUrl: config.DATABASE_URL,
      defaultPlan: config.DEFAULT_PLAN,
      formats: { patPrefix: config.PAT_PREFIX, apiKeyPrefix: config.API_KEY_PREFIX },
      cache: { maxCredentials: config.CACHE_MAX_CREDENTIALS, ttlMs: config.CACHE_TTL_MS },
      usage: { flushIntervalMs: config.USAGE_FLUSH_MS },
      logger: app.log,
    }));
  const limits = createRateLimits({
    redisUrl: config.REDIS_URL,
    authFailures: { limit: config.AUTH_FAILURE_LIMIT, windowSeconds: config.AUTH_FAILURE_WINDOW_SECONDS },
    onRedisError: (error) => app.log.warn({ err: error }, 'redis error; rate limits fall back to memory'),
  });
  app.decorate('keywarden', {
    config,
    warden,
    limits,
    metrics: createMetrics(),
    sessions: createSessionsService({ db: warden.store.db, ttlHours: config.SESSION_TTL_HOURS }),
  });
  app.addHook('onReady', async () => {
    if (!(await limits.ready()))
      app.log.warn('redis is not reachable yet; rate limits count per node until it is');
  });
  app.addHook('onClose', async () => {
    await limits.close();
    if (ownWarden) await warden.close();
  });

  for (const schema of sharedSchemas) app.addSchema(schema);
  // Before any route is declared: it hooks every route as it is added.
  await app.register(routeBasicsPlugin);
  await app.register(errorsPlugin);
  await app.register(docsPlugin);
  await app.register(authenticatePlugin);
  await app.register(routes);
  if (config.DASHBOARD_ENABLED) await app.register(dashboardPlugin);
  return app;
}
