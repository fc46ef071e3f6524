import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { SCOPES } from '../../../auth/scopes.js';

const list = Object.entries(SCOPES).map(([name, description]) => ({ name, description }));

/** The scopes a credential can be limited to (public). */
export const scopeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/',
    {
      schema: {
        tags: ['credentials'],
        summary: 'List the scopes a credential can be limited to',
        security: [],
        response: {
          200: Type.Object({
            data: Type.Array(Type.Object({ name: Type.String(), description: Type.String() })),
          }),
        },
      },
    },
    async () => ({ data: list }),
  );
};
