import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import * as schema from './schema.js';

/** A Drizzle database (or transaction) over either driver: the same code runs on both. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export type DriverName = 'pglite' | 'postgres';

/** An open database plus the process concerns around it. */
export interface Store {
  readonly db: Database;
  readonly driver: DriverName;
  /** Where the data lives, without credentials (for logs). */
  readonly location: string;
  /** Number of SQL statements sent since open: lets tests prove a path does no database work. */
  readonly queryCount: () => number;
  /** Counts a statement sent around Drizzle (straight to `client`), so `queryCount` stays true. */
  noteStatement(): void;
  /**
   * Number of credentials looked up by hash since open (one statement may look up several):
   * lets tests and benchmarks prove that each cold verification went to the database.
   */
  readonly lookupCount: () => number;
  noteLookups(count: number): void;
  /** Applies pending migrations; safe to call concurrently from several processes. */
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /** The PGlite instance or the pg pool, for LISTEN/NOTIFY and benchmarks. */
  readonly client: PGlite | pg.Pool;
}

export interface OpenStoreOptions {
  /** Pool size for a PostgreSQL server. Default 10. */
  poolSize?: number;
}

const MIGRATION_LOCK_ID = 727_274_001;

/** The folder with Drizzle's SQL migrations, found from this file whether run from src or dist. */
function migrationsFolder(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'drizzle');
    if (existsSync(join(candidate, 'meta', '_journal.json'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('Keywarden migrations folder (drizzle/) not found');
}

/** Describes a database URL for logs, without user, password or query string. */
export function describeDatabaseUrl(url: string | undefined): string {
  if (!url) return 'pglite://./data';
  if (url === 'memory://' || url.startsWith('pglite://')) return url;
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return 'postgres://(unparseable url)';
  }
}

/**
 * Opens the database named by `url`:
 * unset → embedded PGlite in `./data`; `pglite://<dir>` → embedded PGlite in `<dir>`;
 * `memory://` → ephemeral PGlite; `postgres://…` / `postgresql://…` → a PostgreSQL server.
 *
 * @example
 * const store = await openStore('memory://');
 * await store.migrate();
 * await store.close();
 */
export async function openStore(url: string | undefined, options: OpenStoreOptions = {}): Promise<Store> {
  let count = 0;
  let lookups = 0;
  const logger = { logQuery: () => void count++ };
  const location = describeDatabaseUrl(url);

  if (url?.startsWith('postgres://') || url?.startsWith('postgresql://')) {
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    pool.on('error', () => {});
    const db = drizzleNodePg({ client: pool, schema, logger }) as unknown as Database;
    return {
      db,
      driver: 'postgres',
      location,
      client: pool,
      queryCount: () => count,
      noteStatement: () => void count++,
      lookupCount: () => lookups,
      noteLookups: (n) => {
        lookups += n;
      },
      async migrate() {
        const lock = await pool.connect();
        try {
          await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
          await migrateNodePg(drizzleNodePg({ client: pool, schema }), {
            migrationsFolder: migrationsFolder(),
          });
        } finally {
          await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => {});
          lock.release();
        }
      },
      async ping() {
        await db.execute(sql`select 1`);
      },
      async close() {
        await pool.end();
      },
    };
  }

  let dataDir: string | undefined;
  if (url === 'memory://') dataDir = undefined;
  else if (!url) dataDir = resolve('data');
  else if (url.startsWith('pglite://')) dataDir = resolve(url.slice('pglite://'.length) || 'data');
  else throw new Error(`Unsupported DATABASE_URL scheme: ${location}`);
  if (dataDir) mkdirSync(dataDir, { recursive: true });

  const client = dataDir ? new PGlite(dataDir) : new PGlite();
  await client.waitReady;
  const db = drizzlePglite({ client, schema, logger }) as unknown as Database;
  return {
    db,
    driver: 'pglite',
    location,
    client,
    queryCount: () => count,
    noteStatement: () => void count++,
    lookupCount: () => lookups,
    noteLookups: (n) => {
      lookups += n;
    },
    async migrate() {
      await migratePglite(drizzlePglite({ client, schema }), { migrationsFolder: migrationsFolder() });
    },
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      if (!client.closed) await client.close();
    },
  };
}
