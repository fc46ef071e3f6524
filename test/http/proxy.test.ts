import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { bearer, buildTestApp, type TestApp } from '../support/app.js';
import { seedCompany, unwrap } from '../support/fixtures.js';

/**
 * `TRUST_PROXY`: which hops may name the client IP. The client IP decides IP allow-lists, so a
 * client that can write its own `X-Forwarded-For` entry must not be believed.
 */

describe('TRUST_PROXY settings', () => {
  it('reads a switch, a hop count, or addresses and ranges', () => {
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1' }).TRUST_PROXY).toBe(
      '10.0.0.0/8, 127.0.0.1,::1',
    );
  });

  it('refuses a list entry that is not an address or range, naming it', () => {
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/8,proxy.internal' })).toThrow(
      /TRUST_PROXY: .*not proxy\.internal/,
    );
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/33' })).toThrow(/TRUST_PROXY/);
  });
});

describe.each([
  // The load balancer in front of us appends the address it saw: a client's own entry comes first.
  { trust: 1 as const, believed: '203.0.113.7' },
  { trust: '127.0.0.1/32', believed: '203.0.113.7' },
  // Trusting every hop takes the left-most entry, which the client wrote.
  { trust: true, believed: '198.51.100.66' },
])('an IP allow-listed PAT behind a proxy, TRUST_PROXY=$trust', ({ trust, believed }) => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await buildTestApp({ TRUST_PROXY: trust });
    const seed = await seedCompany(t.warden);
    token = unwrap(
      await t.warden.credentials.createPat(seed.ownerCaller, {
        name: 'office',
        ipAllowlist: ['203.0.113.7'],
      }),
    ).token;
  });
  afterAll(() => t.close());

  // Injected requests come from 127.0.0.1, the proxy's own address here.
  const call = (forwardedFor: string) =>
    t.app.inject({
      url: '/v4/user/me',
      remoteAddress: '127.0.0.1',
      headers: { ...bearer(token), 'x-forwarded-for': forwardedFor },
    });

  it(`takes ${believed} as the client of "198.51.100.66, 203.0.113.7"`, async () => {
    const response = await call('198.51.100.66, 203.0.113.7');
    expect(response.statusCode).toBe(believed === '203.0.113.7' ? 200 : 403);
    if (response.statusCode === 403) expect(response.json().code).toBe('ip_not_allowed');
  });

  // A client at 198.51.100.66 that writes the allowed address into its own header.
  const forgeryWorks = trust === true;
  it(`${forgeryWorks ? 'believes' : 'sees through'} a forged first entry "203.0.113.7, 198.51.100.66"`, async () => {
    const response = await call('203.0.113.7, 198.51.100.66');
    expect(response.statusCode).toBe(forgeryWorks ? 200 : 403);
  });
});
