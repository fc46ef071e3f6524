import { parseCookie, stringifySetCookie } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'kw_session';

/**
 * The dashboard session token from the `Cookie` header, parsed only when a route asks for it.
 * Cookies are read and written with the `cookie` package directly: a cookie plugin would add
 * an `onSend` hook to every route, and so a step to every Bearer request, that only the
 * dashboard's session routes need.
 */
export function sessionToken(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (!header?.includes(SESSION_COOKIE)) return undefined;
  return parseCookie(header)[SESSION_COOKIE] || undefined;
}

/** Sets the HttpOnly, SameSite=Strict session cookie. */
export function setSessionCookie(
  reply: FastifyReply,
  token: string,
  options: { secure: boolean; expires: Date },
): void {
  reply.header(
    'set-cookie',
    stringifySetCookie({
      name: SESSION_COOKIE,
      value: token,
      httpOnly: true,
      sameSite: 'strict',
      secure: options.secure,
      path: '/',
      expires: options.expires,
    }),
  );
}

/** Tells the browser to drop the session cookie. */
export function clearSessionCookie(reply: FastifyReply): void {
  reply.header(
    'set-cookie',
    stringifySetCookie({ name: SESSION_COOKIE, value: '', path: '/', expires: new Date(0), maxAge: 0 }),
  );
}
