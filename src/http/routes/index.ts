import type { FastifyPluginAsync } from 'fastify';
import { authRoutes } from './auth.js';
import { opsRoutes } from './ops.js';
import { v4Routes } from './v4/index.js';

/** Every route, by URL prefix: the folder path is the prefix. */
export const routes: FastifyPluginAsync = async (app) => {
  await app.register(opsRoutes);
  await app.register(authRoutes, { prefix: '/auth' });
  await app.register(v4Routes, { prefix: '/v4' });
};
