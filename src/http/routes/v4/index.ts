import type { FastifyPluginAsync } from 'fastify';
import { apiKeyRoutes } from './api-keys.js';
import { auditLogRoutes } from './audit-log.js';
import { credentialRoutes } from './credentials.js';
import { personalAccessTokenRoutes } from './personal-access-tokens.js';
import { resourceRoutes } from './resources.js';
import { scopeRoutes } from './scopes.js';
import { userRoutes } from './user.js';

/** The /v4 API. */
export const v4Routes: FastifyPluginAsync = async (app) => {
  await app.register(userRoutes, { prefix: '/user' });
  await app.register(personalAccessTokenRoutes, { prefix: '/personal-access-tokens' });
  await app.register(apiKeyRoutes, { prefix: '/api-keys' });
  await app.register(credentialRoutes, { prefix: '/credentials' });
  await app.register(auditLogRoutes, { prefix: '/audit-log' });
  await app.register(scopeRoutes, { prefix: '/scopes' });
  await app.register(resourceRoutes);
};
