import { connect, createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientError } from '../../src/http/plugins/errors.js';
import { buildTestApp, type TestApp } from '../support/app.js';

/** Sends `request` as raw bytes and resolves with everything the server wrote until it closed. */
function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
    socket.write(request);
  });
}

/** Status line, headers (lower-cased names) and JSON body of a raw HTTP/1.1 answer. */
function parseAnswer(raw: string) {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const [statusLine, ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => [
      line.slice(0, line.indexOf(':')).toLowerCase(),
      line.slice(line.indexOf(':') + 1).trim(),
    ]),
  );
  return { statusLine, headers, body: JSON.parse(body) as unknown };
}

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

  it('answers requests Node.js cannot parse with the documented body, and closes the connection', async () => {
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const address = t.app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    const cases = [
      ['GARBAGE\r\n\r\n', '400 Bad Request', 'malformed_request', 'Malformed HTTP request'],
      [
        'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n',
        '400 Bad Request',
        'malformed_request',
        'Malformed HTTP request',
      ],
      [
        `GET /healthz?${'q'.repeat(20 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`,
        '431 Request Header Fields Too Large',
        'headers_too_large',
        'Request headers are too large',
      ],
    ] as const;
    for (const [request, status, code, message] of cases) {
      const answer = parseAnswer(await rawExchange(address.port, request));
      expect(answer.statusLine).toBe(`HTTP/1.1 ${status}`);
      expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(answer.headers.connection).toBe('close');
      expect(answer.body).toEqual({
        statusCode: Number(status.slice(0, 3)),
        code,
        error: status.slice(4),
        message,
      });
    }
    // On a kept-alive connection, a malformed request after a served one is answered too.
    const socket = connect(address.port, '127.0.0.1');
    socket.setEncoding('latin1');
    let answers = '';
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const served = new Promise<void>((resolve) =>
      socket.on('data', (chunk: string) => {
        answers += chunk;
        if (answers.includes('{"status":"ok"}')) resolve();
      }),
    );
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await served;
    socket.write('GARBAGE\r\n\r\n');
    await closed;
    expect(answers.startsWith('HTTP/1.1 200 OK')).toBe(true);
    expect(parseAnswer(answers.slice(answers.lastIndexOf('HTTP/1.1 '))).body).toMatchObject({
      code: 'malformed_request',
    });
  });

  it('answers a request that timed out with 408 request_timeout', async () => {
    // Node.js reports its header and request timeouts (60 s, 300 s) to the same handler.
    const server = createServer((socket: Socket) =>
      clientError(Object.assign(new Error('timed out'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no TCP address');
      const answer = parseAnswer(await rawExchange(address.port, 'GET / HTTP/1.1\r\n'));
      expect(answer.statusLine).toBe('HTTP/1.1 408 Request Timeout');
      expect(answer.body).toEqual({
        statusCode: 408,
        code: 'request_timeout',
        error: 'Request Timeout',
        message: 'The request did not arrive in time',
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
