/**
 * A table that stays fast with tens of thousands of rows: only the rows in view are in the DOM
 * (@tanstack/react-virtual), every row has the same height, and the scroll area has a fixed
 * height, so nothing jumps while data loads (skeleton rows hold the place).
 *
 * Rows may be sparse (`undefined` where a server page has not loaded yet): those render as
 * skeletons, and `onRange` reports which rows are in view so the page can fetch them.
 *
 * Keyboard: Tab reaches the table once (roving tabindex); ↑/↓/Home/End/PageUp/PageDown move
 * between rows; Enter opens the row.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

export interface Column<T> {
  key: string;
  header: string;
  /** A CSS grid track: `120px`, `2fr`, `minmax(8rem, 1fr)`. */
  width: string;
  render: (row: T) => ReactNode;
  /** Client-side ordering; columns without one (and without server sorting) do not sort. */
  compare?: (a: T, b: T) => number;
  align?: 'left' | 'right' | 'center';
}

export interface SortState {
  key: string;
  dir: 'asc' | 'desc';
}

export interface DataTableProps<T> {
  label: string;
  rows: ReadonlyArray<T | undefined> | undefined;
  columns: ReadonlyArray<Column<T>>;
  rowKey: (row: T) => string;
  /** The rows in view (with overscan) changed: [start, end) — for lazy server paging. */
  onRange?: (start: number, end: number) => void;
  loading?: boolean;
  onOpen?: (row: T) => void;
  /** Controlled (server-side) sorting: the table only reports clicks. */
  sort?: SortState;
  onSort?: (s: SortState) => void;
  /** Only these columns sort on the server. */
  sortable?: readonly string[];
  empty?: ReactNode;
  height?: string;
  rowHeight?: number;
  testId?: string;
}

const SKELETON_ROWS = 8;

export function DataTable<T>(p: DataTableProps<T>): ReactNode {
  const rowHeight = p.rowHeight ?? 38;
  const scrollRef = useRef<HTMLDivElement>(null);
  const [localSort, setLocalSort] = useState<SortState>();
  const [active, setActive] = useState(0);
  const sort = p.onSort ? p.sort : localSort;
  // The header lines up with the rows: it leaves room for the body's (always reserved) scrollbar.
  const [gutter, setGutter] = useState(0);
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (el) setGutter(el.offsetWidth - el.clientWidth);
  }, []);

  const rows = useMemo(() => {
    const r = p.rows ?? [];
    if (p.onSort || !localSort) return r;
    const col = p.columns.find((c) => c.key === localSort.key);
    const compare = col?.compare;
    if (!compare || r.some((x) => x === undefined)) return r;
    const sorted = [...(r as readonly T[])].sort(compare);
    return localSort.dir === 'desc' ? sorted.reverse() : sorted;
  }, [p.rows, p.columns, p.onSort, localSort]);

  const v = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => rowHeight, overscan: 12 });
  const template = p.columns.map((c) => c.width).join(' ');
  const items = v.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = (items[items.length - 1]?.index ?? -1) + 1;
  const onRange = p.onRange;
  useEffect(() => {
    if (onRange && last > first) onRange(first, last);
  }, [onRange, first, last]);
  const showSkeleton = p.loading && p.rows === undefined;

  const canSort = (c: Column<T>): boolean => (p.onSort ? (p.sortable ?? []).includes(c.key) : c.compare !== undefined);
  const clickSort = (c: Column<T>): void => {
    const next: SortState = { key: c.key, dir: sort?.key === c.key && sort.dir === 'asc' ? 'desc' : 'asc' };
    if (p.onSort) p.onSort(next);
    else setLocalSort(next);
  };

  const focusRow = (i: number): void => {
    const idx = Math.max(0, Math.min(rows.length - 1, i));
    setActive(idx);
    v.scrollToIndex(idx, { align: 'auto' });
    // The row may only now be rendered: focus it on the next frame.
    requestAnimationFrame(() => scrollRef.current?.querySelector<HTMLElement>(`[data-index="${idx}"]`)?.focus());
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>, i: number, row: T | undefined): void => {
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 400) / rowHeight) - 1);
    const moves: Record<string, number> = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: rows.length - 1, PageDown: i + page, PageUp: i - page };
    if (e.key in moves) {
      e.preventDefault();
      focusRow(moves[e.key]!);
    } else if (e.key === 'Enter' && p.onOpen && row !== undefined) {
      e.preventDefault();
      p.onOpen(row);
    }
  };
  const activeIdx = Math.min(active, Math.max(0, rows.length - 1));

  return (
    <div className="table" role="table" aria-label={p.label} aria-rowcount={rows.length + 1} aria-busy={p.loading ? true : undefined} data-testid={p.testId}>
      <div className="table-head" role="row" style={{ gridTemplateColumns: template, paddingRight: gutter }}>
        {p.columns.map((c) => {
          const sorted = sort?.key === c.key ? sort.dir : undefined;
          return (
            <div key={c.key} role="columnheader" className={`cell align-${c.align ?? 'left'}`} aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}>
              {canSort(c) ? (
                <button type="button" className="sort" onClick={() => clickSort(c)}>
                  {c.header}
                  {sorted && (
                    <span aria-hidden="true" className="sort-mark">
                      {sorted === 'asc' ? '▲' : '▼'}
                    </span>
                  )}
                </button>
              ) : (
                c.header
              )}
            </div>
          );
        })}
      </div>
      <div className="table-body" ref={scrollRef} style={{ height: p.height ?? 'calc(100vh - 290px)' }}>
        {showSkeleton ? (
          Array.from({ length: SKELETON_ROWS }, (_, i) => (
            <div key={i} className="row skeleton-row" role="row" style={{ gridTemplateColumns: template, height: rowHeight }}>
              {p.columns.map((c) => (
                <div key={c.key} role="cell" className="cell">
                  <span className="skeleton" />
                </div>
              ))}
            </div>
          ))
        ) : rows.length === 0 ? (
          <div className="table-empty">{p.empty ?? 'Nothing to show.'}</div>
        ) : (
          <div style={{ height: v.getTotalSize(), position: 'relative' }}>
            {items.map((item) => {
              const row = rows[item.index];
              return (
                <div
                  key={row === undefined ? `#${item.index}` : p.rowKey(row)}
                  data-index={item.index}
                  role="row"
                  aria-rowindex={item.index + 2}
                  tabIndex={item.index === activeIdx ? 0 : -1}
                  className={`row${p.onOpen ? ' clickable' : ''}`}
                  style={{ gridTemplateColumns: template, height: rowHeight, transform: `translateY(${item.start}px)` }}
                  onClick={() => {
                    setActive(item.index);
                    if (row !== undefined) p.onOpen?.(row);
                  }}
                  onFocus={() => setActive(item.index)}
                  onKeyDown={(e) => onKey(e, item.index, row)}
                >
                  {p.columns.map((c) => (
                    <div key={c.key} role="cell" className={`cell align-${c.align ?? 'left'}`}>
                      {row === undefined ? <span className="skeleton" /> : c.render(row)}
                    </div>
                  ))}
                </div>
              );
            })}
          </div>
        )}
      </div>
    </div>
  );
}
