/** The console's state helpers: the signed-in API for every screen, and loading what a screen shows. */
import { createContext, useCallback, useContext, useEffect, useState } from 'react';
import type { Api } from './api';

export const ApiContext = createContext<Api | null>(null);

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside the signed-in console');
  return api;
}

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` now and whenever `deps` change or `reload` is called; an answer to a superseded call is dropped. */
export function useLoad<T>(load: (api: Api) => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const api = useApi();
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let current = true;
    setState((previous) => ({ ...previous, loading: true }));
    load(api).then(
      (data) => current && setState({ data, loading: false }),
      (error: unknown) => current && setState({ error: error instanceof Error ? error : new Error(String(error)), loading: false }),
    );
    return () => {
      current = false;
    };
    // The caller names what `load` depends on in `deps`, as with useEffect itself.
  }, [api, generation, ...deps]);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** An action's pending flag and its last error, for a button and the alert beside it. */
export function useAction<A extends unknown[], R>(
  act: (...args: A) => Promise<R>,
): { run(...args: A): Promise<R | undefined>; pending: boolean; error: Error | undefined } {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<Error>();
  const run = async (...args: A) => {
    setPending(true);
    setError(undefined);
    try {
      return await act(...args);
    } catch (caught) {
      setError(caught instanceof Error ? caught : new Error(String(caught)));
      return undefined;
    } finally {
      setPending(false);
    }
  };
  return { run, pending, error };
}
