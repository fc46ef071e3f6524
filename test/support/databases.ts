import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Database targets for store suites: embedded PGlite always, a real PostgreSQL server when one
 * answers. With `CI` set the server is required and its absence fails the run; elsewhere the
 * suites skip loudly.
 */
const candidates = process.env.KEYWARDEN_TEST_PG_URL
  ? [process.env.KEYWARDEN_TEST_PG_URL]
  : ['postgres://postgres@127.0.0.1:5432/postgres', 'postgres://root@127.0.0.1:5432/postgres'];

async function probe(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function findServer(): Promise<string | null> {
  for (const url of candidates) if (await probe(url)) return url;
  return null;
}

/** The admin URL of a reachable PostgreSQL server, or `null` (which fails under CI). */
export const postgresAdminUrl: string | null = await findServer();

if (postgresAdminUrl === null) {
  const message = `PostgreSQL is not reachable at ${candidates.join(' or ')}: PostgreSQL suites are SKIPPED.`;
  if (process.env.CI) throw new Error(`${message} CI requires them (set KEYWARDEN_TEST_PG_URL).`);
  console.warn(`\n⚠️  ${message}\n`);
}

/** Creates a fresh, empty database on the server and returns its URL and a drop function. */
export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!postgresAdminUrl) throw new Error('PostgreSQL is not available');
  const name = `keywarden_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresAdminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: postgresAdminUrl ?? '' });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

export interface DatabaseTarget {
  name: 'pglite' | 'postgres';
  available: boolean;
  /** Gives a fresh database URL and its cleanup. */
  create(): Promise<{ url: string; drop: () => Promise<void> }>;
}

export const databaseTargets: DatabaseTarget[] = [
  { name: 'pglite', available: true, create: async () => ({ url: 'memory://', drop: async () => {} }) },
  { name: 'postgres', available: postgresAdminUrl !== null, create: createPostgresDatabase },
];
