import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { callerOf } from '../../caller.js';
import { replyFailure } from '../../reply-error.js';
import { authErrors, CreatePatBody, CredentialList, Issued } from '../../schemas.js';
import { lifecycleRoutes } from './credential-lifecycle.js';

/** Your own Personal Access Tokens. */
export const personalAccessTokenRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { credentials } = app.keywarden.warden;
  const config = { auth: { management: true } };
  const tags = ['personal access tokens'];

  app.get(
    '/',
    {
      config,
      schema: { tags, summary: 'List your tokens', response: { 200: CredentialList, ...authErrors } },
    },
    async (request, reply) => {
      const result = await credentials.list(callerOf(request), 'pat');
      return result.ok ? { data: result.value } : replyFailure(reply, result);
    },
  );

  app.post(
    '/',
    {
      config,
      schema: {
        tags,
        summary: 'Create a token (the secret is shown once)',
        body: CreatePatBody,
        response: { 201: Issued, ...authErrors },
      },
    },
    async (request, reply) => {
      const result = await credentials.createPat(callerOf(request), request.body);
      return result.ok ? reply.code(201).send(result.value) : replyFailure(reply, result);
    },
  );

  lifecycleRoutes(app, 'pat', 'a token', tags);
};
