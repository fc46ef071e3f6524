/**
 * Instructions per request of a row-2 server, counted by valgrind's callgrind. For the bare route
 * the count repeats from run to run whatever the neighbours do; for the app only roughly: whether a
 * major garbage collection of V8 (marking and sweeping a heap that holds PGlite) or a
 * re-optimisation falls within the counted requests moves it by up to a fifth, so compare the app
 * only with a count taken beside it, and per function (`callgrind_annotate`).
 *
 * The server runs under callgrind with counting off; after a warm-up (so that V8 has compiled
 * what the server runs: under valgrind everything is some twenty times slower) counting is turned
 * on for a fixed number of requests and off again, and the process's total is divided by them.
 * The total covers every thread of the process (V8's garbage-collection helpers too) and user
 * space only: the kernel's share of a request is not in it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { autocannon } from './autocannon.js';
import { type ServerSpec, serveInChild } from './http-server.js';

const run = promisify(execFile);

/** Whether valgrind (with callgrind_control) is installed. */
export async function haveCallgrind(): Promise<boolean> {
  try {
    await run('valgrind', ['--version']);
    await run('callgrind_control', ['--version']);
    return true;
  } catch {
    return false;
  }
}

export interface InstructionCount {
  /** User-space instructions per request, all threads of the server's process. */
  perRequest: number;
  /** Requests counted (all answered 2xx). */
  requests: number;
}

/**
 * Counts the instructions per request of one server. `headers` are the request headers (the
 * app's PAT); for the app, its own are used.
 */
export async function instructionsPerRequest(
  spec: ServerSpec,
  options: { headers: Record<string, string>; warmUpSeconds: number; requests: number; connections: number },
): Promise<InstructionCount> {
  const dir = await mkdtemp(join(tmpdir(), 'keywarden-callgrind-'));
  const server = await serveInChild(spec, [
    'valgrind',
    '--tool=callgrind',
    '--instr-atstart=no',
    // V8 writes and rewrites machine code on the heap.
    '--smc-check=all-non-file',
    `--callgrind-out-file=${join(dir, 'out.%p')}`,
  ]);
  try {
    const headers = server.headers ?? options.headers;
    const load = { connections: options.connections, headers };
    await autocannon(server.url, { ...load, durationSeconds: options.warmUpSeconds });
    await run('callgrind_control', ['--instr=on', String(server.pid)]);
    const measured = await autocannon(server.url, {
      ...load,
      durationSeconds: 3600,
      amount: options.requests,
    });
    await run('callgrind_control', ['--instr=off', String(server.pid)]);
    await run('callgrind_control', ['--dump', String(server.pid)]);
    if (measured.non2xx > 0 || measured.errors > 0 || measured.total === 0)
      throw new Error(`${spec.kind}: ${measured.non2xx} non-2xx answers, ${measured.errors} errors`);
    await server.stop();
    let total = 0;
    for (const file of await readdir(dir)) {
      const text = await readFile(join(dir, file), 'utf8');
      total += Number(/^totals: (\d+)/m.exec(text)?.[1] ?? 0);
    }
    return { perRequest: total / measured.total, requests: measured.total };
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
