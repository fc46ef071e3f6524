/**
 * One server of row 2, in a Node.js process of its own (started by `serveInChild` below): the
 * real app, the bare baseline route or the lookup-only diagnostic. A production server is one
 * process running one app; sharing a process would let V8 tune the code all of them run
 * (Fastify's reply path, Node.js's HTTP and streams) for whichever ran before.
 *
 * Protocol: the first argument is a JSON {@link ServerSpec}; the process prints one JSON line,
 * {@link Served}, once it listens, and exits when its standard input closes.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';

export type ServerSpec =
  | { kind: 'app'; databaseUrl: string; rateLimit: { limit: number; windowSeconds: number } }
  | { kind: 'lookup'; databaseUrl: string }
  | {
      kind: 'bare';
      body: unknown;
      /**
       * Diagnostic: keep one `process.nextTick` record alive first, as the app does
       * (`src/tick-shape.ts`), so that V8 cannot lose the record's shape in this process either.
       */
      holdTickShape?: boolean;
      /** Diagnostic: response headers to send as well, one `reply.header` each (the app's own). */
      headers?: Record<string, string>;
    };

export interface Served {
  url: string;
  /** The app's: the request headers every load run sends (its PAT). */
  headers?: Record<string, string>;
  /** The app's: the JSON body of its first answer (the bare route answers the same). */
  body?: unknown;
  /**
   * The app's: the headers of its first answer that the app itself sets, by name (not those
   * Node.js and Fastify add to every answer: date, connection, keep-alive, content-type and -length).
   */
  responseHeaders?: Record<string, string>;
}

/** Headers every Fastify answer carries, which the bare route sends anyway. */
const FRAMEWORK_HEADERS = new Set(['date', 'connection', 'keep-alive', 'content-type', 'content-length']);

const PATH = '/v4/user/me';

async function listen(app: ReturnType<typeof Fastify>): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return `http://127.0.0.1:${address.port}${PATH}`;
}

async function serve(spec: ServerSpec): Promise<Served> {
  if (spec.kind === 'bare') {
    if (spec.holdTickShape) await (await import('../../src/tick-shape.js')).holdTickShape();
    const bare = Fastify({ logger: false });
    const headers = Object.entries(spec.headers ?? {});
    if (headers.length === 0) bare.get(PATH, async () => spec.body);
    else
      bare.get(PATH, async (_request, reply) => {
        for (const [name, value] of headers) reply.header(name, value);
        return spec.body;
      });
    return { url: await listen(bare) };
  }
  // Imported here, not at the top: the bare baseline's process loads none of the product.
  const [{ createWarden }, { seedCompany }] = await Promise.all([
    import('../../src/warden/create-warden.js'),
    import('./seed.js'),
  ]);
  const warden = await createWarden({ databaseUrl: spec.databaseUrl, invalidation: 'local' });
  const seed = await seedCompany(warden);
  if (spec.kind === 'lookup') {
    // Diagnostic: a bare route that runs only the handler's own user lookup (no authentication).
    const lookup = Fastify({ logger: false });
    lookup.get(PATH, async () => warden.directory.getUser(seed.company.id, seed.owner.id));
    return { url: await listen(lookup) };
  }
  const issued = await warden.credentials.createPat(seed.ownerCaller, {
    name: 'bench',
    expiresIn: '30d',
    rateLimit: spec.rateLimit,
  });
  if (!issued.ok) throw new Error(`could not issue the PAT: ${issued.code}`);
  const headers = { authorization: `Bearer ${issued.value.token}` };
  const { buildApp } = await import('../../src/http/app.js');
  const app = await buildApp({
    warden,
    logger: false,
    config: { DATABASE_URL: spec.databaseUrl, LOG_LEVEL: 'silent', DASHBOARD_ENABLED: false },
  });
  const url = await listen(app);
  const first = await fetch(url, { headers });
  const body: unknown = await first.json();
  if (first.status !== 200) throw new Error(`GET ${PATH} answered ${first.status}: ${JSON.stringify(body)}`);
  const responseHeaders: Record<string, string> = {};
  for (const [name, value] of first.headers) if (!FRAMEWORK_HEADERS.has(name)) responseHeaders[name] = value;
  return { url, headers, body, responseHeaders };
}

/** A server started by {@link serveInChild}: its answer, its process id, and how to stop it. */
export interface ChildServer extends Served {
  pid: number;
  /** CPU time (user + system) the server's process has used so far, in microseconds. */
  cpuMicros(): number;
  stop(): Promise<void>;
}

/**
 * Starts one server in a child Node.js process (with this process's flags, e.g. `--import tsx`);
 * with `wrapper`, the process runs under that command (`valgrind …`, see `instructions.ts`).
 */
export function serveInChild(spec: ServerSpec, wrapper: string[] = []): Promise<ChildServer> {
  const command = [
    ...wrapper,
    process.execPath,
    ...process.execArgv,
    fileURLToPath(import.meta.url),
    JSON.stringify(spec),
  ];
  const [file = process.execPath, ...args] = command;
  const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`${spec.kind} server exited (${code}): ${stderr.slice(0, 500)}`)),
    );
    createInterface({ input: child.stdout }).once('line', (line) => {
      const served = JSON.parse(line) as Served | { error: string };
      if ('error' in served) return reject(new Error(`${spec.kind} server: ${served.error}`));
      const pid = child.pid ?? 0;
      resolve({
        ...served,
        pid,
        cpuMicros: () => processCpuMicros(pid),
        stop: async () => {
          child.stdin.end();
          await exited;
        },
      });
    });
  });
}

/** Linux: user + system CPU of a process from `/proc/<pid>/stat`, in microseconds (NaN elsewhere). */
function processCpuMicros(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, fields 14 and 15 of the file, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return Number.NaN;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const spec = JSON.parse(process.argv[2] ?? '{}') as ServerSpec;
  serve(spec).then(
    (served) => {
      process.stdout.write(`${JSON.stringify(served)}\n`);
      process.stdin.resume();
      process.stdin.once('end', () => process.exit(0));
    },
    (error: unknown) => {
      process.stdout.write(
        `${JSON.stringify({ error: String(error instanceof Error ? error.stack : error) })}\n`,
      );
      process.exit(1);
    },
  );
}
