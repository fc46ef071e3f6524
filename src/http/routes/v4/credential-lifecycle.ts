import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { CredentialKind } from '../../../credentials/format.js';
import { callerOf } from '../../caller.js';
import { replyFailure } from '../../reply-error.js';
import { authErrors, CredentialEnvelope, IdParams, RollBody, Rolled } from '../../schemas.js';

type App = Parameters<FastifyPluginAsyncTypebox>[0];

/**
 * The state changes both kinds share, under the kind's own prefix: revoke (`DELETE /:id`), roll,
 * and for API keys deactivate / activate. The service checks who may change what.
 */
export function lifecycleRoutes(app: App, kind: CredentialKind, noun: string, tags: string[]): void {
  const { credentials } = app.keywarden.warden;
  const config = { auth: { management: true } };
  const one = (summary: string) => ({
    config,
    schema: { tags, summary, params: IdParams, response: { 200: CredentialEnvelope, ...authErrors } },
  });

  app.delete('/:id', one(`Revoke ${noun} (permanent)`), async (request, reply) => {
    const result = await credentials.revoke(callerOf(request), kind, request.params.id);
    return result.ok ? { credential: result.value } : replyFailure(reply, result);
  });

  if (kind === 'api_key') {
    for (const [action, active] of [
      ['deactivate', false],
      ['activate', true],
    ] as const) {
      app.post(
        `/:id/${action}`,
        one(`${action[0]?.toUpperCase()}${action.slice(1)} ${noun}`),
        async (request, reply) => {
          const result = await credentials.setActive(callerOf(request), request.params.id, active);
          return result.ok ? { credential: result.value } : replyFailure(reply, result);
        },
      );
    }
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
      const caller = callerOf(request);
      const result = await credentials.roll(caller, kind, request.params.id, request.body?.overlapSeconds);
      return result.ok ? reply.code(201).send(result.value) : replyFailure(reply, result);
    },
  );
}
