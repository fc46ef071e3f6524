import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from './api';

export type Resource<T> =
  | { state: 'loading' }
  | { state: 'error'; message: string }
  | { state: 'ready'; data: T };

/**
 * Loads data on mount and whenever `reload` is called. A reload keeps showing the previous data
 * until the new data arrives, so lists do not flash a loading state after every action.
 */
export function useResource<T>(load: () => Promise<T>, deps: readonly unknown[]): [Resource<T>, () => void] {
  const [resource, setResource] = useState<Resource<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  // biome-ignore lint/correctness/useExhaustiveDependencies: callers pass the inputs of `load` as deps.
  useEffect(() => {
    let cancelled = false;
    loadRef.current().then(
      (data) => {
        if (!cancelled) setResource({ state: 'ready', data });
      },
      (error: unknown) => {
        if (!cancelled) setResource({ state: 'error', message: errorMessage(error) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [generation, ...deps]);

  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return [resource, reload];
}
