import { setFlagsFromString } from 'node:v8';

/**
 * Number of distinct hidden classes among `objects`, when the runtime lets us ask
 * (`%HaveSameMap` needs `--allow-natives-syntax`, enabled at run time); `null` otherwise.
 */
export function distinctShapes(objects: readonly object[]): number | null {
  const same = haveSameMap();
  if (same === null) return null;
  const representatives: object[] = [];
  for (const object of objects) {
    if (!representatives.some((r) => same(r, object))) representatives.push(object);
  }
  return representatives.length;
}

let cached: ((a: object, b: object) => boolean) | null | undefined;

function haveSameMap(): ((a: object, b: object) => boolean) | null {
  if (cached !== undefined) return cached;
  try {
    setFlagsFromString('--allow-natives-syntax');
    cached = new Function('a', 'b', 'return %HaveSameMap(a, b);') as (a: object, b: object) => boolean;
  } catch {
    cached = null;
  }
  return cached;
}
