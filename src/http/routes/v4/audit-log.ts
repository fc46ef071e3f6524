import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { isCompanyAdmin } from '../../../auth/scopes.js';
import { principalOf } from '../../plugins/authenticate.js';
import { replyError } from '../../reply-error.js';
import { authErrors } from '../../schemas.js';

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

/** The company's audit log: every management action and login (owners and admins). */
export const auditLogRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { warden } = app.keywarden;
  app.get(
    '/',
    {
      config: { auth: { management: true } },
      schema: {
        tags: ['audit'],
        summary: 'The audit log, newest first',
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
          // Event ids are safe integers: anything larger could not name one (and would overflow bigint).
          before: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
        }),
        response: {
          200: Type.Object({
            data: Type.Array(
              Type.Object({
                id: Type.Integer(),
                at: Type.String({ format: 'date-time' }),
                action: Type.String(),
                actorUserId: Nullable(Type.String()),
                actorEmail: Nullable(Type.String()),
                actorCredentialId: Nullable(Type.String()),
                credentialId: Nullable(Type.String()),
                credentialName: Nullable(Type.String()),
                ip: Nullable(Type.String()),
                details: Type.Record(Type.String(), Type.Unknown()),
              }),
            ),
          }),
          ...authErrors,
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      if (!isCompanyAdmin(principal.role))
        return replyError(reply, 'forbidden', 'Only owners and admins can read the audit log');
      const entries = await warden.audit.list(principal.companyId, request.query);
      return { data: entries.map((entry) => ({ ...entry, at: entry.at.toISOString() })) };
    },
  );
};
