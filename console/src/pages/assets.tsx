/**
 * Assets → Platforms, Nodes, Containers, Groups, Controllers, Enforcers: the run-time assets the
 * node agent registers, each a server-paged virtualized table with a search box. Groups carry
 * the policy mode (Discover, Monitor, Protect), which an admin changes here.
 */
import { useMemo, useState, type ReactNode } from 'react';
import { useLocation } from 'wouter';
import { api, qs } from '../api/client';
import { usePaged } from '../api/use-paged';
import { isMissingApi } from '../api/use-api';
import type { Container, ControllerAsset, EnforcerAsset, Group, NodeAsset, Platform, PolicyMode } from '../api/types';
import { DataTable, type Column } from '../components/data-table';
import { ErrorBox, Missing, PageHeader } from '../components/page';
import { ImpactName, ModeBadge } from '../components/protection';
import { SeverityCounts } from '../components/severity';
import { formatDate, plural, shortDigest } from '../format';
import { useDebounced } from './risk-filters';

export interface AssetKind<T = never> {
  path: string;
  title: string;
  api: string;
  listKey: string;
  rowKey: (r: T) => string;
  columns: (reload: () => void) => Array<Column<T>>;
  /** Where a row leads: its vulnerabilities in Security Risks. */
  href?: (r: T) => string;
}

const dash = (s: string | null | undefined): ReactNode => s ?? <span className="muted">—</span>;
const stateCol = <T extends { state: string }>(): Column<T> => ({ key: 'state', header: 'State', width: '6rem', render: (r) => <span className={`state state-${r.state}`}>{r.state}</span> });
const updatedCol = <T extends { updatedAt: string }>(): Column<T> => ({ key: 'updated', header: 'Updated', width: '10.5rem', render: (r) => formatDate(r.updatedAt) });

function ModeSelect({ group, mode, onChanged }: { group: string; mode: PolicyMode; onChanged: () => void }): ReactNode {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  return (
    <span onClick={(e) => e.stopPropagation()} onKeyDown={(e) => e.stopPropagation()}>
      <select
        className="mode-select"
        aria-label={`Policy mode of ${group}`}
        value={mode}
        disabled={busy}
        onChange={(e) => {
          setBusy(true);
          setError(undefined);
          api(`/api/v1/groups/${encodeURIComponent(group)}`, { method: 'PATCH', body: { policyMode: e.target.value } })
            .then(onChanged, (err: Error) => setError(err.message))
            .finally(() => setBusy(false));
        }}
      >
        <option value="discover">Discover</option>
        <option value="monitor">Monitor</option>
        <option value="protect">Protect</option>
      </select>
      {error && (
        <span className="error inline" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}

const platforms: AssetKind<Platform> = {
  path: 'platforms',
  title: 'Platforms',
  api: '/api/v1/platforms',
  listKey: 'platforms',
  rowKey: (p) => p.id,
  columns: () => [
    { key: 'name', header: 'Platform', width: 'minmax(10rem, 1.5fr)', render: (p) => p.name },
    { key: 'type', header: 'Type', width: '8rem', render: (p) => p.type },
    { key: 'version', header: 'Version', width: '8rem', render: (p) => dash(p.version) },
    { key: 'vulns', header: 'Vulnerabilities', width: 'minmax(10rem, 1.2fr)', render: (p) => <SeverityCounts summary={p.summary} /> },
    { key: 'matched', header: 'Matched', width: '10.5rem', render: (p) => formatDate(p.matchedAt) },
  ],
};

const nodes: AssetKind<NodeAsset> = {
  path: 'nodes',
  title: 'Nodes',
  api: '/api/v1/nodes',
  listKey: 'nodes',
  rowKey: (n) => n.id,
  href: (n) => `/risks/vulnerabilities?node=${encodeURIComponent(n.id)}`,
  columns: () => [
    { key: 'name', header: 'Node', width: 'minmax(9rem, 1.3fr)', render: (n) => <ImpactName mode={n.policyMode}>{n.name}</ImpactName> },
    { key: 'os', header: 'OS', width: '8rem', render: (n) => dash(n.os) },
    { key: 'kernel', header: 'Kernel', width: 'minmax(6rem, 0.8fr)', render: (n) => dash(n.kernel) },
    { key: 'platform', header: 'Platform', width: '7rem', render: (n) => dash(n.platform) },
    { key: 'mode', header: 'Policy mode', width: '7rem', render: (n) => <ModeBadge mode={n.policyMode} /> },
    { key: 'vulns', header: 'Vulnerabilities', width: 'minmax(9rem, 1fr)', render: (n) => <SeverityCounts summary={n.summary} /> },
    stateCol<NodeAsset>(),
  ],
};

const containers: AssetKind<Container> = {
  path: 'containers',
  title: 'Containers',
  api: '/api/v1/containers',
  listKey: 'containers',
  rowKey: (c) => c.id,
  href: (c) => `/risks/vulnerabilities?container=${encodeURIComponent(c.id)}`,
  columns: () => [
    { key: 'name', header: 'Container', width: 'minmax(9rem, 1.3fr)', render: (c) => <ImpactName mode={c.policyMode}>{c.name}</ImpactName> },
    { key: 'namespace', header: 'Namespace', width: '7.5rem', render: (c) => dash(c.namespace) },
    { key: 'service', header: 'Service', width: '7.5rem', render: (c) => dash(c.service) },
    { key: 'group', header: 'Group', width: 'minmax(8rem, 1fr)', render: (c) => dash(c.group) },
    { key: 'mode', header: 'Policy mode', width: '7rem', render: (c) => <ModeBadge mode={c.policyMode} /> },
    { key: 'image', header: 'Image', width: 'minmax(9rem, 1.2fr)', render: (c) => <span title={c.imageDigest ?? undefined}>{c.image ?? shortDigest(c.imageDigest)}</span> },
    { key: 'node', header: 'Node', width: '7rem', render: (c) => dash(c.node) },
    stateCol<Container>(),
  ],
};

const groups: AssetKind<Group> = {
  path: 'groups',
  title: 'Groups',
  api: '/api/v1/groups',
  listKey: 'groups',
  rowKey: (g) => g.name,
  columns: (reload) => [
    { key: 'name', header: 'Group', width: 'minmax(10rem, 1.5fr)', render: (g) => <ImpactName mode={g.policyMode}>{g.name}</ImpactName> },
    { key: 'namespace', header: 'Namespace', width: '8rem', render: (g) => dash(g.namespace) },
    { key: 'members', header: 'Members', width: '11rem', render: (g) => `${g.members.containers} containers, ${g.members.nodes} nodes` },
    { key: 'mode', header: 'Policy mode', width: '9rem', render: (g) => <ModeSelect group={g.name} mode={g.policyMode} onChanged={reload} /> },
    { key: 'comment', header: 'Comment', width: 'minmax(8rem, 1fr)', render: (g) => dash(g.comment) },
    updatedCol<Group>(),
  ],
};

const controllers: AssetKind<ControllerAsset> = {
  path: 'controllers',
  title: 'Controllers',
  api: '/api/v1/controllers',
  listKey: 'controllers',
  rowKey: (c) => c.id,
  columns: () => [
    {
      key: 'name',
      header: 'Controller',
      width: 'minmax(10rem, 1.5fr)',
      render: (c) => (
        <>
          {c.name}
          {c.leader && <span className="leader">leader</span>}
        </>
      ),
    },
    { key: 'node', header: 'Node', width: '9rem', render: (c) => dash(c.node) },
    { key: 'version', header: 'Version', width: '8rem', render: (c) => dash(c.version) },
    stateCol<ControllerAsset>(),
    updatedCol<ControllerAsset>(),
  ],
};

const enforcers: AssetKind<EnforcerAsset> = {
  path: 'enforcers',
  title: 'Enforcers',
  api: '/api/v1/enforcers',
  listKey: 'enforcers',
  rowKey: (e) => e.id,
  columns: () => [
    { key: 'name', header: 'Enforcer', width: 'minmax(10rem, 1.5fr)', render: (e) => e.name },
    { key: 'node', header: 'Node', width: '9rem', render: (e) => dash(e.node) },
    { key: 'version', header: 'Version', width: '8rem', render: (e) => dash(e.version) },
    stateCol<EnforcerAsset>(),
    updatedCol<EnforcerAsset>(),
  ],
};

/** In the navigation's order (after Registries). */
export const ASSET_KINDS = [platforms, nodes, containers, groups, controllers, enforcers] as unknown as Array<AssetKind<{ id: string }>>;

export function AssetPage<T>({ kind }: { kind: AssetKind<T> }): ReactNode {
  const [text, setText] = useState('');
  const q = useDebounced(text.trim());
  const list = usePaged<T>(`${kind.api}${qs({ q })}`, kind.listKey, 200);
  const columns = useMemo(() => kind.columns(list.reload), [kind, list.reload]);
  const [, navigate] = useLocation();
  const href = kind.href;
  return (
    <>
      <PageHeader title={kind.title} crumbs="Assets" />
      {isMissingApi(list.error) ? (
        <Missing what="assets" />
      ) : (
        <>
          <div className="toolbar">
            <label className="filter">
              <span className="visually-hidden">Filter {kind.title.toLowerCase()} by name or id</span>
              <input type="search" placeholder="Filter by name or id" value={text} onChange={(e) => setText(e.target.value)} />
            </label>
            <span className="muted" aria-live="polite">
              {list.total === undefined ? '\u00a0' : plural(list.total, kind.title.toLowerCase().replace(/s$/, ''))}
            </span>
          </div>
          <ErrorBox error={list.error} />
          <DataTable
            label={kind.title}
            rows={list.rows}
            loading={list.loading}
            columns={columns}
            rowKey={kind.rowKey}
            onOpen={href ? (r) => navigate(href(r)) : undefined}
            onRange={list.ensure}
            height="calc(100vh - 190px)"
            empty={`No ${kind.title.toLowerCase()} reported.`}
            testId={`assets-${kind.path}`}
          />
        </>
      )}
    </>
  );
}
