import type { FastifyPluginAsync } from 'fastify';
import { appointmentRoutes } from './appointment.js';
import { availabilityRoutes } from './availability.js';
import { meetingTypeRoutes } from './meeting-type.js';

/** Meeting types, availability and appointments: the reference resources users own. */
export const resourceRoutes: FastifyPluginAsync = async (app) => {
  await app.register(meetingTypeRoutes, { prefix: '/meeting-type' });
  await app.register(availabilityRoutes, { prefix: '/availability' });
  await app.register(appointmentRoutes, { prefix: '/appointment' });
};
