import type { FastifyReply } from 'fastify';
import { type ErrorCode, errorBody } from '../errors.js';

export const REALM = 'keywarden';

/** Sends the documented error body for `code` (and the RFC 6750 challenge on 401s). */
export function replyError(
  reply: FastifyReply,
  code: ErrorCode,
  message?: string,
  presented = false,
): FastifyReply {
  const body = errorBody(code, message);
  if (body.statusCode === 401 && !reply.hasHeader('www-authenticate')) {
    const challenge = presented
      ? `Bearer realm="${REALM}", error="invalid_token", error_description="${body.message.replace(/"/g, "'")}"`
      : `Bearer realm="${REALM}"`;
    reply.header('www-authenticate', challenge);
  }
  return reply.code(body.statusCode).type('application/json; charset=utf-8').send(body);
}

/** Sends a domain `Result` failure. */
export function replyFailure(
  reply: FastifyReply,
  failure: { code: ErrorCode; message?: string },
): FastifyReply {
  return replyError(reply, failure.code, failure.message);
}
