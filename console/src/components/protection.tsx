/**
 * Run-time protection, in the seed's colours. The circle shows the share of impacted items that
 * are unaffected (black: an image no container runs), protected (green: Monitor or Protect) and
 * unprotected (red: Discover). Policy modes and impact entries: black unaffected, purple Monitor,
 * dark green Protect, light blue Discover.
 */
import type { ReactNode } from 'react';
import type { PolicyMode, Protection, ProtectionCounts } from '../api/types';

const COLORS = { unaffected: 'var(--protect-unaffected)', protected: 'var(--protect-protected)', unprotected: 'var(--protect-unprotected)' } as const;

export function protectionText(p: ProtectionCounts): string {
  return `${p.unaffected} unaffected, ${p.protected} protected, ${p.unprotected} unprotected`;
}

export function ProtectionCircle({ p, size = 22 }: { p: ProtectionCounts; size?: number }): ReactNode {
  const parts = (['unaffected', 'protected', 'unprotected'] as const).map((k) => [k, p[k]] as const).filter(([, n]) => n > 0);
  const total = parts.reduce((n, [, v]) => n + v, 0);
  const r = 15.915; // circumference 100: dash lengths are percentages
  let offset = 25;
  const label = total === 0 ? 'no impacted items' : protectionText(p);
  return (
    <span className="protection" title={label} data-protection={p.state ?? undefined}>
      <svg width={size} height={size} viewBox="0 0 42 42" role="img" aria-label={label}>
        <circle cx="21" cy="21" r={r} fill="none" stroke="#dfe3ea" strokeWidth="8" />
        {parts.map(([k, n]) => {
          const len = (n / total) * 100;
          const el = <circle key={k} cx="21" cy="21" r={r} fill="none" stroke={COLORS[k]} strokeWidth="8" strokeDasharray={`${len} ${100 - len}`} strokeDashoffset={offset} data-part={k} />;
          offset -= len;
          return el;
        })}
      </svg>
    </span>
  );
}

/** The policy mode as a coloured label; `unaffected` for an image no container runs. */
export function ModeBadge({ mode }: { mode: PolicyMode | 'unaffected' | null }): ReactNode {
  const m = mode ?? 'unaffected';
  return <span className={`mode mode-${m}`}>{m}</span>;
}

/** An impacted item's name in the colour of its policy mode. */
export function ImpactName({ mode, children }: { mode: PolicyMode | 'unaffected' | null; children: ReactNode }): ReactNode {
  return <span className={`impact impact-${mode ?? 'unaffected'}`}>{children}</span>;
}

export function protectionMode(p: Protection, mode?: PolicyMode | null): PolicyMode | 'unaffected' {
  return p === 'unaffected' ? 'unaffected' : (mode ?? 'discover');
}
