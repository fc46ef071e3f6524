import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hashPassword, verifyPassword } from '../../auth/passwords.js';
import { writeAudit } from '../../store/audit.js';
import { clearSessionCookie, sessionToken, setSessionCookie } from '../cookies.js';
import { setLimitHeaders } from '../plugins/authenticate.js';
import { replyError, replyFailure } from '../reply-error.js';
import { Company, User } from '../schemas.js';

const Session = Type.Object({ user: Type.Ref(User), company: Type.Ref(Company) });
const errors = {
  400: Type.Ref('ErrorBody'),
  401: Type.Ref('ErrorBody'),
  403: Type.Ref('ErrorBody'),
  409: Type.Ref('ErrorBody'),
  429: Type.Ref('ErrorBody'),
};
const Password = Type.String({ minLength: 8, maxLength: 200 });
const Email = Type.String({ minLength: 3, maxLength: 320 });

/**
 * Dashboard login: sign-up (company + owner), log-in and log-out with an HttpOnly session cookie,
 * and the options the login pages need before anyone is logged in.
 */
export const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { warden, sessions, config, limits } = app.keywarden;
  const tags = ['dashboard login'];

  // Login CSRF: a browser that sends an Origin must send ours.
  function foreignOrigin(request: FastifyRequest): boolean {
    const origin = request.headers.origin;
    if (origin === undefined) return false;
    const allowed = config.ALLOWED_ORIGINS.split(',').map((o) => o.trim());
    return origin !== `${request.protocol}://${request.host}` && !allowed.includes(origin);
  }

  async function startSession(reply: FastifyReply, userId: string) {
    const session = await sessions.create(userId);
    setSessionCookie(reply, session.token, { secure: config.COOKIE_SECURE, expires: session.expiresAt });
  }

  /** Refuses (429) an IP that has used up its failed-authentication budget. */
  async function refuseIfBlocked(request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    const blocked = await limits.authFailuresExceeded(request.ip);
    if (!blocked) return false;
    app.keywarden.metrics.rateLimited.inc('auth_failures');
    setLimitHeaders(reply, blocked, 'auth-failures');
    replyError(reply, 'rate_limited');
    return true;
  }

  /** Audits the log-in, starts a session and answers with the user and their company. */
  async function logIn(
    request: FastifyRequest,
    reply: FastifyReply,
    user: { id: string; companyId: string },
  ) {
    const company = await warden.directory.getCompany(user.companyId);
    const profile = await warden.directory.getUser(user.companyId, user.id);
    if (!company || !profile) return replyError(reply, 'invalid_login');
    await writeAudit(
      warden.store.db,
      { companyId: user.companyId, userId: user.id, credentialId: null, ip: request.ip },
      'auth.login',
    );
    await startSession(reply, user.id);
    return { user: profile, company };
  }

  app.get(
    '/options',
    {
      schema: {
        tags,
        summary: 'What the login pages may offer (whether sign-up is open)',
        response: { 200: Type.Object({ signupEnabled: Type.Boolean() }) },
      },
    },
    async () => ({ signupEnabled: config.SIGNUP_ENABLED }),
  );

  app.post(
    '/signup',
    {
      schema: {
        tags,
        summary: 'Create a company and its owner, and log in',
        body: Type.Object(
          {
            company: Type.String({ minLength: 1, maxLength: 200 }),
            name: Type.String({ minLength: 1, maxLength: 200 }),
            email: Email,
            password: Password,
          },
          { additionalProperties: false },
        ),
        response: { 201: Session, ...errors },
      },
    },
    async (request, reply) => {
      if (!config.SIGNUP_ENABLED) return replyError(reply, 'signup_closed');
      if (foreignOrigin(request)) return replyError(reply, 'origin_mismatch');
      const [givenName = '', ...rest] = request.body.name.trim().split(/\s+/);
      const created = await warden.directory.createCompany({
        name: request.body.company,
        owner: {
          email: request.body.email,
          givenName,
          familyName: rest.join(' '),
          passwordHash: await hashPassword(request.body.password),
        },
        ip: request.ip,
      });
      if (!created.ok) return replyFailure(reply, created);
      const { company, owner } = created.value;
      await writeAudit(
        warden.store.db,
        { companyId: company.id, userId: owner.id, credentialId: null, ip: request.ip },
        'auth.signup',
      );
      await startSession(reply, owner.id);
      return reply.code(201).send({ user: owner, company });
    },
  );

  app.post(
    '/login',
    {
      schema: {
        tags,
        summary: 'Log in to the dashboard',
        body: Type.Object(
          { email: Email, password: Type.String({ minLength: 1, maxLength: 200 }) },
          { additionalProperties: false },
        ),
        response: { 200: Session, ...errors },
      },
    },
    async (request, reply) => {
      if (foreignOrigin(request)) return replyError(reply, 'origin_mismatch');
      if (await refuseIfBlocked(request, reply)) return reply;
      const user = await warden.directory.findUserByEmail(request.body.email);
      const valid = await verifyPassword(request.body.password, user?.passwordHash ?? null);
      if (!user || !valid) {
        await limits.recordAuthFailure(request.ip);
        if (user) {
          await writeAudit(
            warden.store.db,
            { companyId: user.companyId, userId: user.id, credentialId: null, ip: request.ip },
            'auth.login_failed',
          );
        }
        return replyError(reply, 'invalid_login');
      }
      return logIn(request, reply, user);
    },
  );

  app.post(
    '/accept-invitation',
    {
      schema: {
        tags,
        summary: 'Accept an invitation: set your first password, and log in',
        description:
          'The token comes from `POST /v4/user/{id}/invitation` (the `#/invite/<token>` link). It works once, ' +
          'for 7 days. An unknown, used or expired token answers `invalid_invitation` and counts toward ' +
          'the failed-authentication limit, like a failed log-in.',
        body: Type.Object(
          { token: Type.String({ minLength: 1, maxLength: 200 }), password: Password },
          { additionalProperties: false },
        ),
        response: { 200: Session, ...errors },
      },
    },
    async (request, reply) => {
      if (foreignOrigin(request)) return replyError(reply, 'origin_mismatch');
      if (await refuseIfBlocked(request, reply)) return reply;
      const accepted = await warden.invitations.accept({ ...request.body, ip: request.ip });
      if (!accepted.ok) {
        if (accepted.code === 'invalid_invitation') await limits.recordAuthFailure(request.ip);
        return replyFailure(reply, accepted);
      }
      return logIn(request, reply, accepted.value);
    },
  );

  app.get(
    '/session',
    {
      schema: {
        tags,
        summary: 'The logged-in user and their company (dashboard session cookie)',
        security: [{ session: [] }],
        response: { 200: Session, 401: Type.Ref('ErrorBody') },
      },
    },
    async (request, reply) => {
      const token = sessionToken(request);
      const found = token ? await sessions.lookup(token) : null;
      if (!found) return replyError(reply, 'not_authenticated');
      const [user, company] = await Promise.all([
        warden.directory.getUser(found.companyId, found.userId),
        warden.directory.getCompany(found.companyId),
      ]);
      if (!user || !company) return replyError(reply, 'not_authenticated');
      return { user, company };
    },
  );

  app.post(
    '/logout',
    {
      schema: {
        tags,
        summary: 'End the dashboard session',
        response: { 204: Type.Null(), 403: Type.Ref('ErrorBody') },
      },
    },
    async (request, reply) => {
      const token = sessionToken(request);
      if (token) {
        if (foreignOrigin(request) || request.headers.origin === undefined)
          return replyError(reply, 'origin_mismatch');
        const user = await sessions.lookup(token);
        await sessions.destroy(token);
        if (user) {
          await writeAudit(
            warden.store.db,
            { companyId: user.companyId, userId: user.userId, credentialId: null, ip: request.ip },
            'auth.logout',
          );
        }
      }
      clearSessionCookie(reply);
      return reply.code(204).send(null);
    },
  );
};
