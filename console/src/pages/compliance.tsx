/**
 * Security Risks → Compliance: one row per check that fails somewhere (CIS Docker / Kubernetes
 * benchmarks), filtered and sorted on the server, opening to the assets it fails on with their
 * evidence and policy mode.
 */
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { qs } from '../api/client';
import { usePaged } from '../api/use-paged';
import { isMissingApi, useApi } from '../api/use-api';
import type { ComplianceDetail, ComplianceRow } from '../api/types';
import { DataTable, type Column, type SortState } from '../components/data-table';
import { Dialog } from '../components/dialog';
import { ErrorBox, Missing, PageHeader, ReportButtons, Skeleton } from '../components/page';
import { ImpactName, ModeBadge, ProtectionCircle } from '../components/protection';
import { plural } from '../format';
import { AdvancedFilter, FilterChips, countFilters, filterParams, filtersFromParams, useDebounced, type RiskFilters, type View } from './risk-filters';

const FIELDS = ['namespace', 'service', 'container', 'node', 'image'];
const SORTABLE = ['id', 'title', 'images', 'nodes', 'containers', 'platforms'];
const num = (n: number): ReactNode => (n > 0 ? n.toLocaleString('en') : <span className="muted">0</span>);

const columns: Array<Column<ComplianceRow>> = [
  { key: 'id', header: 'Check', width: '6.5rem', render: (c) => <span className="mono">{c.id}</span> },
  { key: 'title', header: 'Title', width: 'minmax(12rem, 3fr)', render: (c) => <span title={c.title}>{c.title}</span> },
  { key: 'benchmark', header: 'Benchmark', width: 'minmax(10rem, 1fr)', render: (c) => c.benchmark },
  { key: 'tags', header: 'Regulations', width: '8rem', render: (c) => c.tags.join(', ') || '—' },
  { key: 'images', header: 'Images', width: '4.8rem', align: 'right', render: (c) => num(c.impact.images) },
  { key: 'nodes', header: 'Nodes', width: '4.5rem', align: 'right', render: (c) => num(c.impact.nodes) },
  { key: 'containers', header: 'Containers', width: '7.5rem', align: 'right', render: (c) => num(c.impact.containers) },
  { key: 'platforms', header: 'Platforms', width: '6.4rem', align: 'right', render: (c) => num(c.impact.platforms) },
  { key: 'protection', header: 'Protection', width: '6.2rem', align: 'center', render: (c) => <ProtectionCircle p={c.protection} /> },
];

function CheckDetails({ row }: { row: ComplianceRow }): ReactNode {
  const d = useApi<ComplianceDetail>(`/api/v1/risks/compliance/${encodeURIComponent(row.benchmark)}/${encodeURIComponent(row.id)}`);
  const c = d.data;
  return (
    <div className="details">
      <h3 className="detail-title">{row.title}</h3>
      <p className="muted">
        {row.benchmark} · {row.type} · profile {row.profile} · {row.scored ? 'scored' : 'not scored'}
        {row.tags.length ? ` · ${row.tags.join(', ')}` : ''}
      </p>
      <h3 className="detail-head">Remediation</h3>
      <p className="remediation">{row.remediation || 'No remediation text in the benchmark.'}</p>
      <h3 className="detail-head">Impact</h3>
      <ErrorBox error={d.error} />
      {!c ? (
        <Skeleton width="80%" />
      ) : (
        <table className="simple">
          <thead>
            <tr>
              <th>Asset</th>
              <th>Kind</th>
              <th>Namespace</th>
              <th>Policy mode</th>
              <th>Level</th>
              <th>Evidence</th>
            </tr>
          </thead>
          <tbody>
            {c.items.map((i) => (
              <tr key={`${i.kind}:${i.id}`}>
                <td>
                  <ImpactName mode={i.policyMode ?? 'unaffected'}>{i.name}</ImpactName>
                </td>
                <td>{i.kind}</td>
                <td>{i.namespace ?? '—'}</td>
                <td>{i.policyMode ? <ModeBadge mode={i.policyMode} /> : '—'}</td>
                <td>{i.level}</td>
                <td className="small">{i.evidence.join('; ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function CompliancePage(): ReactNode {
  // As on Vulnerabilities, the view lives in the address.
  const [initial] = useState(() => new URLSearchParams(window.location.search));
  const [text, setText] = useState(() => initial.get('q') ?? '');
  const q = useDebounced(text.trim());
  const [filters, setFilters] = useState<RiskFilters>(() => filtersFromParams(initial));
  const [advanced, setAdvanced] = useState(false);
  const [sort, setSort] = useState<SortState>(() => {
    const key = initial.get('sort');
    return key && SORTABLE.includes(key) ? { key, dir: initial.get('order') === 'asc' ? 'asc' : 'desc' } : { key: 'containers', dir: 'desc' };
  });
  const [selected, setSelected] = useState<ComplianceRow>();

  const query = useMemo(() => qs({ q, ...filterParams(filters, ['view', ...FIELDS]), sort: sort.key, order: sort.dir }), [q, filters, sort]);
  const list = usePaged<ComplianceRow>(`/api/v1/risks/compliance${query}`, 'rows', 200);
  useEffect(() => {
    const here = `${window.location.pathname}${query}`;
    if (`${window.location.pathname}${window.location.search}` !== here) window.history.replaceState(window.history.state, '', here);
  }, [query]);
  const n = countFilters(filters);

  if (isMissingApi(list.error)) {
    return (
      <>
        <PageHeader title="Compliance" crumbs="Security Risks" />
        <Missing what="risks" />
      </>
    );
  }
  return (
    <>
      <PageHeader title="Compliance" crumbs="Security Risks">
        <ReportButtons base="/api/v1/risks/compliance" query={query} name="vigil-compliance" />
      </PageHeader>
      <div className="toolbar risk-toolbar">
        <label className="filter">
          <span className="visually-hidden">Filter by check id or title</span>
          <input type="search" placeholder="Filter by check id or title" value={text} onChange={(e) => setText(e.target.value)} />
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
          <strong>{list.total === undefined ? '\u00a0' : plural(list.total, 'failing check')}</strong>
        </span>
      </div>
      <FilterChips f={filters} onChange={setFilters} />
      <ErrorBox error={list.error} />
      <DataTable
        label="Compliance checks"
        rows={list.rows}
        loading={list.loading}
        columns={columns}
        rowKey={(c) => `${c.benchmark}:${c.id}`}
        onOpen={setSelected}
        sort={sort}
        onSort={setSort}
        sortable={SORTABLE}
        onRange={list.ensure}
        height="calc(100vh - 250px)"
        empty="No failing check matches these filters."
        testId="compliance"
      />
      <AdvancedFilter
        open={advanced}
        value={filters}
        fields={FIELDS}
        onClose={() => setAdvanced(false)}
        onApply={(f) => {
          setFilters(f);
          setAdvanced(false);
        }}
      />
      <Dialog title={selected ? `${selected.id} ${selected.benchmark}` : ''} open={selected !== undefined} onClose={() => setSelected(undefined)} wide>
        {selected && <CheckDetails row={selected} />}
      </Dialog>
    </>
  );
}
