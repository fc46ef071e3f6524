// Run by src/tick-shape.test.ts with --allow-natives-syntax --expose-gc: schedules ticks across
// several major collections, then prints V8's feedback for process.nextTick (its inline caches).
import { writeSync } from 'node:fs';
import { holdTickShape } from '../../src/tick-shape.js';

if (process.argv[2] === 'hold') await holdTickShape();
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

function ticks(count: number): Promise<void> {
  return new Promise((resolve) => {
    let ran = 0;
    for (let i = 0; i < count; i++) process.nextTick(() => ++ran === count && resolve());
  });
}

for (let round = 0; round < 8; round++) {
  await ticks(100);
  gc();
}
await ticks(100);
writeSync(1, '');
// biome-ignore lint/security/noGlobalEval: V8 natives syntax is only reachable through eval
eval('%DebugPrint(process.nextTick)');
