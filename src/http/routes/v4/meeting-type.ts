import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { createResourcesService } from '../../../warden/resources-service.js';
import { principalOf } from '../../plugins/authenticate.js';
import { replyFailure } from '../../reply-error.js';
import {
  authErrors,
  CreateMeetingTypeBody,
  IdParams,
  MeetingType,
  UpdateMeetingTypeBody,
  UserIdQuery,
} from '../../schemas.js';

const tags = ['meeting types'];
const read = { auth: { scope: 'meeting-types:read' as const } };
const write = { auth: { scope: 'meeting-types:write' as const } };

/** Meeting types: members manage their own; owners and admins the whole company's. */
export const meetingTypeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const resources = createResourcesService({ db: app.keywarden.warden.store.db });

  app.get(
    '/',
    {
      config: read,
      schema: {
        tags,
        summary: 'List meeting types (yours; the whole company for owners and admins)',
        querystring: UserIdQuery,
        response: { 200: Type.Array(MeetingType), ...authErrors },
      },
    },
    async (request, reply) => {
      const result = await resources.listMeetingTypes(principalOf(request), request.query);
      return result.ok ? result.value : replyFailure(reply, result);
    },
  );

  app.post(
    '/',
    {
      config: write,
      schema: {
        tags,
        summary: 'Create a meeting type (for another company user: owners and admins)',
        body: CreateMeetingTypeBody,
        response: { 201: MeetingType, ...authErrors },
      },
    },
    async (request, reply) => {
      const result = await resources.createMeetingType(principalOf(request), request.body);
      return result.ok ? reply.code(201).send(result.value) : replyFailure(reply, result);
    },
  );

  app.get(
    '/:id',
    {
      config: read,
      schema: {
        tags,
        summary: 'One meeting type',
        params: IdParams,
        response: { 200: MeetingType, ...authErrors },
      },
    },
    async (request, reply) => {
      const result = await resources.getMeetingType(principalOf(request), request.params.id);
      return result.ok ? result.value : replyFailure(reply, result);
    },
  );

  app.patch(
    '/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Update a meeting type',
        params: IdParams,
        body: UpdateMeetingTypeBody,
        response: { 200: MeetingType, ...authErrors },
      },
    },
    async (request, reply) => {
      const result = await resources.updateMeetingType(principalOf(request), request.params.id, request.body);
      return result.ok ? result.value : replyFailure(reply, result);
    },
  );

  app.delete(
    '/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Delete a meeting type (its appointments stay, without a meeting type)',
        params: IdParams,
        response: { 200: MeetingType, ...authErrors },
      },
    },
    async (request, reply) => {
      const result = await resources.deleteMeetingType(principalOf(request), request.params.id);
      return result.ok ? result.value : replyFailure(reply, result);
    },
  );
};
