import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { callerOf } from '../../caller.js';
import { replyFailure } from '../../reply-error.js';
import { authErrors, CreateApiKeyBody, CredentialList, Issued } from '../../schemas.js';
import { lifecycleRoutes } from './credential-lifecycle.js';

/** The company's Platform API keys (owners and admins). */
export const apiKeyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { credentials } = app.keywarden.warden;
  const config = { auth: { management: true } };
  const tags = ['platform API keys'];

  app.get(
    '/',
    { config, schema: { tags, summary: 'List API keys', response: { 200: CredentialList, ...authErrors } } },
    async (request, reply) => {
      const result = await credentials.list(callerOf(request), 'api_key');
      return result.ok ? { data: result.value } : replyFailure(reply, result);
    },
  );

  app.post(
    '/',
    {
      config,
      schema: {
        tags,
        summary: 'Create an API key (the secret is shown once)',
        body: CreateApiKeyBody,
        response: { 201: Issued, ...authErrors },
      },
    },
    async (request, reply) => {
      const result = await credentials.createApiKey(callerOf(request), request.body);
      return result.ok ? reply.code(201).send(result.value) : replyFailure(reply, result);
    },
  );

  lifecycleRoutes(app, 'api_key', 'an API key', tags);
};
