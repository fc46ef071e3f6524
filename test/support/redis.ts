import { Redis } from 'ioredis';

/**
 * The Redis server for suites that share rate limits across nodes. With `CI` set it is required
 * and its absence fails the run; elsewhere the suites skip loudly (as PostgreSQL's do).
 */
const candidate = process.env.KEYWARDEN_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function probe(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** The URL of a reachable Redis server, or `null` (which fails under CI). */
export const redisUrl: string | null = (await probe(candidate)) ? candidate : null;

if (redisUrl === null) {
  const message = `Redis is not reachable at ${candidate}: Redis suites are SKIPPED.`;
  if (process.env.CI) throw new Error(`${message} CI requires them (set KEYWARDEN_TEST_REDIS_URL).`);
  console.warn(`\n⚠️  ${message}\n`);
}
