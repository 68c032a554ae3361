/** Severity badges, per-row counts and the distribution bar, in one colour scale. */
import type { ReactNode } from 'react';
import { SEVERITIES, type Severity } from '../api/types';

export function SeverityBadge({ severity }: { severity: string }): ReactNode {
  return <span className={`sev sev-${severity}`}>{severity}</span>;
}

/** Compact counts for a table cell: only the non-zero severities, most severe first. */
export function SeverityCounts({ summary }: { summary: Partial<Record<string, number>> | null | undefined }): ReactNode {
  if (!summary) return <span className="muted">—</span>;
  const parts = SEVERITIES.filter((s) => (summary[s] ?? 0) > 0);
  if (parts.length === 0) return <span className="muted">none</span>;
  return (
    <span className="sev-counts">
      {parts.map((s) => (
        <span key={s} className={`count sev-${s}`} title={`${summary[s]} ${s}`}>
          {summary[s]}
          <span className="visually-hidden"> {s}</span>
        </span>
      ))}
    </span>
  );
}

/** The share of each severity as one horizontal bar with a legend. */
export function SeverityBar({ counts, label }: { counts: Partial<Record<Severity, number>>; label: string }): ReactNode {
  const total = SEVERITIES.reduce((n, s) => n + (counts[s] ?? 0), 0);
  return (
    <figure className="sev-bar" aria-label={label}>
      <div className="bar" role="img" aria-label={SEVERITIES.map((s) => `${counts[s] ?? 0} ${s}`).join(', ')}>
        {total === 0 ? <span className="bar-empty" /> : SEVERITIES.map((s) => ((counts[s] ?? 0) > 0 ? <span key={s} className={`seg sev-bg-${s}`} style={{ flexGrow: counts[s] }} /> : null))}
      </div>
      <figcaption className="legend">
        {SEVERITIES.map((s) => (
          <span key={s} className="legend-item">
            <span className={`dot sev-bg-${s}`} aria-hidden="true" />
            {s} <strong>{(counts[s] ?? 0).toLocaleString('en')}</strong>
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

export function severityRank(s: string): number {
  const i = SEVERITIES.indexOf(s as Severity);
  return i < 0 ? SEVERITIES.length : i;
}
