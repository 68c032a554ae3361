/**
 * Security Risks → Vulnerabilities: one row per CVE across images, nodes, containers and
 * platforms, filtered and sorted on the server and paged into a virtualized table as it scrolls.
 * A row opens the details: description, remediation, acceptances and the impact lists, each item
 * in the colour of its policy mode. CSV and PDF export exactly the filtered, sorted view.
 */
import { useEffect, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { api, download, qs } from '../api/client';
import { usePaged } from '../api/use-paged';
import { isMissingApi, useApi } from '../api/use-api';
import { SEVERITIES, type Acceptance, type PackageHit, type Severity, type VulnDetail, type VulnRow } from '../api/types';
import { DataTable, type Column, type SortState } from '../components/data-table';
import { Dialog } from '../components/dialog';
import { ErrorBox, Missing, PageHeader, ReportButtons, Skeleton } from '../components/page';
import { ImpactName, ModeBadge, ProtectionCircle, protectionMode, protectionText } from '../components/protection';
import { SeverityBadge } from '../components/severity';
import { compact, formatDate, formatDay, plural } from '../format';
import { AdvancedFilter, FilterChips, countFilters, filterParams, filtersFromParams, useDebounced, type RiskFilters, type View } from './risk-filters';

const SORTABLE = ['id', 'severity', 'score', 'published', 'fixable', 'kev', 'epss', 'images', 'nodes', 'containers', 'platforms', 'unprotected'];

const num = (n: number): ReactNode => (n > 0 ? n.toLocaleString('en') : <span className="muted">0</span>);

const columns: Array<Column<VulnRow>> = [
  {
    key: 'id',
    header: 'Vulnerability',
    width: 'minmax(9rem, 1.2fr)',
    render: (v) => (
      <span className="mono">
        {v.id}
        {v.accepted && ' '}
        {v.accepted && (
          <span className="accepted" title={v.accepted === 'global' ? 'accepted everywhere' : 'accepted in some images or namespaces'}>
            {v.accepted === 'global' ? 'accepted' : 'partly accepted'}
          </span>
        )}
      </span>
    ),
  },
  { key: 'severity', header: 'Severity', width: '6.5rem', render: (v) => <SeverityBadge severity={v.severity} /> },
  { key: 'score', header: 'Score', width: '4.3rem', align: 'right', render: (v) => (v.score === null ? '—' : v.score.toFixed(1)) },
  { key: 'published', header: 'Published', width: '7.3rem', render: (v) => formatDay(v.published) },
  { key: 'fixable', header: 'Fix', width: '3.6rem', align: 'center', render: (v) => (v.fixAvailable ? <span title="fix available">✓</span> : <span className="muted">—</span>) },
  { key: 'kev', header: 'KEV', width: '3.8rem', align: 'center', render: (v) => (v.kev ? <span className="kev">KEV</span> : '') },
  { key: 'epss', header: 'EPSS', width: '4.5rem', align: 'right', render: (v) => (v.epss === null ? '—' : v.epss.toFixed(3)) },
  { key: 'images', header: 'Images', width: '4.8rem', align: 'right', render: (v) => num(v.impact.images) },
  { key: 'nodes', header: 'Nodes', width: '4.5rem', align: 'right', render: (v) => num(v.impact.nodes) },
  { key: 'containers', header: 'Containers', width: '7.5rem', align: 'right', render: (v) => num(v.impact.containers) },
  { key: 'platforms', header: 'Platforms', width: '6.4rem', align: 'right', render: (v) => num(v.impact.platforms) },
  { key: 'unprotected', header: 'Protection', width: '6.2rem', align: 'center', render: (v) => <ProtectionCircle p={v.protection} /> },
];

function Packages({ list }: { list: PackageHit[] }): ReactNode {
  return (
    <span className="mono small">
      {list.map((p, i) => (
        <span key={`${p.name}:${p.installed}`}>
          {i > 0 && ', '}
          {p.name} {p.installed}
          {p.fixed ? ` → ${p.fixed}` : ' (no fix)'}
        </span>
      ))}
    </span>
  );
}

function AcceptForm({ vuln, onDone }: { vuln: string; onDone: () => void }): ReactNode {
  const [scope, setScope] = useState<Acceptance['scope']>('global');
  const [target, setTarget] = useState('');
  const [comment, setComment] = useState('');
  const [expires, setExpires] = useState('');
  const [error, setError] = useState<string>();
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    try {
      await api('/api/v1/risks/acceptances', {
        method: 'POST',
        body: {
          vulnerability: vuln,
          scope,
          ...(scope === 'image' ? { image: target.trim() } : scope === 'namespace' ? { namespace: target.trim() } : {}),
          comment,
          ...(expires ? { expiresAt: new Date(`${expires}T23:59:59Z`).toISOString() } : {}),
        },
      });
      onDone();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form className="form accept-form" onSubmit={(e) => void submit(e)} aria-label={`Accept ${vuln}`}>
      <div className="form-grid">
        <label>
          Scope
          <select value={scope} onChange={(e) => setScope(e.target.value as Acceptance['scope'])}>
            <option value="global">everywhere</option>
            <option value="image">one image</option>
            <option value="namespace">one namespace</option>
          </select>
        </label>
        {scope !== 'global' && (
          <label>
            {scope === 'image' ? 'Image (digest or repository:tag)' : 'Namespace'}
            <input required value={target} onChange={(e) => setTarget(e.target.value)} />
          </label>
        )}
        <label>
          Expires (optional)
          <input type="date" value={expires} onChange={(e) => setExpires(e.target.value)} />
        </label>
      </div>
      <label>
        Comment
        <input required value={comment} onChange={(e) => setComment(e.target.value)} placeholder="why this risk is accepted" />
      </label>
      <p className="error" role="alert">
        {error ?? ''}
      </p>
      <div className="form-actions">
        <button type="submit" className="primary">
          Accept
        </button>
      </div>
    </form>
  );
}

type ImpactTab = 'images' | 'containers' | 'nodes' | 'platforms';

export function VulnDetails({ id, onChanged }: { id: string; onChanged: () => void }): ReactNode {
  const d = useApi<VulnDetail>(`/api/v1/risks/vulnerabilities/${encodeURIComponent(id)}`);
  const [tab, setTab] = useState<ImpactTab>('containers');
  const [accepting, setAccepting] = useState(false);
  const v = d.data;
  if (d.error) return <ErrorBox error={d.error} />;
  if (!v) {
    return (
      <div className="details">
        <p>
          <Skeleton width="70%" />
        </p>
        <p>
          <Skeleton width="90%" />
        </p>
        <div className="impact-skeleton" />
      </div>
    );
  }
  const tabs: ImpactTab[] = ['images', 'containers', 'nodes', 'platforms'];
  const withdraw = (a: Acceptance): void => {
    void api(`/api/v1/risks/acceptances/${a.id}`, { method: 'DELETE' }).finally(() => {
      d.reload();
      onChanged();
    });
  };
  return (
    <div className="details">
      <p className="detail-badges">
        <SeverityBadge severity={v.severity} /> {v.kev && <span className="kev">KEV</span>} <ProtectionCircle p={v.protection} size={18} /> <span className="muted">{protectionText(v.protection)}</span>
      </p>
      {v.title && <h3 className="detail-title">{v.title}</h3>}
      <p>{v.description ?? <span className="muted">No description in the vulnerability DB.</span>}</p>
      <dl className="facts">
        <div>
          <dt>CVSS v3 / v2</dt>
          <dd>
            {v.cvss3 ?? '—'} / {v.cvss2 ?? '—'}
          </dd>
        </div>
        <div>
          <dt>Published</dt>
          <dd>{formatDay(v.published)}</dd>
        </div>
        <div>
          <dt>EPSS</dt>
          <dd>{v.epss === null ? '—' : v.epss.toFixed(4)}</dd>
        </div>
        <div>
          <dt>Packages</dt>
          <dd className="mono small">{v.packages.join(', ') || '—'}</dd>
        </div>
      </dl>
      <h3 className="detail-head">Remediation</h3>
      <p className="remediation">{v.remediation || 'No fixed version is known yet.'}</p>
      {v.link && (
        <p>
          <a href={v.link} target="_blank" rel="noreferrer">
            {v.link}
          </a>
        </p>
      )}
      <h3 className="detail-head">Impact</h3>
      <div className="tabs" role="tablist" aria-label="Impacted assets">
        {tabs.map((t) => (
          <button
            key={t}
            type="button"
            role="tab"
            id={`impact-tab-${t}`}
            aria-selected={tab === t}
            aria-controls="impact-panel"
            tabIndex={tab === t ? 0 : -1}
            className={`tab${tab === t ? ' current' : ''}`}
            onClick={() => setTab(t)}
            onKeyDown={(e) => {
              const i = tabs.indexOf(t);
              const next = e.key === 'ArrowRight' ? tabs[(i + 1) % tabs.length] : e.key === 'ArrowLeft' ? tabs[(i + tabs.length - 1) % tabs.length] : undefined;
              if (next) {
                setTab(next);
                document.getElementById(`impact-tab-${next}`)?.focus();
              }
            }}
          >
            {t[0]!.toUpperCase() + t.slice(1)} ({v.impact[t].total})
          </button>
        ))}
      </div>
      <div role="tabpanel" id="impact-panel" aria-labelledby={`impact-tab-${tab}`} className="impact-panel">
        {v.impact[tab].total === 0 ? (
          <p className="muted">None.</p>
        ) : (
          <table className="simple">
            <thead>
              {tab === 'images' && (
                <tr>
                  <th>Image</th>
                  <th>OS</th>
                  <th>Running containers</th>
                  <th>Protection</th>
                  <th>Packages (installed → fixed)</th>
                </tr>
              )}
              {tab === 'containers' && (
                <tr>
                  <th>Container</th>
                  <th>Namespace</th>
                  <th>Service</th>
                  <th>Group</th>
                  <th>Policy mode</th>
                  <th>Node</th>
                  <th>Packages (installed → fixed)</th>
                </tr>
              )}
              {tab === 'nodes' && (
                <tr>
                  <th>Node</th>
                  <th>OS</th>
                  <th>Group</th>
                  <th>Policy mode</th>
                  <th>Packages (installed → fixed)</th>
                </tr>
              )}
              {tab === 'platforms' && (
                <tr>
                  <th>Platform</th>
                  <th>Type</th>
                  <th>Version</th>
                  <th>Packages (installed → fixed)</th>
                </tr>
              )}
            </thead>
            <tbody>
              {tab === 'images' &&
                v.impact.images.items.map((i) => (
                  <tr key={i.digest} data-protection={i.protection}>
                    <td>
                      <ImpactName mode={i.protection === 'unaffected' ? 'unaffected' : i.protection === 'protected' ? 'protect' : 'discover'}>{i.names[0] ?? i.digest.slice(0, 19)}</ImpactName>
                      {i.accepted && <span className="accepted">accepted</span>}
                    </td>
                    <td>{i.os ?? '—'}</td>
                    <td>{i.containers}</td>
                    <td>{i.protection}</td>
                    <td>
                      <Packages list={i.packages} />
                    </td>
                  </tr>
                ))}
              {tab === 'containers' &&
                v.impact.containers.items.map((c) => (
                  <tr key={c.id} data-mode={c.policyMode}>
                    <td>
                      <ImpactName mode={protectionMode(c.protection, c.policyMode)}>{c.name}</ImpactName>
                      {c.accepted && <span className="accepted">accepted</span>}
                    </td>
                    <td>{c.namespace ?? '—'}</td>
                    <td>{c.service ?? '—'}</td>
                    <td>{c.group ?? '—'}</td>
                    <td>
                      <ModeBadge mode={c.policyMode} />
                    </td>
                    <td>{c.node ?? '—'}</td>
                    <td>
                      <Packages list={c.packages} />
                    </td>
                  </tr>
                ))}
              {tab === 'nodes' &&
                v.impact.nodes.items.map((n) => (
                  <tr key={n.id} data-mode={n.policyMode}>
                    <td>
                      <ImpactName mode={n.policyMode}>{n.name}</ImpactName>
                    </td>
                    <td>{n.os ?? '—'}</td>
                    <td>{n.group}</td>
                    <td>
                      <ModeBadge mode={n.policyMode} />
                    </td>
                    <td>
                      <Packages list={n.packages} />
                    </td>
                  </tr>
                ))}
              {tab === 'platforms' &&
                v.impact.platforms.items.map((p) => (
                  <tr key={p.id}>
                    <td>
                      <ImpactName mode="unaffected">{p.name}</ImpactName>
                    </td>
                    <td>{p.type}</td>
                    <td>{p.version ?? '—'}</td>
                    <td>
                      <Packages list={p.packages} />
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
        )}
        {v.impact[tab].total > v.impact[tab].items.length && <p className="muted">Showing {v.impact[tab].items.length} of {v.impact[tab].total}.</p>}
      </div>
      <h3 className="detail-head">Acceptance</h3>
      {v.acceptances.length > 0 && (
        <ul className="acceptances">
          {v.acceptances.map((a) => (
            <li key={a.id}>
              <strong>{a.scope === 'global' ? 'everywhere' : a.scope === 'image' ? `image ${a.image}` : `namespace ${a.namespace}`}</strong> — {a.comment} <span className="muted">({a.createdBy ?? 'unknown'}, {a.expiresAt ? `until ${formatDate(a.expiresAt)}` : 'no expiry'}{a.active ? '' : ', expired'})</span>{' '}
              <button type="button" className="link-button" onClick={() => withdraw(a)}>
                Withdraw
              </button>
            </li>
          ))}
        </ul>
      )}
      {accepting ? (
        <AcceptForm
          vuln={v.id}
          onDone={() => {
            setAccepting(false);
            d.reload();
            onChanged();
          }}
        />
      ) : (
        <button type="button" onClick={() => setAccepting(true)}>
          Accept this risk…
        </button>
      )}
    </div>
  );
}

export function VulnerabilitiesPage(): ReactNode {
  // The view lives in the address: links open it filtered (?q=CVE-…, ?node=…, ?namespace=…) and
  // a reload or a shared link shows the same rows.
  const [initial] = useState(() => new URLSearchParams(window.location.search));
  const [text, setText] = useState(() => initial.get('q') ?? '');
  const q = useDebounced(text.trim());
  const [filters, setFilters] = useState<RiskFilters>(() => filtersFromParams(initial));
  const [advanced, setAdvanced] = useState(false);
  const [sort, setSort] = useState<SortState>(() => {
    const key = initial.get('sort');
    return key && SORTABLE.includes(key) ? { key, dir: initial.get('order') === 'asc' ? 'asc' : 'desc' } : { key: 'severity', dir: 'desc' };
  });
  const [selected, setSelected] = useState<VulnRow>();
  const [exportError, setExportError] = useState<Error>();

  const query = useMemo(() => qs({ q, ...filterParams(filters), sort: sort.key, order: sort.dir }), [q, filters, sort]);
  const list = usePaged<VulnRow, { bySeverity: Record<string, number> }>(`/api/v1/risks/vulnerabilities${query}`, 'rows', 200);
  useEffect(() => {
    const here = `${window.location.pathname}${query}`;
    if (`${window.location.pathname}${window.location.search}` !== here) window.history.replaceState(window.history.state, '', here);
  }, [query]);
  const n = countFilters(filters);

  if (isMissingApi(list.error)) {
    return (
      <>
        <PageHeader title="Vulnerabilities" crumbs="Security Risks" />
        <Missing what="risks" />
      </>
    );
  }
  const bySeverity = list.extra?.bySeverity;
  return (
    <>
      <PageHeader title="Vulnerabilities" crumbs="Security Risks">
        <ReportButtons base="/api/v1/risks/vulnerabilities" query={query} name="vigil-vulnerabilities" />
        <button type="button" title="The accepted risks in force, as an OpenVEX document" onClick={() => void download('/api/v1/risks/acceptances/openvex', 'vigil-accepted.openvex.json').catch(setExportError)}>
          OpenVEX
        </button>
      </PageHeader>
      <div className="toolbar risk-toolbar">
        <label className="filter">
          <span className="visually-hidden">Filter by id, package or description</span>
          <input type="search" placeholder="CVE, package or description" value={text} onChange={(e) => setText(e.target.value)} />
        </label>
        <button type="button" onClick={() => setAdvanced(true)} aria-haspopup="dialog">
          Advanced filter{n ? ` (${n})` : ''}
        </button>
        <label>
          View
          <select value={filters.view} onChange={(e) => setFilters({ ...filters, view: e.target.value as View })}>
            <option value="all">all</option>
            <option value="containers">containers</option>
            <option value="infrastructure">infrastructure</option>
            <option value="registry">registry</option>
          </select>
        </label>
        <span className="sev-summary" aria-live="polite">
          <strong>{list.total === undefined ? '\u00a0' : plural(list.total, 'vulnerability', 'vulnerabilities')}</strong>
          {SEVERITIES.filter((s) => (bySeverity?.[s] ?? 0) > 0).map((s: Severity) => (
            <span key={s} className={`count sev-${s}`} title={`${bySeverity?.[s]} ${s}`}>
              {compact(bySeverity?.[s] ?? 0)}
              <span className="visually-hidden"> {s}</span>
            </span>
          ))}
        </span>
      </div>
      <FilterChips f={filters} onChange={setFilters} />
      <ErrorBox error={list.error ?? exportError} />
      <DataTable
        label="Vulnerabilities"
        rows={list.rows}
        loading={list.loading}
        columns={columns}
        rowKey={(v) => v.id}
        onOpen={setSelected}
        sort={sort}
        onSort={setSort}
        sortable={SORTABLE}
        onRange={list.ensure}
        height="calc(100vh - 250px)"
        empty="No vulnerability matches these filters."
        testId="vulnerabilities"
      />
      <AdvancedFilter
        open={advanced}
        value={filters}
        onClose={() => setAdvanced(false)}
        onApply={(f) => {
          setFilters(f);
          setAdvanced(false);
        }}
      />
      <Dialog title={selected?.id ?? ''} open={selected !== undefined} onClose={() => setSelected(undefined)} wide>
        {selected && <VulnDetails id={selected.id} onChanged={list.reload} />}
      </Dialog>
    </>
  );
}
