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
 * 2 µs for the three updates a request makes, measured with `--cpu-prof`); here a series is found
 * by walking one map per label, keyed by the label values themselves (the constant strings a
 * caller passes hash once), so an update builds no key and hashes no new string. A hot caller
 * keeps the {@link SeriesEntry} it got from {@link Series.entry} and adds to it with
 * {@link Series.record}, so that not even the walk is repeated.
 */
class Series<Names extends readonly string[]> {
  readonly type: 'counter' | 'histogram';
  readonly aggregator = 'sum';
  /** Every series, in creation order (what a scrape reads). */
  private readonly series: SeriesEntry[] = [];
  /** The series by label values: one nested map per label, the last one holding the entry. */
  private readonly byLabels = new Map<string, unknown>();
  /** The one series of a metric without labels. */
  private unlabelled: SeriesEntry | undefined;

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

  /**
   * The series of these label values (created on first use). Values are compared as strings, so
   * `200` and `'200'` are one series.
   */
  entry(labels: { [K in keyof Names]: string | number }): SeriesEntry {
    const last = labels.length - 1;
    if (last < 0) {
      this.unlabelled ??= this.create(labels);
      return this.unlabelled;
    }
    let level = this.byLabels;
    for (let i = 0; i < last; i++) {
      const value = labelKey(labels[i] as string | number);
      let next = level.get(value) as Map<string, unknown> | undefined;
      if (next === undefined) {
        next = new Map();
        level.set(value, next);
      }
      level = next;
    }
    const value = labelKey(labels[last] as string | number);
    let entry = level.get(value) as SeriesEntry | undefined;
    if (entry === undefined) {
      entry = this.create(labels);
      level.set(value, entry);
    }
    return entry;
  }

  private create(labels: readonly (string | number)[]): SeriesEntry {
    const entry: SeriesEntry = {
      labels: labels.map(String),
      counts: new Array(this.buckets?.length ?? 0).fill(0),
      sum: 0,
      count: 0,
    };
    this.series.push(entry);
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
    for (const entry of this.series) {
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

/** A label value as a map key: numbers (status codes) as their text, so both spellings meet. */
function labelKey(value: string | number): string {
  return typeof value === 'string' ? value : String(value);
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
