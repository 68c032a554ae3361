/** Page furniture: the heading row, cards, messages and placeholders of a fixed size. */
import { useState, type ReactNode } from 'react';
import { download } from '../api/client';

export function PageHeader({ title, children, crumbs }: { title: string; children?: ReactNode; crumbs?: ReactNode }): ReactNode {
  return (
    <header className="page-head">
      <div>
        {crumbs && <nav aria-label="Breadcrumb" className="crumbs">{crumbs}</nav>}
        <h1>{title}</h1>
      </div>
      {children && <div className="actions">{children}</div>}
    </header>
  );
}

export function Card({ title, children, className }: { title?: string; children: ReactNode; className?: string }): ReactNode {
  return (
    <section className={`card${className ? ` ${className}` : ''}`} aria-label={title}>
      {title && <h2 className="card-title">{title}</h2>}
      {children}
    </section>
  );
}

export function ErrorBox({ error }: { error: Error | undefined | null }): ReactNode {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {error.message}
    </p>
  );
}

/** A grey bar holding the place of a value that has not loaded yet. */
export function Skeleton({ width = '6rem' }: { width?: string }): ReactNode {
  return <span className="skeleton" style={{ width }} aria-hidden="true" />;
}

export function Stat({ label, value, hint }: { label: string; value: ReactNode; hint?: ReactNode }): ReactNode {
  return (
    <div className="stat">
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value ?? <Skeleton width="3rem" />}</div>
      <div className="stat-hint">{hint ?? '\u00a0'}</div>
    </div>
  );
}

/** CSV and PDF buttons for a report URL (without extension); query is the on-screen filter. */
export function ReportButtons({ base, query = '', name }: { base: string; query?: string; name: string }): ReactNode {
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<Error>();
  const get = async (ext: 'csv' | 'pdf'): Promise<void> => {
    setBusy(ext);
    setError(undefined);
    try {
      await download(`${base}.${ext}${query}`, `${name}.${ext}`);
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(undefined);
    }
  };
  return (
    <span className="report-buttons">
      <button type="button" onClick={() => void get('csv')} disabled={busy !== undefined}>
        {busy === 'csv' ? 'Preparing…' : 'CSV'}
      </button>
      <button type="button" onClick={() => void get('pdf')} disabled={busy !== undefined}>
        {busy === 'pdf' ? 'Preparing…' : 'PDF'}
      </button>
      {error && (
        <span className="error inline" role="alert">
          {error.message}
        </span>
      )}
    </span>
  );
}

export function Missing({ what }: { what: string }): ReactNode {
  return (
    <Card>
      <p className="muted">
        This server does not offer the {what} API yet. The page fills in once a controller with it is running.
      </p>
    </Card>
  );
}
