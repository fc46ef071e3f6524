import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { heldTickRecord, holdTickShape } from './tick-shape.js';

const PROBE = fileURLToPath(new URL('../test/support/tick-shape-probe.ts', import.meta.url));

/** The inline-cache states of the tick record literal's property definitions, as V8 prints them. */
function literalStates(mode: 'hold' | 'plain'): string[] {
  // V8 prints to the C stdout, which a pipe may cut short at exit: the probe writes to a file.
  const file = join(mkdtempSync(join(tmpdir(), 'keywarden-tick-')), 'feedback.txt');
  const out = openSync(file, 'w');
  try {
    const run = spawnSync(
      process.execPath,
      ['--allow-natives-syntax', '--expose-gc', '--import', 'tsx', PROBE, mode],
      { stdio: ['ignore', out, 'pipe'], encoding: 'utf8', timeout: 60_000 },
    );
    if (run.status !== 0) throw new Error(`probe failed: ${run.stderr}`);
  } finally {
    closeSync(out);
  }
  const printed = readFileSync(file, 'utf8');
  rmSync(dirname(file), { recursive: true, force: true });
  return [...printed.matchAll(/DefineKeyedOwnPropertyInLiteral (\w+)/g)].map((match) => match[1] ?? '');
}

describe('holdTickShape', () => {
  it('keeps one of Node.js’s tick records reachable', async () => {
    await holdTickShape();
    const record = heldTickRecord();
    expect(typeof record).toBe('object');
    // The record's own keys are Node's async-id symbols: it is the tick record, not some other resource.
    expect(Object.getOwnPropertySymbols(record as object).length).toBeGreaterThanOrEqual(2);
    await holdTickShape();
    expect(heldTickRecord()).toBe(record);
  });

  it('keeps process.nextTick’s record literal monomorphic across major collections', (context) => {
    const plain = literalStates('plain');
    if (!plain.includes('MEGAMORPHIC')) {
      // This Node.js (V8) prints its feedback differently or no longer loses the shape.
      console.warn(`tick-shape: the plain probe stayed ${plain.join(', ') || 'unprinted'}; nothing to show`);
      return context.skip();
    }
    const held = literalStates('hold');
    expect(held.length).toBeGreaterThan(0);
    expect(held.every((state) => state === 'MONOMORPHIC')).toBe(true);
  });
});
