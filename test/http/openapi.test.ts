import { randomUUID } from 'node:crypto';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifyInstance, HTTPMethods } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';

type Security = Record<string, string[]>[];
interface Operation {
  security?: Security;
  responses?: Record<string, unknown>;
}
interface Document {
  openapi: string;
  security?: Security;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { type?: string; scheme?: string }> };
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Every `METHOD /path` the app has registered, in OpenAPI spelling (`{id}`, no trailing slash),
 * read from Fastify's route tree (`printRoutes`; there is no other public listing).
 */
function registeredOperations(app: FastifyInstance): Set<string> {
  const operations = new Set<string>();
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:[│ ] {3})*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const [, indent = '', segment = '', methods = ''] = match;
    const depth = indent.length / 4;
    stack.length = depth;
    stack.push(segment);
    const path = stack.join('').replace(/:(\w+)/g, '{$1}');
    const normalized = path.length > 1 ? path.replace(/\/$/, '') : path;
    for (const method of methods.split(', '))
      if (METHODS.has(method)) operations.add(`${method} ${normalized}`);
  }
  return operations;
}

describe('OpenAPI document', () => {
  let t: TestApp;
  let document: Document;

  beforeAll(async () => {
    t = await buildTestApp();
    document = (await t.app.inject({ url: '/openapi.json' })).json();
  });
  afterAll(() => t.close());

  const documented = () =>
    Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([method]) => METHODS.has(method.toUpperCase()))
        .map(([method, operation]) => ({ method: method.toUpperCase() as HTTPMethods, path, operation })),
    );

  it('is valid OpenAPI 3.1 according to a maintained validator', async () => {
    expect(document.openapi).toBe('3.1.0');
    const result = await new Validator().validate(
      document as unknown as Parameters<Validator['validate']>[0],
    );
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('documents every /v4 route the app registers, and no route it does not', () => {
    const registered = [...registeredOperations(t.app)].filter((operation) => operation.includes(' /v4'));
    // The route tree really was read: every /v4 family SPEC lists is there.
    expect(registered.length).toBeGreaterThanOrEqual(30);
    for (const operation of [
      'GET /v4/user/me',
      'POST /v4/personal-access-tokens/{id}/roll',
      'POST /v4/api-keys/{id}/deactivate',
      'GET /v4/credentials/{id}/activity',
      'GET /v4/audit-log',
      'PUT /v4/availability',
      'POST /v4/appointment/{id}/cancel',
      'DELETE /v4/meeting-type/{id}',
    ]) {
      expect(registered).toContain(operation);
    }
    const inDocument = documented()
      .filter(({ path }) => path.startsWith('/v4'))
      .map(({ method, path }) => `${method} ${path}`);
    expect(new Set(inDocument)).toEqual(new Set(registered));
  });

  it('documents the login and operations routes too (only the docs themselves are hidden)', () => {
    const registered = [...registeredOperations(t.app)].filter(
      (operation) => !/ \/(docs|openapi\.json)/.test(operation),
    );
    const inDocument = documented().map(({ method, path }) => `${method} ${path}`);
    expect(new Set(inDocument)).toEqual(new Set(registered));
  });

  it('declares Bearer authentication, and marks exactly the routes that answer without credentials as public', async () => {
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.security).toContainEqual({ bearer: [] });
    for (const { method, path, operation } of documented()) {
      const url = path.replace(/\{\w+\}/g, randomUUID());
      const response = await t.app.inject({
        method,
        url,
        ...(method === 'GET' || method === 'DELETE' ? {} : { payload: {} }),
      });
      const effective = operation.security ?? document.security ?? [];
      const label = `${method} ${path} answered ${response.statusCode} without credentials`;
      if (response.statusCode === 401) {
        expect(effective.length, label).toBeGreaterThan(0);
        if (path.startsWith('/v4')) expect(effective, label).toContainEqual({ bearer: [] });
      } else {
        expect(effective, label).toEqual([]);
      }
    }
  });

  it('documents the error bodies of every protected /v4 operation', () => {
    for (const { method, path, operation } of documented()) {
      if (!path.startsWith('/v4') || (operation.security ?? document.security)?.length === 0) continue;
      expect(path.endsWith('/'), path).toBe(false);
      expect(Object.keys(operation.responses ?? {}), `${method} ${path}`).toEqual(
        expect.arrayContaining(['400', '401', '403', '429']),
      );
    }
  });

  it('serves an interactive reference at /docs', async () => {
    const bare = await t.app.inject({ url: '/docs' });
    expect([200, 301, 302]).toContain(bare.statusCode);
    if (bare.statusCode !== 200) expect(bare.headers.location).toBe('/docs/');
    const response = await t.app.inject({ url: '/docs/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/text\/html/);
    expect(response.body).toMatch(/<html/i);
    expect(response.body).toContain('/openapi.json');
  });
});
