import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';

/** Paths and methods the server does not serve: the documented 404 and 405 bodies. */
describe('unknown paths and methods', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.close());

  it('answers 405 with Allow for a path that exists under other methods, before authentication', async () => {
    const response = await t.app.inject({ method: 'PUT', url: '/v4/scopes' });
    expect(response.statusCode).toBe(405);
    expect(response.json()).toEqual({
      statusCode: 405,
      code: 'method_not_allowed',
      error: 'Method Not Allowed',
      message: 'Method Not Allowed',
    });
    expect(response.headers.allow).toBe('GET, HEAD');
  });

  it('lists every method of a path with an id', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v4/meeting-type/00000000-0000-4000-8000-000000000000?x=1',
    });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD, PATCH, DELETE');
  });

  it('answers 404 for a path no method serves', async () => {
    const response = await t.app.inject({ method: 'DELETE', url: '/v4/nothing-here' });
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('not_found');
    expect(response.headers.allow).toBeUndefined();
  });

  it('gives every answer its request id, nosniff, no referrer and no-store, whatever answered it', async () => {
    const answers = await Promise.all([
      t.app.inject({ url: '/healthz' }), // a public route
      t.app.inject({ url: '/v4/user/me' }), // refused by the authentication hook
      t.app.inject({ url: '/v4/nothing-here' }), // no route: the 404 handler
      t.app.inject({ method: 'PUT', url: '/v4/scopes' }), // 405
      t.app.inject({ url: '/v4/meeting-type/%zz' }), // refused by the router itself
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual([200, 401, 404, 405, 400]);
    // Generated: the process's random tag and a counter, so every answer has its own.
    const ids = answers.map((a) => String(a.headers['x-request-id']));
    expect(new Set(ids).size).toBe(answers.length);
    for (const answer of answers) {
      expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f]{16}-[0-9a-z]+$/);
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['referrer-policy']).toBe('no-referrer');
      expect(answer.headers['cache-control']).toBe('no-store');
    }
  });
});
