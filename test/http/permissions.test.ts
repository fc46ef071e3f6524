import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/outcome.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { ALL_SCOPES, type Role } from '../../src/auth/scopes.js';
import { createResourcesService } from '../../src/warden/resources-service.js';
import { bearer, buildTestApp, sessionHeaders, signUp, type TestApp } from '../support/app.js';
import { seedCompany, unwrap } from '../support/fixtures.js';
import {
  ENDPOINTS,
  type Endpoint,
  PRINCIPALS,
  type PrincipalKey,
  renderPermissionsMarkdown,
  type Target,
} from './permission-matrix.js';

const PASSWORD = 'correct horse battery';

describe('permission matrix', () => {
  let t: TestApp;
  let headersOf: Record<PrincipalKey, Record<string, string>>;
  let actingOf: Record<PrincipalKey, { id: string; role: Role }>;
  let makeTarget: (target: Target, acting: { id: string; role: Role }) => Promise<string>;

  beforeAll(async () => {
    t = await buildTestApp();
    const { warden } = t;
    const owner = await signUp(t.app, 'Matrix');
    const company = owner.company.id;
    const ownerCaller = {
      companyId: company,
      userId: owner.user.id,
      role: 'owner' as const,
      credentialId: null,
      ip: null,
    };
    const callerOf = (user: { id: string; role: Role }) => ({
      ...ownerCaller,
      userId: user.id,
      role: user.role,
    });
    const passwordHash = await hashPassword(PASSWORD);
    const addUser = async (role: 'admin' | 'member', email = `${role}-${randomUUID()}@example.test`) =>
      unwrap(await warden.directory.createUser(ownerCaller, { email, role, passwordHash }));
    const admin = await addUser('admin');
    const member = await addUser('member');
    const other = await seedCompany(warden);
    const pat = async (user: { id: string; role: Role }, scopes: string[] | null = null) =>
      unwrap(await warden.credentials.createPat(callerOf(user), { name: `pat-${randomUUID()}`, scopes }))
        .token;
    const apiKey = unwrap(await warden.credentials.createApiKey(ownerCaller, { expiresInDays: 30 })).token;
    const ownerUser = { id: owner.user.id, role: 'owner' as const };

    headersOf = {
      memberPat: bearer(await pat(member)),
      adminPat: bearer(await pat(admin)),
      ownerPat: bearer(await pat(ownerUser)),
      managerPat: bearer(await pat(admin, ALL_SCOPES)),
      scopedPat: bearer(await pat(admin, ['meeting-types:read'])),
      apiKey: bearer(apiKey),
      apiKeyMember: bearer(apiKey, member.id),
      apiKeyForeign: bearer(apiKey, other.member.id),
      apiKeyUnknown: bearer(apiKey, randomUUID()),
      memberSession: await sessionHeaders(t.app, member.email, PASSWORD),
      ownerSession: owner.headers,
      none: {},
    };
    actingOf = {
      memberPat: member,
      adminPat: admin,
      ownerPat: ownerUser,
      managerPat: admin,
      scopedPat: admin,
      apiKey: ownerUser,
      apiKeyMember: member,
      apiKeyForeign: member,
      apiKeyUnknown: member,
      memberSession: member,
      ownerSession: ownerUser,
      none: member,
    };

    const resources = createResourcesService({ db: warden.store.db });
    const memberPrincipal: Principal = {
      companyId: company,
      plan: 'enterprise',
      userId: member.id,
      role: 'member',
      via: 'session',
      credential: null,
    };
    makeTarget = async (target, acting) => {
      switch (target) {
        case 'member':
          return member.id;
        case 'freshMember':
          return (await addUser('member')).id;
        case 'invitableMember':
          return unwrap(
            await warden.directory.createUser(ownerCaller, { email: `invitee-${randomUUID()}@example.test` }),
          ).id;
        case 'editableUser':
          return acting.role === 'member' ? acting.id : (await addUser('member')).id;
        case 'ownPat':
          return unwrap(await warden.credentials.createPat(callerOf(acting), { name: `own-${randomUUID()}` }))
            .credential.id;
        case 'memberPat':
          return unwrap(await warden.credentials.createPat(callerOf(member), { name: `m-${randomUUID()}` }))
            .credential.id;
        case 'apiKey':
          return unwrap(await warden.credentials.createApiKey(ownerCaller, { expiresInDays: 10 })).credential
            .id;
        case 'deactivatedApiKey': {
          const key = unwrap(await warden.credentials.createApiKey(ownerCaller, { expiresInDays: 10 }));
          unwrap(await warden.credentials.setActive(ownerCaller, key.credential.id, false));
          return key.credential.id;
        }
        case 'memberMeetingType':
          return unwrap(
            await resources.createMeetingType(memberPrincipal, { name: `mt ${randomUUID()}`, duration: 30 }),
          ).id;
        case 'memberAppointment': {
          const start = new Date(Date.now() + 3_600_000);
          return unwrap(
            await resources.createAppointment({
              userId: member.id,
              start,
              end: new Date(start.getTime() + 1_800_000),
              attendeeName: 'Grace Hopper',
              attendeeEmail: 'grace@example.test',
            }),
          ).id;
        }
      }
    };
  }, 60_000);
  afterAll(() => t?.close());

  async function send(endpoint: Endpoint, principal: PrincipalKey) {
    const id = endpoint.target ? await makeTarget(endpoint.target, actingOf[principal]) : undefined;
    const unique = randomUUID().slice(0, 8);
    const payload = endpoint.body
      ? JSON.parse(JSON.stringify(endpoint.body).replaceAll('{unique}', unique))
      : undefined;
    return t.app.inject({
      method: endpoint.method,
      url: id === undefined ? endpoint.path : endpoint.path.replace(':id', id),
      headers: headersOf[principal],
      ...(payload === undefined ? {} : { payload }),
    });
  }

  for (const endpoint of ENDPOINTS) {
    it(`${endpoint.method} ${endpoint.path}`, async () => {
      const actual: Record<string, number> = {};
      const bodies: Record<string, string> = {};
      for (const principal of PRINCIPALS) {
        const response = await send(endpoint, principal.key);
        actual[principal.key] = response.statusCode;
        if (response.statusCode !== endpoint.expect[principal.key]) bodies[principal.key] = response.body;
      }
      expect(actual, `unexpected statuses; the bodies of those cells: ${JSON.stringify(bodies)}`).toEqual(
        endpoint.expect,
      );
    });
  }

  it('has a row for every /v4 route the server registers', () => {
    const tabled = ENDPOINTS.map((e) => `${e.method} ${e.path}`).sort();
    const registered = registeredRoutes(t.app).filter((route) => / \/v4(\/|$)/.test(route));
    expect(tabled, 'add a row to test/http/permission-matrix.ts for each new /v4 route').toEqual(registered);
  });

  it('docs/permissions.md is generated from this table', () => {
    const onDisk = readFileSync(new URL('../../docs/permissions.md', import.meta.url), 'utf8');
    expect(
      onDisk,
      'docs/permissions.md is out of date with test/http/permission-matrix.ts; regenerate it with: npx tsx scripts/permissions-doc.ts',
    ).toBe(renderPermissionsMarkdown());
  });
});

/**
 * Every `METHOD /path` the app registers, read from Fastify's route tree (`printRoutes`), so that
 * routes hidden from the OpenAPI document count too. HEAD (added for every GET) is left out, and a
 * prefix root registered as both `/v4/x` and `/v4/x/` counts once.
 */
function registeredRoutes(app: FastifyInstance): string[] {
  const segments: string[] = [];
  const routes = new Set<string>();
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const node = /^((?:[│ ] {3})*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!node) {
      if (line.trim() === '') continue;
      throw new Error(`unexpected line in app.printRoutes(): ${line}`);
    }
    const [, indent = '', segment = '', methods = ''] = node;
    segments.length = indent.length / 4;
    segments.push(segment);
    const path = segments.join('').replace(/(.)\/$/, '$1');
    for (const method of methods.split(', '))
      if (method && method !== 'HEAD') routes.add(`${method} ${path}`);
  }
  return [...routes].sort();
}
