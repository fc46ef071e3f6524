import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type ErrorCode, errorBody } from '../../errors.js';
import { RefusedRequest } from '../json-body.js';
import { replyError } from '../reply-error.js';
import { baseHeaders, countUnmatched } from './route-basics.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

function codeFor(error: FastifyError): ErrorCode | null {
  if (error.validation) return error.validationContext === 'params' ? 'invalid_id' : 'validation_failed';
  const status = error.statusCode ?? 500;
  if (status >= 500) return null;
  if (status === 413) return 'payload_too_large';
  if (status === 415) return 'unsupported_media_type';
  if (status === 405) return 'method_not_allowed';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  if (error.code?.includes('JSON') || error instanceof SyntaxError) return 'invalid_json';
  return 'validation_failed';
}

/** The router's own errors, answered with the documented bodies too (Fastify's `frameworkErrors`). */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  baseHeaders(request, reply);
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH')
    return replyError(reply, 'invalid_id', 'The id in the path must be a UUID');
  return replyError(reply, 'validation_failed', 'Malformed URL');
}

/**
 * Requests Node.js cannot parse never reach Fastify: a malformed request line or header, headers
 * over Node's 16 KiB limit, a request that does not arrive within its time limit. They are
 * answered here, on the socket, with the documented body (Fastify's own answer has no `code`),
 * and the connection is closed: after a parse error nothing more can be read from it.
 */
export function clientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const code: ErrorCode =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? 'headers_too_large'
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 'request_timeout'
        : 'malformed_request';
  const body = errorBody(code);
  const json = JSON.stringify(body);
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${body.statusCode} ${body.error}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(json)}\r\n` +
        'X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n' +
        json,
    );
  socket.destroy();
}

/** Maps every error to the documented body; 5xx answers never carry internal messages. */
export const errorsPlugin = fp(
  async (app) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (error instanceof RefusedRequest) return replyError(reply, error.code, error.message);
      const code = codeFor(error);
      if (code === null) {
        request.log.error({ err: error, reqId: request.id }, 'request failed');
        return replyError(reply, 'internal');
      }
      let message: string | undefined;
      if (code === 'validation_failed' && error.validation)
        message = `${error.validationContext ?? 'request'}${error.message.replace(/^[a-z]+/, '')}`;
      if (code === 'invalid_id') message = 'The id in the path must be a UUID';
      return replyError(reply, code, message);
    });
    // A path that exists under other methods answers 405 with `Allow`, not 404.
    app.setNotFoundHandler((request, reply) => {
      baseHeaders(request, reply);
      countUnmatched(app.keywarden.metrics, request, reply);
      const url = request.url.split('?')[0] ?? '';
      const allowed = METHODS.filter(
        (method) => method !== request.method && app.findRoute({ method, url }) !== null,
      );
      if (allowed.length === 0) return replyError(reply, 'not_found');
      reply.header('allow', allowed.join(', '));
      return replyError(reply, 'method_not_allowed');
    });
  },
  { name: 'keywarden-errors' },
);
