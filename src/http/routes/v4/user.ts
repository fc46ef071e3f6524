import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { isCompanyAdmin } from '../../../auth/scopes.js';
import type { UserView } from '../../../warden/directory-service.js';
import { callerOf } from '../../caller.js';
import { principalOf } from '../../plugins/authenticate.js';
import { replyError, replyFailure } from '../../reply-error.js';
import { authErrors, IdParams } from '../../schemas.js';
import { sendView } from '../../view-json.js';

const UserRef = Type.Ref('User');
const Role = Type.Union([Type.Literal('admin'), Type.Literal('member')]);
const Name = Type.String({ maxLength: 100 });
const tags = ['users'];
const Invitation = Type.Object({
  token: Type.String({ description: 'The one-time invitation token (`kwi_…`), shown only here' }),
  url: Type.String({ description: 'The dashboard link that accepts it: `<origin>/#/invite/<token>`' }),
  expiresAt: Type.String({ format: 'date-time' }),
});

/** The user's view, or `not_found`. */
function answer(reply: FastifyReply, user: UserView | null): FastifyReply {
  return user ? sendView(reply, user) : replyError(reply, 'not_found');
}

/** Users: read (members themselves, admins the company); manage through API keys or sessions only. */
export const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { directory, invitations } = app.keywarden.warden;

  app.get(
    '/me',
    {
      config: { auth: { scope: 'users:read', ownerDefault: true } },
      schema: {
        tags,
        summary: 'The acting user (API keys without the header: the company owner)',
        response: { 200: UserRef, ...authErrors },
      },
    },
    (request, reply) => {
      const { companyId, userId } = principalOf(request);
      // A warm request (the user's view in memory) is answered without a promise.
      const cached = directory.cachedUser(companyId, userId);
      if (cached === undefined)
        return directory.getUser(companyId, userId).then((user) => answer(reply, user));
      answer(reply, cached);
    },
  );

  app.get(
    '/',
    {
      config: { auth: { scope: 'users:read' } },
      schema: {
        tags,
        summary: "The company's users (admins and owners)",
        response: { 200: Type.Array(UserRef), ...authErrors },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      if (!isCompanyAdmin(principal.role))
        return replyError(reply, 'forbidden', 'Only owners and admins can list users');
      return directory.listUsers(principal.companyId);
    },
  );

  app.get(
    '/:id',
    {
      config: { auth: { scope: 'users:read' } },
      schema: { tags, summary: 'One user', params: IdParams, response: { 200: UserRef, ...authErrors } },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const user = await directory.getUser(principal.companyId, request.params.id);
      if (!user) return replyError(reply, 'not_found');
      if (user.id !== principal.userId && !isCompanyAdmin(principal.role))
        return replyError(reply, 'forbidden');
      return sendView(reply, user);
    },
  );

  app.post(
    '/',
    {
      config: { auth: { scope: 'users:write', userManagement: true, ownerDefault: true } },
      schema: {
        tags,
        summary: 'Create a user in the company (admins and owners)',
        body: Type.Object(
          {
            email: Type.String({ minLength: 3, maxLength: 320 }),
            givenName: Type.Optional(Name),
            familyName: Type.Optional(Name),
            role: Type.Optional(Role),
            timezone: Type.Optional(Type.String({ maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: UserRef, ...authErrors },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      if (!isCompanyAdmin(caller.role))
        return replyError(reply, 'forbidden', 'Only owners and admins can create users');
      const result = await directory.createUser(caller, request.body);
      return result.ok ? reply.code(201).send(result.value) : replyFailure(reply, result);
    },
  );

  app.patch(
    '/:id',
    {
      config: { auth: { scope: 'users:write', userManagement: true } },
      schema: {
        tags,
        summary: 'Update a user (admins: anyone in the company; members: themselves, not their role)',
        params: IdParams,
        body: Type.Object(
          {
            email: Type.Optional(Type.String({ minLength: 3, maxLength: 320 })),
            givenName: Type.Optional(Name),
            familyName: Type.Optional(Name),
            role: Type.Optional(Role),
            timezone: Type.Optional(Type.String({ maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: UserRef, ...authErrors },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const self = request.params.id === caller.userId;
      if (!isCompanyAdmin(caller.role) && (!self || request.body.role !== undefined))
        return replyError(reply, 'forbidden');
      const result = await directory.updateUser(caller, request.params.id, request.body);
      return result.ok ? result.value : replyFailure(reply, result);
    },
  );

  app.post(
    '/:id/invitation',
    {
      config: { auth: { scope: 'users:write', userManagement: true } },
      schema: {
        tags,
        summary: 'Invite a user to set their dashboard password (admins and owners)',
        description:
          'Creates a one-time invitation, valid for 7 days, replacing any earlier one for the user. ' +
          'The token is shown only in this response; `url` opens the dashboard page where the user ' +
          'sets a password (`POST /auth/accept-invitation`). Only the owner may invite the owner; a ' +
          'user who already has a password answers 409.',
        params: IdParams,
        response: { 201: Invitation, ...authErrors },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const result = await invitations.create(caller, request.params.id);
      if (!result.ok) return replyFailure(reply, result);
      const { token, expiresAt } = result.value;
      const url = `${request.protocol}://${request.host}/#/invite/${token}`;
      return reply.code(201).send({ token, url, expiresAt: expiresAt.toISOString() });
    },
  );

  app.delete(
    '/:id',
    {
      config: { auth: { scope: 'users:write', userManagement: true } },
      schema: {
        tags,
        summary: 'Delete a user and revoke their tokens (admins and owners)',
        params: IdParams,
        response: { 200: UserRef, ...authErrors },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      if (!isCompanyAdmin(caller.role))
        return replyError(reply, 'forbidden', 'Only owners and admins can delete users');
      if (request.params.id === caller.userId)
        return replyError(reply, 'conflict', 'You cannot delete yourself');
      const result = await directory.deleteUser(caller, request.params.id);
      return result.ok ? result.value : replyFailure(reply, result);
    },
  );
};
