import { collectDefaultMetrics, Registry } from 'prom-client';

/** One exported sample, in the shape prom-client's registry renders. */
interface Sample {
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
}

/** One series' running totals. */
export interface SeriesEntry {
  labels: string[];
  counts: number[];
  sum: number;
  count: number;
}

/**
 * A labelled counter or histogram that the request path updates with a map lookup and a few
 * additions, and that prom-client's registry reads only when `/metrics` is scraped.
 *
 * prom-client's own `observe`/`inc` validate and hash the label object on every call (about
 * 2 µs for the three updates a request makes, measured with `--cpu-prof`); here the label
 * values are joined into a key once and the series is found by that key. A hot caller keeps the
 * {@link SeriesEntry} it got from {@link Series.entry} and adds to it with {@link Series.record},
 * so that not even the key is built again.
 */
class Series<Names extends readonly string[]> {
  readonly type: 'counter' | 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, SeriesEntry>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: Names,
    private readonly buckets: readonly number[] | null,
    registry: Registry,
  ) {
    this.type = buckets ? 'histogram' : 'counter';
    registry.registerMetric(this as never);
  }

  /** The series of these label values (created on first use). */
  entry(labels: { [K in keyof Names]: string | number }): SeriesEntry {
    const key = labels.join('\u0000');
    let entry = this.series.get(key);
    if (entry === undefined) {
      entry = {
        labels: labels.map(String),
        counts: new Array(this.buckets?.length ?? 0).fill(0),
        sum: 0,
        count: 0,
      };
      this.series.set(key, entry);
    }
    return entry;
  }

  /** Adds `value` (a histogram's observation, or a counter's increment) to one series. */
  record(entry: SeriesEntry, value: number): void {
    entry.sum += value;
    entry.count++;
    const buckets = this.buckets;
    if (buckets === null) return;
    for (let i = 0; i < buckets.length; i++) {
      if (value <= (buckets[i] as number)) {
        (entry.counts[i] as number)++;
        return;
      }
    }
  }

  protected add(labels: { [K in keyof Names]: string | number }, value: number): void {
    this.record(this.entry(labels), value);
  }

  /** What prom-client's registry renders (called at scrape time only). */
  get(): { name: string; help: string; type: string; aggregator: string; values: Sample[] } {
    const values: Sample[] = [];
    for (const entry of this.series.values()) {
      const labels: Record<string, string> = {};
      this.labelNames.forEach((name, i) => {
        labels[name] = entry.labels[i] as string;
      });
      if (this.buckets === null) {
        values.push({ labels, value: entry.sum });
        continue;
      }
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += entry.counts[i] as number;
        values.push({
          metricName: `${this.name}_bucket`,
          labels: { ...labels, le: bound },
          value: cumulative,
        });
      });
      values.push({
        metricName: `${this.name}_bucket`,
        labels: { ...labels, le: '+Inf' },
        value: entry.count,
      });
      values.push({ metricName: `${this.name}_sum`, labels, value: entry.sum });
      values.push({ metricName: `${this.name}_count`, labels, value: entry.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

export class Counter<Names extends readonly string[]> extends Series<Names> {
  constructor(name: string, help: string, labelNames: Names, registry: Registry) {
    super(name, help, labelNames, null, registry);
  }

  inc(...labels: { [K in keyof Names]: string | number }): void {
    this.add(labels, 1);
  }
}

export class Histogram<Names extends readonly string[]> extends Series<Names> {
  constructor(name: string, help: string, labelNames: Names, buckets: readonly number[], registry: Registry) {
    super(name, help, labelNames, buckets, registry);
  }

  observe(seconds: number, ...labels: { [K in keyof Names]: string | number }): void {
    this.add(labels, seconds);
  }
}

/** The Prometheus metrics the server exports at /metrics (one registry per app). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'keywarden_' });
  return {
    registry,
    verifications: new Counter(
      'keywarden_verifications_total',
      'Credential verifications by outcome',
      ['outcome', 'kind'] as const,
      registry,
    ),
    verificationSeconds: new Histogram(
      'keywarden_verification_duration_seconds',
      'Time to verify a credential that was not in the cache (database lookup)',
      [] as const,
      [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1],
      registry,
    ),
    rateLimited: new Counter(
      'keywarden_rate_limit_rejections_total',
      'Requests refused by a rate or usage limit',
      ['limit'] as const,
      registry,
    ),
    requests: new Histogram(
      'keywarden_http_request_duration_seconds',
      'HTTP request duration by route and status',
      ['method', 'route', 'status'] as const,
      [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
      registry,
    ),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
