import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { ChangeEvent } from './credentials-service.js';

/**
 * Carries cache invalidations between nodes. Each node already invalidates its own cache
 * synchronously; the bus tells the others. A node that may have missed messages (listener
 * reconnect) is told to drop everything with `{ type: 'all' }`.
 */
export interface InvalidationBus {
  publish(event: ChangeEvent): void;
  subscribe(handler: (event: ChangeEvent | { type: 'all' }) => void): void;
  close(): Promise<void>;
}

/** A single-node bus: nothing to tell anyone. */
export function createLocalBus(): InvalidationBus {
  return { publish() {}, subscribe() {}, async close() {} };
}

const CHANNEL = 'keywarden_invalidation';

/** A bus over PostgreSQL `LISTEN/NOTIFY`, for several nodes sharing one database server. */
export async function createPostgresBus(
  connectionString: string,
  onError: (error: unknown) => void = () => {},
): Promise<InvalidationBus> {
  const origin = randomUUID();
  const handlers: ((event: ChangeEvent | { type: 'all' }) => void)[] = [];
  const emit = (event: ChangeEvent | { type: 'all' }) => {
    for (const handler of handlers) handler(event);
  };
  const publisher = new pg.Pool({ connectionString, max: 1 });
  publisher.on('error', onError);
  let listener: pg.Client | null = null;
  let closed = false;

  async function listen(): Promise<void> {
    const client = new pg.Client({ connectionString });
    client.on('notification', (message) => {
      if (!message.payload) return;
      try {
        const parsed = JSON.parse(message.payload) as ChangeEvent & { origin: string };
        if (parsed.origin !== origin) emit(parsed);
      } catch (error) {
        onError(error);
      }
    });
    client.on('error', (error) => {
      onError(error);
      if (closed) return;
      listener = null;
      // Messages may have been missed while disconnected: drop all cached state, then relisten.
      emit({ type: 'all' });
      setTimeout(() => void listen().catch(onError), 1000).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    listener = client;
  }

  await listen();
  return {
    publish(event) {
      publisher
        .query('select pg_notify($1, $2)', [CHANNEL, JSON.stringify({ ...event, origin })])
        .catch(onError);
    },
    subscribe(handler) {
      handlers.push(handler);
    },
    async close() {
      closed = true;
      await listener?.end().catch(() => {});
      await publisher.end().catch(() => {});
    },
  };
}
