import { isIP } from 'node:net';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/** The environment the server reads (a `.env` file is loaded first by the CLI). */
export const ConfigSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ default: '127.0.0.1' }),
  /** unset = PGlite in ./data; `pglite://<dir>`; `memory://`; `postgres://…` */
  DATABASE_URL: Type.Optional(Type.String()),
  /** Shared rate limits across nodes. */
  REDIS_URL: Type.Optional(Type.String()),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info' },
  ),
  SIGNUP_ENABLED: Type.Boolean({ default: true }),
  DEFAULT_PLAN: Type.Union([Type.Literal('free'), Type.Literal('essentials'), Type.Literal('enterprise')], {
    default: 'enterprise',
  }),
  PAT_PREFIX: Type.String({ default: 'rgo-' }),
  API_KEY_PREFIX: Type.String({ default: 'ak_live' }),
  ACTING_USER_HEADER: Type.String({ default: 'x-meetergo-api-user-id', pattern: '^[A-Za-z0-9-]+$' }),
  EXPIRY_HEADER: Type.String({ default: 'x-credential-expires-at', pattern: '^[A-Za-z0-9-]+$' }),
  /** Default per-credential rate limit: requests per window. */
  RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 600 }),
  RATE_LIMIT_WINDOW_SECONDS: Type.Integer({ minimum: 1, default: 60 }),
  /** Failed authentications allowed per IP per window before 429. */
  AUTH_FAILURE_LIMIT: Type.Integer({ minimum: 1, default: 60 }),
  AUTH_FAILURE_WINDOW_SECONDS: Type.Integer({ minimum: 1, default: 60 }),
  SESSION_TTL_HOURS: Type.Integer({ minimum: 1, default: 168 }),
  /** Send cookies with `Secure` (on behind HTTPS). */
  COOKIE_SECURE: Type.Boolean({ default: false }),
  /** Extra origins allowed for cookie-authenticated unsafe requests, comma separated. */
  ALLOWED_ORIGINS: Type.String({ default: '' }),
  /**
   * Which proxies may set the client IP, protocol and host (`X-Forwarded-*`): `false`, a number
   * of hops (`1` = the proxy in front of us), addresses or CIDR ranges (comma separated), or
   * `true` (every hop: only where the proxy replaces `X-Forwarded-For`).
   */
  TRUST_PROXY: Type.Union([Type.Boolean(), Type.Integer({ minimum: 1 }), Type.String({ minLength: 1 })], {
    default: false,
  }),
  USAGE_FLUSH_MS: Type.Integer({ minimum: 50, default: 5000 }),
  CACHE_MAX_CREDENTIALS: Type.Integer({ minimum: 1, default: 100_000 }),
  CACHE_TTL_MS: Type.Integer({ minimum: 1, default: 60_000 }),
  /** Serve the dashboard from web/dist. */
  DASHBOARD_ENABLED: Type.Boolean({ default: true }),
});

export type Config = Static<typeof ConfigSchema>;

const BOOLEAN_KEYS = ['SIGNUP_ENABLED', 'COOKIE_SECURE', 'DASHBOARD_ENABLED'] as const;
const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];

/** `TRUST_PROXY` as Fastify takes it: a switch, a hop count, or a list of addresses and ranges. */
function trustProxy(value: string): boolean | number | string {
  const lower = value.trim().toLowerCase();
  if (FALSE.includes(lower)) return false;
  // `1` is a hop count, not "yes": trusting one hop is what a single reverse proxy needs.
  if (/^[0-9]+$/.test(lower)) return Number(lower);
  if (TRUE.includes(lower)) return true;
  return value;
}

/** The entries of a `TRUST_PROXY` list that are not an IP address or CIDR range. */
function invalidProxyEntries(list: string): string[] {
  return list
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => {
      const [address = '', bits, extra] = entry.split('/');
      const family = isIP(address);
      if (family === 0 || extra !== undefined) return true;
      if (bits === undefined) return false;
      const max = family === 4 ? 32 : 128;
      return !/^[0-9]+$/.test(bits) || Number(bits) > max;
    });
}

/**
 * Reads configuration from an environment object: unknown keys are ignored, defaults filled,
 * numbers and booleans converted; throws one error listing every invalid setting.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const known = Object.keys(ConfigSchema.properties);
  const raw: Record<string, unknown> = {};
  for (const key of known) {
    const value = env[key];
    if (value === undefined || value === '') continue;
    if (key === 'TRUST_PROXY') raw[key] = trustProxy(value);
    else
      raw[key] = (BOOLEAN_KEYS as readonly string[]).includes(key)
        ? TRUE.includes(value.toLowerCase())
        : value;
  }
  const converted = Value.Default(ConfigSchema, Value.Convert(ConfigSchema, raw));
  const errors = [...Value.Errors(ConfigSchema, converted)].map(
    (error) => `${error.path.slice(1) || '(root)'}: ${error.message}`,
  );
  const proxies = (converted as Config).TRUST_PROXY;
  if (typeof proxies === 'string') {
    const invalid = invalidProxyEntries(proxies);
    if (invalid.length > 0)
      errors.push(
        `TRUST_PROXY: expected true, false, a hop count, or IP addresses and CIDR ranges; not ${invalid.join(', ')}`,
      );
  }
  if (errors.length > 0) {
    const lines = errors;
    throw new Error(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return converted as Config;
}
