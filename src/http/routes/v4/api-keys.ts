import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { callerOf } from '../../caller.js';
import { replyFailure } from '../../reply-error.js';
import {
  authErrors,
  CreateApiKeyBody,
  CredentialEnvelope,
  CredentialList,
  IdParams,
  Issued,
  RollBody,
  Rolled,
} from '../../schemas.js';

/** The company's Platform API keys (owners and admins). */
export const apiKeyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { credentials } = app.keywarden.warden;
  const config = { auth: { management: true } };
  const tags = ['platform API keys'];
  const one = {
    config,
    schema: { tags, params: IdParams, response: { 200: CredentialEnvelope, ...authErrors } },
  };

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

  app.delete('/:id', one, async (request, reply) => {
    const result = await credentials.revoke(callerOf(request), 'api_key', request.params.id);
    return result.ok ? { credential: result.value } : replyFailure(reply, result);
  });

  for (const [action, active] of [
    ['deactivate', false],
    ['activate', true],
  ] as const) {
    app.post(`/:id/${action}`, one, async (request, reply) => {
      const result = await credentials.setActive(callerOf(request), request.params.id, active);
      return result.ok ? { credential: result.value } : replyFailure(reply, result);
    });
  }

  app.post(
    '/:id/roll',
    {
      config,
      schema: {
        tags,
        summary: 'Issue a new secret; the old one works for the overlap',
        params: IdParams,
        body: RollBody,
        response: { 201: Rolled, ...authErrors },
      },
    },
    async (request, reply) => {
      const result = await credentials.roll(
        callerOf(request),
        'api_key',
        request.params.id,
        request.body?.overlapSeconds,
      );
      return result.ok ? reply.code(201).send(result.value) : replyFailure(reply, result);
    },
  );
};
