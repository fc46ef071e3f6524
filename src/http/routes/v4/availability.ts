import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createResourcesService } from '../../../warden/resources-service.js';
import { principalOf } from '../../plugins/authenticate.js';
import { replyFailure } from '../../reply-error.js';
import { Availability, authErrors, PutAvailabilityBody, UserIdQuery } from '../../schemas.js';

const tags = ['availability'];

/** The acting user's weekly hours and time zone (owners and admins: any company user's). */
export const availabilityRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const resources = createResourcesService({ db: app.keywarden.warden.store.db });

  app.get(
    '/',
    {
      config: { auth: { scope: 'availability:read' } },
      schema: {
        tags,
        summary: 'Weekly hours and time zone (default Mon–Fri 09:00–17:00 until saved)',
        querystring: UserIdQuery,
        response: { 200: Availability, ...authErrors },
      },
    },
    async (request, reply) => {
      const result = await resources.getAvailability(principalOf(request), request.query.userId);
      return result.ok ? result.value : replyFailure(reply, result);
    },
  );

  app.put(
    '/',
    {
      config: { auth: { scope: 'availability:write' } },
      schema: {
        tags,
        summary: 'Replace the weekly hours and time zone',
        querystring: UserIdQuery,
        body: PutAvailabilityBody,
        response: { 200: Availability, ...authErrors },
      },
    },
    async (request, reply) => {
      const result = await resources.setAvailability(
        principalOf(request),
        request.body,
        request.query.userId,
      );
      return result.ok ? result.value : replyFailure(reply, result);
    },
  );
};
