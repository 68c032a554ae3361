import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError } from './client';

export interface ApiState<T> {
  data: T | undefined;
  error: ApiError | Error | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * GET `path` (null: nothing yet) and keep the last answer while a reload runs, so tables do not
 * blank and jump. `pollMs` re-fetches while `keepPolling(data)` holds (scans in progress).
 */
export function useApi<T>(path: string | null, o: { pollMs?: number; keepPolling?: (d: T) => boolean } = {}): ApiState<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError | Error>();
  const [loading, setLoading] = useState(path !== null);
  const [tick, setTick] = useState(0);
  const keep = useRef(o.keepPolling);
  keep.current = o.keepPolling;

  useEffect(() => {
    if (path === null) return;
    const ctl = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    setLoading(true);
    api<T>(path, { signal: ctl.signal })
      .then((d) => {
        setData(d);
        setError(undefined);
        if (o.pollMs && keep.current?.(d)) timer = setTimeout(() => setTick((t) => t + 1), o.pollMs);
      })
      .catch((e: unknown) => {
        if (ctl.signal.aborted) return;
        setError(e instanceof Error ? e : new Error(String(e)));
      })
      .finally(() => {
        if (!ctl.signal.aborted) setLoading(false);
      });
    return () => {
      ctl.abort();
      if (timer) clearTimeout(timer);
    };
  }, [path, tick, o.pollMs]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}

/** Whether the server has a route (a 404 from `GET path` means the API has not landed). */
export function isMissingApi(e: unknown): boolean {
  return e instanceof ApiError && e.status === 404 && e.code === 'not-found' && e.message.startsWith('no route');
}
