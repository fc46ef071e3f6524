import type { FastifyRequest } from 'fastify';
import type { Caller } from '../warden/credentials-service.js';
import { principalOf } from './plugins/authenticate.js';

/** The management caller for an authenticated request. */
export function callerOf(request: FastifyRequest): Caller {
  const principal = principalOf(request);
  return {
    companyId: principal.companyId,
    userId: principal.userId,
    role: principal.role,
    credentialId: principal.credential?.id ?? null,
    ip: request.ip,
  };
}
