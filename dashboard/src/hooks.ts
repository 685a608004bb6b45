import { useEffect, useState } from 'react';
import { gql } from './api';

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
}

/** A GraphQL query that reloads when its variables change (and every `refreshMs`). */
export function useQuery<T>(
  token: string,
  query: string,
  variables: Record<string, unknown>,
  refreshMs?: number,
): Loaded<T> {
  const key = JSON.stringify(variables);
  const [state, setState] = useState<Loaded<T>>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  useEffect(() => {
    let alive = true;
    const load = () => {
      setState((s) => ({ ...s, loading: true }));
      gql<T>(token, query, JSON.parse(key) as Record<string, unknown>).then(
        (data) => alive && setState({ data, error: undefined, loading: false }),
        (err: Error) => alive && setState({ data: undefined, error: err.message, loading: false }),
      );
    };
    load();
    const timer = refreshMs ? setInterval(load, refreshMs) : undefined;
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [token, query, key, refreshMs]);
  return state;
}
