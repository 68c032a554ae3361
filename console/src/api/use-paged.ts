import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api } from './client';

export interface Paged<T, X> {
  /** `total` entries; undefined where the page has not loaded yet. */
  rows: Array<T | undefined> | undefined;
  total: number | undefined;
  /** The first page's answer minus its rows (e.g. counts by severity). */
  extra: X | undefined;
  error: Error | undefined;
  loading: boolean;
  /** Fetch the pages that hold rows [start, end). */
  ensure: (start: number, end: number) => void;
  reload: () => void;
}

/**
 * A server-paged list for a virtualized table: page 0 at once, other pages as they scroll into
 * view, so tens of thousands of rows cost only the pages looked at. A new `url` (another filter
 * or sort) starts over; answers for an old url are dropped.
 */
export function usePaged<T, X = unknown>(url: string | null, listKey: string, pageSize = 200): Paged<T, X> {
  const [pages, setPages] = useState<Map<number, T[]>>(new Map());
  const [total, setTotal] = useState<number>();
  const [extra, setExtra] = useState<X>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(false);
  const [generation, setGeneration] = useState(0);
  const inflight = useRef(new Set<number>());
  const current = useRef('');
  const loaded = useRef<number[]>([]);
  loaded.current = [...pages.keys()];

  const fetchPage = useCallback(
    (u: string, page: number, first: boolean): void => {
      inflight.current.add(page);
      const sep = u.includes('?') ? '&' : '?';
      api<Record<string, unknown>>(`${u}${sep}offset=${page * pageSize}&limit=${pageSize}`)
        .then((r) => {
          if (current.current !== u) return;
          const { [listKey]: list, ...rest } = r;
          setPages((m) => new Map(m).set(page, list as T[]));
          setTotal(r.total as number);
          if (first) setExtra(rest as X);
          setError(undefined);
        })
        .catch((e: Error) => {
          if (current.current === u) setError(e);
        })
        .finally(() => {
          if (current.current === u) {
            inflight.current.delete(page);
            if (first) setLoading(false);
          }
        });
    },
    [listKey, pageSize],
  );

  useEffect(() => {
    if (url === null) return;
    const same = current.current === url;
    current.current = url;
    inflight.current = new Set();
    if (!same) setPages(new Map());
    setLoading(true);
    fetchPage(url, 0, true);
    // A reload refreshes every page already on screen, not only the first.
    if (same) for (const p of loaded.current) if (p !== 0) fetchPage(url, p, false);
  }, [url, generation, fetchPage]);

  const ensure = useCallback(
    (start: number, end: number): void => {
      if (url === null || total === undefined) return;
      const last = Math.min(end, total);
      for (let p = Math.floor(start / pageSize); p * pageSize < last; p++) {
        if (!pages.has(p) && !inflight.current.has(p)) fetchPage(url, p, false);
      }
    },
    [url, total, pages, pageSize, fetchPage],
  );

  const rows = useMemo(() => {
    if (total === undefined || !pages.has(0)) return undefined;
    const out = new Array<T | undefined>(total);
    for (const [p, list] of pages) list.forEach((r, i) => (out[p * pageSize + i] = r));
    return out;
  }, [pages, total, pageSize]);

  // A reload keeps what is on screen until the new first page arrives: no blank flash.
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { rows, total, extra, error, loading, ensure, reload };
}
