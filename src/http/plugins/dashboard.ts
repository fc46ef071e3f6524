import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import fp from 'fastify-plugin';

/** Finds web/dist from this file whether it runs from src/ or dist/. */
export function dashboardRoot(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'web', 'dist');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    dir = dirname(dir);
  }
  return null;
}

/**
 * The dashboard's own pages and assets: scripts, styles and requests from this server only (the
 * build has no inline script or style; the favicon is a `data:` image), and never inside another
 * site's frame, so a page elsewhere cannot overlay it to steer a logged-in person's clicks.
 */
export const DASHBOARD_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
} as const;

/** Serves the built dashboard at `/` (the SPA routes by hash, so no fallback routing is needed). */
export const dashboardPlugin = fp(
  async (app) => {
    const root = dashboardRoot();
    if (root) {
      await app.register(fastifyStatic, {
        root,
        prefix: '/',
        index: 'index.html',
        wildcard: false,
        setHeaders: (reply) => reply.headers(DASHBOARD_HEADERS),
      });
      return;
    }
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply
        .headers(DASHBOARD_HEADERS)
        .type('text/html; charset=utf-8')
        .send(
          '<!doctype html><title>Keywarden</title><p>The dashboard is not built. Run <code>npm run build</code>.</p>',
        ),
    );
  },
  { name: 'keywarden-dashboard' },
);
