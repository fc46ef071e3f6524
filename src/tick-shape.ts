import { executionAsyncResource } from 'node:async_hooks';

/**
 * Keeps one of Node.js's `process.nextTick` records alive for the life of the process, so that
 * V8 keeps the object shape (hidden class) those records share.
 *
 * Why: `nextTick` builds each record as an object literal with computed keys. V8 holds the
 * transitions to that literal's shapes weakly: when a major garbage collection runs while no record
 * is alive, the shapes die and the next record gets new ones. The literal's inline caches count
 * every new shape as another, and after a few such collections they give up (megamorphic), for
 * good: every record is then built by a runtime call. Starting the embedded database runs many
 * major collections, so a server on PGlite paid this on every one of the nine ticks a request
 * takes (Node's streams schedule them): about 39,000 of 189,000 instructions per
 * `GET /v4/user/me` under callgrind, 150,000 with the record held (docs/benchmarks.md, row 2).
 *
 * Call it before anything that allocates heavily (opening the store). Later calls are free.
 * Where Node.js does not hand out the record (another version), it holds nothing and costs nothing.
 */
export function holdTickShape(): Promise<void> {
  held ??= new Promise((resolve) =>
    process.nextTick(() => {
      record = executionAsyncResource();
      resolve();
    }),
  );
  return held;
}

/** The record held, if any (for tests: the hold does its work by keeping it reachable). */
export function heldTickRecord(): unknown {
  return record;
}

let held: Promise<void> | undefined;
let record: unknown;
