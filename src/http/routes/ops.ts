import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { replyError } from '../reply-error.js';

/** Health, readiness and Prometheus metrics. */
export const opsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { warden, metrics } = app.keywarden;
  const tags = ['operations'];
  app.get(
    '/healthz',
    { schema: { tags, response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({
      status: 'ok' as const,
    }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        tags,
        response: { 200: Type.Object({ status: Type.Literal('ready') }), 503: Type.Ref('ErrorBody') },
      },
    },
    async (request, reply) => {
      try {
        await warden.store.ping();
        return { status: 'ready' as const };
      } catch (error) {
        request.log.warn({ err: error }, 'database not reachable');
        return replyError(reply, 'unavailable', 'The database is not reachable');
      }
    },
  );
  app.get('/metrics', { schema: { tags, produces: ['text/plain'] } }, async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
};
