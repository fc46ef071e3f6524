import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { bearer, buildTestApp, seedTenant, type TestApp } from '../support/app.js';
import { withLastCharChanged } from '../support/fixtures.js';

/**
 * `/metrics` as Prometheus scrapes it: the counters and histograms the request path updates
 * (kept in the app's own cheap series, rendered by prom-client's registry) must add up to
 * exactly the requests that were made.
 */

/** `name{labels} value` lines of a text exposition, as a map from `name{labels}` to value. */
function samples(text: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    map.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return map;
}

describe('/metrics', () => {
  let t: TestApp;
  let tenant: Awaited<ReturnType<typeof seedTenant>>;

  beforeAll(async () => {
    t = await buildTestApp({ RATE_LIMIT_MAX: 3, RATE_LIMIT_WINDOW_SECONDS: 60 });
    tenant = await seedTenant(t);
  });
  afterAll(() => t.close());

  const scrape = async () => {
    const response = await t.app.inject({ url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return { text: response.body, values: samples(response.body) };
  };

  it('counts requests per route and status in a cumulative histogram', async () => {
    for (let i = 0; i < 2; i++) {
      const ok = await t.app.inject({ url: '/v4/user/me', headers: bearer(tenant.ownerPat) });
      expect(ok.statusCode).toBe(200);
    }
    const refused = await t.app.inject({ url: '/v4/user/me' });
    expect(refused.statusCode).toBe(401);
    const missing = await t.app.inject({ url: '/no/such/route' });
    expect(missing.statusCode).toBe(404);

    const { text, values } = await scrape();
    expect(text).toContain('# TYPE keywarden_http_request_duration_seconds histogram');
    const ok = 'method="GET",route="/v4/user/me",status="200"';
    expect(values.get(`keywarden_http_request_duration_seconds_count{${ok}}`)).toBe(2);
    expect(values.get(`keywarden_http_request_duration_seconds_bucket{${ok},le="+Inf"}`)).toBe(2);
    expect(values.get(`keywarden_http_request_duration_seconds_sum{${ok}}`)).toBeGreaterThan(0);
    const buckets = [...values]
      .filter(([name]) => name.startsWith(`keywarden_http_request_duration_seconds_bucket{${ok}`))
      .map(([, value]) => value);
    expect(buckets.length).toBe(9);
    for (let i = 1; i < buckets.length; i++)
      expect(buckets[i]).toBeGreaterThanOrEqual(buckets[i - 1] as number);
    expect(
      values.get(
        'keywarden_http_request_duration_seconds_count{method="GET",route="/v4/user/me",status="401"}',
      ),
    ).toBe(1);
    expect(
      values.get(
        'keywarden_http_request_duration_seconds_count{method="GET",route="unmatched",status="404"}',
      ),
    ).toBe(1);
  });

  it('counts verifications by outcome and the kind of credential presented, and rate-limit refusals', async () => {
    const before = (await scrape()).values;
    const valid = 'keywarden_verifications_total{outcome="valid",kind="pat"}';
    const limited = 'keywarden_rate_limit_rejections_total{limit="credential"}';
    const pat = await tenant.newPat(tenant.member);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await t.app.inject({ url: '/v4/user/me', headers: bearer(pat) })).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
    await t.app.inject({ url: '/v4/user/me', headers: bearer(withLastCharChanged(pat)) });

    const after = (await scrape()).values;
    expect((after.get(valid) ?? 0) - (before.get(valid) ?? 0)).toBe(4);
    expect((after.get(limited) ?? 0) - (before.get(limited) ?? 0)).toBe(1);
    expect(after.get('keywarden_verifications_total{outcome="invalid",kind="pat"}')).toBe(1);
    // Timed: only the new PAT's first lookup, which went to the database. Cache hits and the
    // broken checksum (refused in memory) are not.
    const count = 'keywarden_verification_duration_seconds_count';
    expect((after.get(count) ?? 0) - (before.get(count) ?? 0)).toBe(1);
    expect(after.has('keywarden_process_resident_memory_bytes')).toBe(true);
    expect(after.has('keywarden_nodejs_heap_size_used_bytes')).toBe(true);
  });

  it('times unmatched requests when logging is off too', async () => {
    const quiet = await buildApp({
      logger: false,
      config: { DATABASE_URL: 'memory://', DASHBOARD_ENABLED: false },
    });
    try {
      expect((await quiet.inject({ url: '/no/such/route' })).statusCode).toBe(404);
      const values = samples((await quiet.inject({ url: '/metrics' })).body);
      const labels = 'method="GET",route="unmatched",status="404"';
      expect(values.get(`keywarden_http_request_duration_seconds_count{${labels}}`)).toBe(1);
      expect(values.get(`keywarden_http_request_duration_seconds_sum{${labels}}`)).toBeGreaterThan(0);
    } finally {
      await quiet.close();
    }
  });
});
