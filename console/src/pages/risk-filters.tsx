/**
 * The filters of the Security Risks views: a text box, and an advanced panel (a dialog: Enter
 * applies, Escape cancels) with severity, fix, KEV, accepted, score range, publication dates,
 * view, and asset filters that each match by equals or contains. The applied filters show as
 * removable chips, and become the one query string the list, the CSV and the PDF share.
 */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { SEVERITIES, type Severity } from '../api/types';
import { Dialog } from '../components/dialog';

export const ASSET_FIELDS = ['namespace', 'service', 'container', 'node', 'image', 'os'] as const;
export type AssetField = (typeof ASSET_FIELDS)[number];
export type Tri = '' | 'true' | 'false';
export type View = 'all' | 'containers' | 'infrastructure' | 'registry';

export interface RiskFilters {
  severity: Severity[];
  fixable: Tri;
  kev: Tri;
  accepted: Tri;
  scoreMin: string;
  scoreMax: string;
  scoreVersion: 'any' | 'v2' | 'v3';
  publishedAfter: string;
  publishedBefore: string;
  view: View;
  assets: Record<AssetField, { value: string; match: 'equals' | 'contains' }>;
}

export const EMPTY_FILTERS: RiskFilters = {
  severity: [],
  fixable: '',
  kev: '',
  accepted: '',
  scoreMin: '',
  scoreMax: '',
  scoreVersion: 'any',
  publishedAfter: '',
  publishedBefore: '',
  view: 'all',
  assets: Object.fromEntries(ASSET_FIELDS.map((k) => [k, { value: '', match: 'equals' }])) as RiskFilters['assets'],
};

const ASSET_LABELS: Record<AssetField, string> = { namespace: 'Namespace', service: 'Service', container: 'Workload / container', node: 'Node', image: 'Image', os: 'Base OS' };

/** The API's query parameters for these filters (lists comma-separated). */
export function filterParams(f: RiskFilters, fields: readonly string[] = ['severity', 'fixable', 'kev', 'accepted', 'score', 'published', 'view', ...ASSET_FIELDS]): Record<string, string | undefined> {
  const p: Record<string, string | undefined> = {};
  const has = (k: string): boolean => fields.includes(k);
  if (has('severity') && f.severity.length) p.severity = f.severity.join(',');
  if (has('fixable') && f.fixable) p.fixable = f.fixable;
  if (has('kev') && f.kev) p.kev = f.kev;
  if (has('accepted') && f.accepted) p.accepted = f.accepted;
  if (has('score')) {
    if (f.scoreMin) p.scoreMin = f.scoreMin;
    if (f.scoreMax) p.scoreMax = f.scoreMax;
    if ((f.scoreMin || f.scoreMax) && f.scoreVersion !== 'any') p.scoreVersion = f.scoreVersion;
  }
  if (has('published')) {
    if (f.publishedAfter) p.publishedAfter = f.publishedAfter;
    if (f.publishedBefore) p.publishedBefore = f.publishedBefore;
  }
  if (has('view') && f.view !== 'all') p.view = f.view;
  for (const k of ASSET_FIELDS) {
    const a = f.assets[k];
    const values = a.value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (!has(k) || values.length === 0) continue;
    p[k] = values.join(',');
    if (a.match === 'contains') p[`${k}Match`] = 'contains';
  }
  return p;
}

const TRI = new Set(['true', 'false']);

/**
 * The inverse of filterParams: filters from a query string, so a view can be linked to
 * (/risks/vulnerabilities?namespace=prod&severity=critical) and survives a reload.
 */
export function filtersFromParams(p: URLSearchParams): RiskFilters {
  const f: RiskFilters = { ...EMPTY_FILTERS, assets: { ...EMPTY_FILTERS.assets } };
  const list = (k: string): string[] =>
    p
      .getAll(k)
      .flatMap((v) => v.split(','))
      .map((s) => s.trim())
      .filter(Boolean);
  f.severity = list('severity').filter((s): s is Severity => (SEVERITIES as readonly string[]).includes(s));
  for (const k of ['fixable', 'kev', 'accepted'] as const) {
    const v = p.get(k);
    if (v && TRI.has(v)) f[k] = v as Tri;
  }
  f.scoreMin = p.get('scoreMin') ?? '';
  f.scoreMax = p.get('scoreMax') ?? '';
  const sv = p.get('scoreVersion');
  if (sv === 'v2' || sv === 'v3') f.scoreVersion = sv;
  f.publishedAfter = p.get('publishedAfter') ?? '';
  f.publishedBefore = p.get('publishedBefore') ?? '';
  const view = p.get('view');
  if (view === 'containers' || view === 'infrastructure' || view === 'registry') f.view = view;
  for (const k of ASSET_FIELDS) {
    const values = list(k);
    if (values.length) f.assets[k] = { value: values.join(', '), match: p.get(`${k}Match`) === 'contains' ? 'contains' : 'equals' };
  }
  return f;
}

/** The applied filters as chips; each removes its own filter. */
export function FilterChips({ f, onChange }: { f: RiskFilters; onChange: (f: RiskFilters) => void }): ReactNode {
  const chips: Array<{ label: string; clear: () => RiskFilters }> = [];
  if (f.severity.length) chips.push({ label: `severity: ${f.severity.join(', ')}`, clear: () => ({ ...f, severity: [] }) });
  if (f.fixable) chips.push({ label: f.fixable === 'true' ? 'fix available' : 'no fix', clear: () => ({ ...f, fixable: '' }) });
  if (f.kev) chips.push({ label: f.kev === 'true' ? 'in KEV' : 'not in KEV', clear: () => ({ ...f, kev: '' }) });
  if (f.accepted) chips.push({ label: f.accepted === 'true' ? 'accepted' : 'not accepted', clear: () => ({ ...f, accepted: '' }) });
  if (f.scoreMin || f.scoreMax) chips.push({ label: `score ${f.scoreMin || '0'}–${f.scoreMax || '10'}${f.scoreVersion !== 'any' ? ` (${f.scoreVersion})` : ''}`, clear: () => ({ ...f, scoreMin: '', scoreMax: '' }) });
  if (f.publishedAfter) chips.push({ label: `published ≥ ${f.publishedAfter}`, clear: () => ({ ...f, publishedAfter: '' }) });
  if (f.publishedBefore) chips.push({ label: `published < ${f.publishedBefore}`, clear: () => ({ ...f, publishedBefore: '' }) });
  for (const k of ASSET_FIELDS) {
    const a = f.assets[k];
    if (a.value.trim()) chips.push({ label: `${k} ${a.match === 'contains' ? '~' : '='} ${a.value.trim()}`, clear: () => ({ ...f, assets: { ...f.assets, [k]: { ...a, value: '' } } }) });
  }
  return (
    <div className="chips" aria-label="Applied filters">
      {chips.length === 0 ? (
        <span className="muted">No advanced filter.</span>
      ) : (
        chips.map((c) => (
          <span key={c.label} className="chip">
            {c.label}
            <button type="button" className="chip-x" aria-label={`Remove filter ${c.label}`} onClick={() => onChange(c.clear())}>
              ×
            </button>
          </span>
        ))
      )}
    </div>
  );
}

export function countFilters(f: RiskFilters): number {
  return (
    (f.severity.length ? 1 : 0) +
    (f.fixable ? 1 : 0) +
    (f.kev ? 1 : 0) +
    (f.accepted ? 1 : 0) +
    (f.scoreMin || f.scoreMax ? 1 : 0) +
    (f.publishedAfter ? 1 : 0) +
    (f.publishedBefore ? 1 : 0) +
    ASSET_FIELDS.filter((k) => f.assets[k].value.trim()).length
  );
}

function TriSelect({ label, value, onChange, yes, no }: { label: string; value: Tri; onChange: (v: Tri) => void; yes: string; no: string }): ReactNode {
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value as Tri)}>
        <option value="">any</option>
        <option value="true">{yes}</option>
        <option value="false">{no}</option>
      </select>
    </label>
  );
}

/** The advanced filter dialog; `fields` hides what a view does not support. */
export function AdvancedFilter({
  open,
  value,
  onApply,
  onClose,
  fields = ['severity', 'fixable', 'kev', 'accepted', 'score', 'published', ...ASSET_FIELDS],
}: {
  open: boolean;
  value: RiskFilters;
  onApply: (f: RiskFilters) => void;
  onClose: () => void;
  fields?: readonly string[];
}): ReactNode {
  const [f, setF] = useState(value);
  useEffect(() => {
    if (open) setF(value);
  }, [open, value]);
  const has = (k: string): boolean => fields.includes(k);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    onApply(f);
  };
  return (
    <Dialog title="Advanced filter" open={open} onClose={onClose} wide>
      <form className="form" onSubmit={submit}>
        {has('severity') && (
          <fieldset>
            <legend>Severity</legend>
            <div className="radios">
              {SEVERITIES.map((s) => (
                <label key={s} className="check">
                  <input
                    type="checkbox"
                    name={`severity-${s}`}
                    checked={f.severity.includes(s)}
                    onChange={(e) => setF({ ...f, severity: e.target.checked ? [...f.severity, s] : f.severity.filter((x) => x !== s) })}
                  />{' '}
                  {s}
                </label>
              ))}
            </div>
          </fieldset>
        )}
        {(has('fixable') || has('score') || has('published')) && (
          <div className="form-grid">
            {has('fixable') && <TriSelect label="Fix available" value={f.fixable} onChange={(v) => setF({ ...f, fixable: v })} yes="yes" no="no" />}
            {has('kev') && <TriSelect label="CISA KEV" value={f.kev} onChange={(v) => setF({ ...f, kev: v })} yes="in KEV" no="not in KEV" />}
            {has('accepted') && <TriSelect label="Accepted" value={f.accepted} onChange={(v) => setF({ ...f, accepted: v })} yes="accepted" no="not accepted" />}
            {has('score') && (
              <>
                <label>
                  Score from
                  <input type="number" min={0} max={10} step={0.1} value={f.scoreMin} onChange={(e) => setF({ ...f, scoreMin: e.target.value })} />
                </label>
                <label>
                  Score to
                  <input type="number" min={0} max={10} step={0.1} value={f.scoreMax} onChange={(e) => setF({ ...f, scoreMax: e.target.value })} />
                </label>
                <label>
                  Score version
                  <select value={f.scoreVersion} onChange={(e) => setF({ ...f, scoreVersion: e.target.value as RiskFilters['scoreVersion'] })}>
                    <option value="any">v3, else v2</option>
                    <option value="v3">CVSS v3</option>
                    <option value="v2">CVSS v2</option>
                  </select>
                </label>
              </>
            )}
            {has('published') && (
              <>
                <label>
                  Published after
                  <input type="date" value={f.publishedAfter} onChange={(e) => setF({ ...f, publishedAfter: e.target.value })} />
                </label>
                <label>
                  Published before
                  <input type="date" value={f.publishedBefore} onChange={(e) => setF({ ...f, publishedBefore: e.target.value })} />
                </label>
              </>
            )}
          </div>
        )}
        <fieldset>
          <legend>Assets (comma-separate several values)</legend>
          <div className="asset-filters">
            {ASSET_FIELDS.filter(has).map((k) => (
              <div key={k} className="asset-filter">
                <label htmlFor={`af-${k}`}>{ASSET_LABELS[k]}</label>
                <select
                  aria-label={`${ASSET_LABELS[k]} match`}
                  value={f.assets[k].match}
                  onChange={(e) => setF({ ...f, assets: { ...f.assets, [k]: { ...f.assets[k], match: e.target.value as 'equals' | 'contains' } } })}
                >
                  <option value="equals">equals</option>
                  <option value="contains">contains</option>
                </select>
                <input id={`af-${k}`} value={f.assets[k].value} onChange={(e) => setF({ ...f, assets: { ...f.assets, [k]: { ...f.assets[k], value: e.target.value } } })} />
              </div>
            ))}
          </div>
        </fieldset>
        <div className="form-actions">
          <button type="button" onClick={() => setF({ ...EMPTY_FILTERS, view: f.view })}>
            Reset
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary">
            Apply
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** `value` after `ms` without change: the text box filters as one types, without a request per key. */
export function useDebounced<T>(value: T, ms = 250): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}
