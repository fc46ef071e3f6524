import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { callerOf } from '../../caller.js';
import { replyFailure } from '../../reply-error.js';
import { authErrors, IdParams } from '../../schemas.js';

const Activity = Type.Object({
  at: Type.String({ format: 'date-time' }),
  method: Type.String(),
  route: Type.String(),
  status: Type.Integer(),
  ip: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  actingUserId: Type.Union([Type.String(), Type.Null()]),
});

/** Recent requests made with a credential, and its daily counts. */
export const credentialRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { credentials, usage } = app.keywarden.warden;
  app.get(
    '/:id/activity',
    {
      config: { auth: { management: true } },
      schema: {
        tags: ['credentials'],
        summary: 'Recent requests made with a credential',
        params: IdParams,
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }),
        response: {
          200: Type.Object({
            data: Type.Array(Activity),
            daily: Type.Array(Type.Object({ day: Type.String(), requests: Type.Integer() })),
          }),
          ...authErrors,
        },
      },
    },
    async (request, reply) => {
      const found = await credentials.get(callerOf(request), request.params.id);
      if (!found.ok) return replyFailure(reply, found);
      await usage.flush();
      return {
        data: await usage.activity(request.params.id, request.query.limit ?? 100),
        daily: await usage.daily(request.params.id),
      };
    },
  );
};
