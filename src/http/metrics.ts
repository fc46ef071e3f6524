import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** The Prometheus metrics the server exports at /metrics (one registry per app). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'keywarden_process_' });
  return {
    registry,
    verifications: new Counter({
      name: 'keywarden_verifications_total',
      help: 'Credential verifications by outcome',
      labelNames: ['outcome', 'kind'] as const,
      registers: [registry],
    }),
    verificationSeconds: new Histogram({
      name: 'keywarden_verification_duration_seconds',
      help: 'Time to verify a credential (cache hit or database lookup)',
      buckets: [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1],
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'keywarden_rate_limit_rejections_total',
      help: 'Requests refused by a rate or usage limit',
      labelNames: ['limit'] as const,
      registers: [registry],
    }),
    requests: new Histogram({
      name: 'keywarden_http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
