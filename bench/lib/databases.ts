import { randomBytes } from 'node:crypto';
import pg from 'pg';

const candidates = process.env.KEYWARDEN_BENCH_PG_URL
  ? [process.env.KEYWARDEN_BENCH_PG_URL]
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

/** The admin URL of a reachable PostgreSQL server, or `null`. */
export async function findPostgres(): Promise<string | null> {
  for (const url of candidates) if (await probe(url)) return url;
  return null;
}

export async function postgresVersion(adminUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const result = await client.query<{ server_version: string }>('show server_version');
    return result.rows[0]?.server_version ?? 'unknown';
  } finally {
    await client.end();
  }
}

export interface FreshDatabase {
  url: string;
  drop: () => Promise<void>;
}

/** Creates an empty database on the server; `drop` removes it (forcing out leftover sessions). */
export async function createDatabase(adminUrl: string, purpose: string): Promise<FreshDatabase> {
  const name = `keywarden_bench_${purpose}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Runs `body` on a fresh database of the server and always drops it afterwards. */
export async function withPostgres<T>(
  adminUrl: string,
  purpose: string,
  body: (url: string) => Promise<T>,
): Promise<T> {
  const db = await createDatabase(adminUrl, purpose);
  try {
    return await body(db.url);
  } finally {
    await db.drop().catch((error: unknown) => console.warn(`could not drop ${db.url}:`, error));
  }
}
