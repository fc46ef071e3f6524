import { createWarden } from '../../src/warden/create-warden.js';
import { alternate, median, opsPerSecondAsync, opsPerSecondSync, ratios } from '../lib/measure.js';
import { type BenchOptions, type RowResult, rate, ratio, roundsList } from '../lib/report.js';
import { roundFigures } from './warm.js';

const GOAL = 1_000_000;
const REJECTED = [{ kind: 'invalid' }, { kind: 'invalid' }] as const;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Well-formed-looking but invalid credentials: one character of a real token changed (the CRC32
 * catches it only after the full base62 scan, the most expensive rejection), plus truncated,
 * over-long, wrong-prefix and non-base62 variants.
 */
function malformedSet(tokens: readonly string[], size: number): string[] {
  const out: string[] = [];
  let seed = 12345;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  while (out.length < size) {
    const token = tokens[random(tokens.length)] ?? '';
    const variant = out.length % 8;
    let bad: string;
    if (variant < 5) {
      const at = 8 + random(token.length - 8);
      const replacement = BASE62.charAt(random(62));
      if (token.charAt(at) === replacement) continue;
      bad = token.slice(0, at) + replacement + token.slice(at + 1);
    } else if (variant === 5) bad = token.slice(0, token.length - 1 - random(10));
    else if (variant === 6) bad = `${token}${BASE62.charAt(random(62))}`;
    else bad = `${token.slice(0, 20)}!${token.slice(21)}`;
    out.push(bad);
  }
  return out;
}

/** Row 4: rejection of malformed credentials, in-process, with zero queries. */
export async function malformedRow(options: BenchOptions): Promise<RowResult> {
  const started = performance.now();
  const rounds = options.quick ? 3 : 5;
  const duration = options.quick ? 300 : 1000;
  const warden = await createWarden({ databaseUrl: 'memory://', invalidation: 'local' });
  try {
    const real = Array.from(
      { length: 200 },
      (_, i) => warden.formats.generate(i % 2 === 0 ? 'pat' : 'api_key').token,
    );
    const bad = malformedSet(real, 4096);
    for (const token of bad) {
      if (warden.formats.parse(token) !== null) throw new Error(`not malformed: ${token}`);
    }
    const headers = bad.map((token) => `Bearer ${token}`);
    const mask = headers.length - 1;

    const before = warden.store.queryCount();
    const results = await alternate(
      [
        {
          name: 'sync',
          run: async () =>
            opsPerSecondSync((i) => {
              const outcome = warden.verifier.verifyFromCache({ authorization: headers[i & mask] });
              if (outcome?.kind !== 'invalid') throw new Error('malformed credential not rejected');
              return outcome;
            }, duration),
        },
        {
          name: 'async',
          run: () =>
            opsPerSecondAsync(async (i) => {
              const outcome = await warden.verify({ authorization: headers[i & mask] });
              if (outcome.kind !== 'invalid') throw new Error('malformed credential not rejected');
              return outcome;
            }, duration),
        },
        {
          name: 'await ceiling',
          run: () =>
            opsPerSecondAsync(async (i) => {
              const outcome = REJECTED[i & 1];
              if (outcome === undefined) throw new Error('unreachable');
              return outcome;
            }, duration),
        },
      ],
      rounds,
      { onRound: (round, f) => options.log(`  round ${round + 1}: ${JSON.stringify(f, roundFigures)}`) },
    );
    const queries = warden.store.queryCount() - before;
    const sync = results.sync ?? [];
    const asynchronous = results.async ?? [];
    const ceiling = results['await ceiling'] ?? [];
    const status = (value: number) => (value >= GOAL && queries === 0 ? 'met' : 'missed') as 'met' | 'missed';
    return {
      id: 4,
      title: 'Rejection of malformed credentials',
      method: [
        '4,096 malformed `Authorization` values are derived from real PATs and API keys: five in eight have one base62',
        'character changed (the checksum catches them only after the full base62 scan and CRC32, the dearest rejection),',
        'the others are truncated, one character too long, or carry a non-base62 character. Every one is checked to fail',
        '`formats.parse` beforehand. *Sync* is `verifyFromCache`, *async* the awaited public `verify()`;',
        'the verifier checks the CRC32 before any SHA-256 unless a cached credential carries the same checksum tag (the last',
        'characters of its token), so none of these is hashed;',
        `${rounds} alternated rounds of ${duration} ms. Database statements are counted with \`store.queryCount()\`.`,
      ],
      lines: [
        {
          what: 'malformed rejected, sync warm path',
          ours: rate(median(sync)),
          baseline: '—',
          ratio: '—',
          goal: '≥ 1,000,000/s, 0 queries',
          status: status(median(sync)),
        },
        {
          what: 'malformed rejected, awaited `verify()` (baseline: an empty async function awaited the same way)',
          ours: rate(median(asynchronous)),
          baseline: rate(median(ceiling)),
          ratio: ratio(median(ratios(asynchronous, ceiling))),
          goal: '≥ 1,000,000/s, 0 queries',
          status: status(median(asynchronous)),
        },
        {
          what: 'database statements during all rounds',
          ours: String(queries),
          baseline: '—',
          ratio: '—',
          goal: '0',
          status: queries === 0 ? 'met' : 'missed',
        },
      ],
      notes: [
        'The synchronous line is the check itself (what `verify()` runs before it returns). Awaiting any async function' +
          ' one call at a time costs a microtask turn; the baseline of the awaited line is that cost alone on this' +
          ' machine, which bounds the awaited figure.',
        `Per-round figures — sync: ${roundsList(sync, (v) => rate(v))}; async: ${roundsList(asynchronous, (v) => rate(v))}; await ceiling: ${roundsList(ceiling, (v) => rate(v))}.`,
        ...(status(median(asynchronous)) === 'missed'
          ? [
              '**Goal missed on the awaited line.** What limits it: the microtask of the await, measured by the' +
                ' baseline of that line; the check itself is the synchronous line.',
            ]
          : []),
      ],
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await warden.close();
  }
}
