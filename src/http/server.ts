import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { buildApp } from './app.js';

/**
 * Process concerns only: build the app, listen, and close gracefully on SIGINT/SIGTERM
 * (in-flight requests finish, buffered usage is flushed, the database is closed).
 */
export async function startServer(config: Config): Promise<FastifyInstance> {
  const app = await buildApp({ config });
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    try {
      await app.close();
      process.exit(0);
    } catch (error) {
      app.log.error({ err: error }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  await app.listen({ port: config.PORT, host: config.HOST });
  app.log.info({ database: app.keywarden.warden.store.location }, 'Keywarden is ready');
  return app;
}
