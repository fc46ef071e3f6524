/**
 * The p99 probe, run as its own process (like autocannon) so that its client work never shares
 * the measured server's event loop: one keep-alive connection sends a request, waits for the
 * answer, pauses a millisecond (a sampler, not a second load generator: it must not take CPU from
 * the server it measures), and so on for the given time; it prints every round-trip time, in
 * milliseconds, as JSON.
 *
 *   node --import tsx bench/lib/latency-probe.ts <url> <startAt, epoch ms> <durationMs> <headers as JSON>
 *
 * It loads, waits until `startAt` (so its own start-up does not overlap the measurement), then samples.
 */
import { Agent, request } from 'node:http';

async function roundTrips(url: string, headers: Record<string, string>, durationMs: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const samples: number[] = [];
  const deadline = performance.now() + durationMs;
  try {
    while (performance.now() < deadline) {
      const started = performance.now();
      await new Promise<void>((resolve, reject) => {
        const req = request(url, { agent, headers }, (res) => {
          res.on('end', resolve);
          res.on('error', reject);
          res.resume();
        });
        req.on('error', reject);
        req.end();
      });
      samples.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  } finally {
    agent.destroy();
  }
  return samples;
}

const [url, startAt, duration, headers] = process.argv.slice(2);
if (url === undefined || startAt === undefined || duration === undefined) {
  process.stderr.write('usage: latency-probe <url> <startAt> <durationMs> [headers JSON]\n');
  process.exit(2);
}
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
const samples = await roundTrips(
  url,
  JSON.parse(headers ?? '{}') as Record<string, string>,
  Number(duration),
);
process.stdout.write(JSON.stringify(samples.map((ms) => Math.round(ms * 1000) / 1000)));
