/** One registry: its settings, scan now, and the results per repository and tag. */
import { useMemo, useState, type ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import { useApi } from '../api/use-api';
import type { Registry, TagRow } from '../api/types';
import { DataTable, type Column } from '../components/data-table';
import { Dialog } from '../components/dialog';
import { Card, ErrorBox, PageHeader, ReportButtons, Skeleton } from '../components/page';
import { SeverityCounts } from '../components/severity';
import { formatDate, shortDigest } from '../format';
import { RegistryForm } from './registry-form';
import { crawlText, scheduleText, useRegistryActions } from './registries';
import { riskScore } from './risk-score';

const BUSY_STATES = new Set(['queued', 'running', 'pending']);

const columns: Array<Column<TagRow>> = [
  { key: 'repository', header: 'Repository', width: 'minmax(10rem, 2fr)', render: (t) => t.repository, compare: (a, b) => a.repository.localeCompare(b.repository) || a.tag.localeCompare(b.tag) },
  { key: 'tag', header: 'Tag', width: 'minmax(5rem, 0.8fr)', render: (t) => <span className="mono">{t.tag}</span>, compare: (a, b) => a.tag.localeCompare(b.tag) },
  { key: 'digest', header: 'Digest', width: '10rem', render: (t) => <span className="mono" title={t.digest}>{shortDigest(t.digest)}</span> },
  { key: 'os', header: 'OS', width: '8rem', render: (t) => t.os ?? '—', compare: (a, b) => (a.os ?? '').localeCompare(b.os ?? '') },
  { key: 'packages', header: 'Packages', width: '6rem', align: 'right', render: (t) => t.packages ?? '—', compare: (a, b) => (a.packages ?? 0) - (b.packages ?? 0) },
  { key: 'vulns', header: 'Vulnerabilities', width: 'minmax(11rem, 1.4fr)', render: (t) => <SeverityCounts summary={t.summary} />, compare: (a, b) => riskScore(a.summary) - riskScore(b.summary) },
  {
    key: 'state',
    header: 'State',
    width: '6rem',
    render: (t) => (
      <span className={`state state-${t.state}`} title={t.error ?? undefined}>
        {t.state}
      </span>
    ),
    compare: (a, b) => a.state.localeCompare(b.state),
  },
  { key: 'scanned', header: 'Scanned', width: '10.5rem', render: (t) => formatDate(t.scannedAt), compare: (a, b) => (a.scannedAt ?? '').localeCompare(b.scannedAt ?? '') },
];

export function RegistryPage({ id }: { id: string }): ReactNode {
  const [, navigate] = useLocation();
  const reg = useApi<Registry>(`/api/v1/registries/${encodeURIComponent(id)}`);
  const tags = useApi<{ tags: TagRow[]; total: number }>(`/api/v1/registries/${encodeURIComponent(id)}/repositories?limit=5000`, {
    pollMs: 1500,
    keepPolling: (d) => d.tags.some((t) => BUSY_STATES.has(t.state)),
  });
  const [filter, setFilter] = useState('');
  const [editing, setEditing] = useState(false);
  const actions = useRegistryActions(() => {
    reg.reload();
    tags.reload();
  });

  const rows = useMemo(() => {
    const f = filter.trim().toLowerCase();
    const all = tags.data?.tags;
    if (!all || !f) return all;
    return all.filter((t) => `${t.repository}:${t.tag}`.toLowerCase().includes(f) || (t.os ?? '').toLowerCase().includes(f));
  }, [tags.data, filter]);
  const repoCount = useMemo(() => new Set(tags.data?.tags.map((t) => t.repository)).size, [tags.data]);
  const r = reg.data;

  return (
    <>
      <PageHeader
        title={r?.name ?? 'Registry'}
        crumbs={
          <>
            Assets / <Link href="/assets/registries">Registries</Link>
          </>
        }
      >
        {r && (
          <>
            <button type="button" onClick={() => void actions.test(r)} disabled={actions.busy !== undefined}>
              {actions.busy?.startsWith('test') ? 'Testing…' : 'Test connection'}
            </button>
            <button type="button" className="primary" onClick={() => void actions.scan(r)} disabled={actions.busy !== undefined}>
              {actions.busy?.startsWith('scan') ? 'Scanning…' : 'Scan now'}
            </button>
            <button type="button" onClick={() => setEditing(true)}>
              Edit
            </button>
            <ReportButtons base={`/api/v1/registries/${r.id}/report`} name={`vigil-${r.name}`} />
          </>
        )}
      </PageHeader>
      <ErrorBox error={reg.error ?? tags.error} />
      <Card>
        <dl className="facts">
          <div>
            <dt>URL</dt>
            <dd className="mono">{r?.url ?? <Skeleton />}</dd>
          </div>
          <div>
            <dt>Type</dt>
            <dd>{r?.type ?? <Skeleton />}</dd>
          </div>
          <div>
            <dt>Filters</dt>
            <dd className="mono">{r ? r.filters.join(', ') : <Skeleton />}</dd>
          </div>
          <div>
            <dt>Schedule</dt>
            <dd>{r ? scheduleText(r.schedule) : <Skeleton />}</dd>
          </div>
          <div>
            <dt>Options</dt>
            <dd>{r ? [r.layeredScan && 'layered scan', r.rescanAfterDbUpdate && 'rescan after DB update', r.insecure && 'TLS not verified'].filter(Boolean).join(', ') || 'none' : <Skeleton />}</dd>
          </div>
          <div>
            <dt>Last scan</dt>
            <dd>{r ? crawlText(r) : <Skeleton />}</dd>
          </div>
        </dl>
      </Card>
      <p className={`notice${actions.message ? (actions.message.ok ? ' ok' : ' bad') : ''}`} role="status" aria-live="polite">
        {actions.message?.text ?? '\u00a0'}
      </p>
      <div className="toolbar">
        <label className="filter">
          <span className="visually-hidden">Filter repositories and tags</span>
          <input type="search" placeholder="Filter repository:tag or OS" value={filter} onChange={(e) => setFilter(e.target.value)} />
        </label>
        <span className="muted" aria-live="polite">
          {tags.data ? `${repoCount} repositories, ${rows?.length ?? 0} of ${tags.data.tags.length} tags` : '\u00a0'}
          {tags.data && tags.data.total > tags.data.tags.length ? ` (the first ${tags.data.tags.length.toLocaleString('en')} of ${tags.data.total.toLocaleString('en')}; narrow the registry's filters to see the rest)` : ''}
        </span>
      </div>
      <DataTable
        label="Repositories and tags"
        rows={rows}
        loading={tags.loading}
        columns={columns}
        rowKey={(t) => `${t.repository}:${t.tag}`}
        onOpen={(t) => t.scannedAt && navigate(`/images/${encodeURIComponent(t.digest)}`)}
        empty={tags.data?.tags.length === 0 ? 'No tags yet: scan the registry.' : 'No tag matches the filter.'}
        height="calc(100vh - 420px)"
        testId="registry-tags"
      />
      <Dialog title={`Edit ${r?.name ?? ''}`} open={editing} onClose={() => setEditing(false)} wide>
        {editing && r && (
          <RegistryForm
            existing={r}
            onCancel={() => setEditing(false)}
            onSaved={() => {
              setEditing(false);
              reg.reload();
            }}
          />
        )}
      </Dialog>
    </>
  );
}
