import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { Counter, Histogram } from './metrics.js';

describe('metric series', () => {
  it('finds one series per combination of label values, whatever order they come in', async () => {
    const registry = new Registry();
    const counter = new Counter('c_total', 'c', ['outcome', 'kind'] as const, registry);
    counter.inc('valid', 'pat');
    counter.inc('valid', 'api_key');
    counter.inc('revoked', 'pat');
    counter.inc('valid', 'pat');
    const text = await registry.metrics();
    expect(text).toContain('c_total{outcome="valid",kind="pat"} 2');
    expect(text).toContain('c_total{outcome="valid",kind="api_key"} 1');
    expect(text).toContain('c_total{outcome="revoked",kind="pat"} 1');
    // Label values are not joined into one key: no value can run into the next.
    counter.inc('a', 'b c');
    counter.inc('a b', 'c');
    const again = await registry.metrics();
    expect(again).toContain('c_total{outcome="a",kind="b c"} 1');
    expect(again).toContain('c_total{outcome="a b",kind="c"} 1');
  });

  it('keeps a number and its text as one series, and a metric without labels as one', async () => {
    const registry = new Registry();
    const byStatus = new Histogram('h_seconds', 'h', ['status'] as const, [0.1, 1], registry);
    byStatus.observe(0.05, 200);
    byStatus.observe(0.5, '200');
    const plain = new Histogram('p_seconds', 'p', [] as const, [1], registry);
    plain.observe(0.5);
    plain.observe(2);
    const text = await registry.metrics();
    expect(text).toContain('h_seconds_bucket{status="200",le="0.1"} 1');
    expect(text).toContain('h_seconds_bucket{status="200",le="1"} 2');
    expect(text).toContain('h_seconds_count{status="200"} 2');
    expect(text).toContain('p_seconds_bucket{le="1"} 1');
    expect(text).toContain('p_seconds_count 2');
  });
});
