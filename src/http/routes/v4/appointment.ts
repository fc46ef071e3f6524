import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createResourcesService } from '../../../warden/resources-service.js';
import { principalOf } from '../../plugins/authenticate.js';
import { replyFailure } from '../../reply-error.js';
import {
  Appointment,
  AppointmentPage,
  AppointmentPageQuery,
  authErrors,
  CancelAppointmentBody,
  IdParams,
  TodayAppointments,
} from '../../schemas.js';

const tags = ['appointments'];
const read = { auth: { scope: 'appointments:read' as const } };

/** Appointments: members see their own; owners and admins the whole company's. */
export const appointmentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const resources = createResourcesService({ db: app.keywarden.warden.store.db });

  app.get(
    '/',
    {
      config: read,
      schema: {
        tags,
        summary: 'List appointments by start time, a page at a time',
        querystring: AppointmentPageQuery,
        response: { 200: AppointmentPage, ...authErrors },
      },
    },
    async (request, reply) => {
      const result = await resources.listAppointments(principalOf(request), request.query);
      return result.ok ? result.value : replyFailure(reply, result);
    },
  );

  app.get(
    '/today',
    {
      config: read,
      schema: {
        tags,
        summary: "Appointments starting today in the acting user's time zone (booked and cancelled)",
        response: { 200: TodayAppointments, ...authErrors },
      },
    },
    async (request, reply) => {
      const result = await resources.listTodayAppointments(principalOf(request));
      return result.ok ? result.value : replyFailure(reply, result);
    },
  );

  app.get(
    '/:id',
    {
      config: read,
      schema: {
        tags,
        summary: 'One appointment',
        params: IdParams,
        response: { 200: Appointment, ...authErrors },
      },
    },
    async (request, reply) => {
      const result = await resources.getAppointment(principalOf(request), request.params.id);
      return result.ok ? result.value : replyFailure(reply, result);
    },
  );

  app.post(
    '/:id/cancel',
    {
      config: { auth: { scope: 'appointments:write' } },
      schema: {
        tags,
        summary: 'Cancel an appointment; the body with a reason is optional (cancelling twice is a conflict)',
        params: IdParams,
        body: CancelAppointmentBody,
        response: { 200: Appointment, ...authErrors },
      },
    },
    async (request, reply) => {
      const result = await resources.cancelAppointment(
        principalOf(request),
        request.params.id,
        request.body?.reason,
      );
      return result.ok ? result.value : replyFailure(reply, result);
    },
  );
};
