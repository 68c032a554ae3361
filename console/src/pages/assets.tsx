/** Assets → Platforms, Nodes, Containers, Controllers, Enforcers: from the assets API. */
import type { ReactNode } from 'react';
import { isMissingApi, useApi } from '../api/use-api';
import { DataTable, type Column } from '../components/data-table';
import { ErrorBox, Missing, PageHeader } from '../components/page';

type Row = Record<string, unknown> & { id: string };

export interface AssetKind {
  path: string;
  title: string;
  api: string;
  listKey: string;
  columns: Array<Column<Row>>;
}

const text = (k: string) => (r: Row) => (r[k] === null || r[k] === undefined ? '—' : String(r[k]));

export const ASSET_KINDS: AssetKind[] = [
  { path: 'platforms', title: 'Platforms', api: '/api/v1/assets/platforms', listKey: 'platforms', columns: [{ key: 'name', header: 'Name', width: '1fr', render: text('name') }] },
  { path: 'nodes', title: 'Nodes', api: '/api/v1/assets/nodes', listKey: 'nodes', columns: [{ key: 'name', header: 'Name', width: '1fr', render: text('name') }] },
  { path: 'containers', title: 'Containers', api: '/api/v1/assets/containers', listKey: 'containers', columns: [{ key: 'name', header: 'Name', width: '1fr', render: text('name') }] },
  { path: 'controllers', title: 'Controllers', api: '/api/v1/assets/controllers', listKey: 'controllers', columns: [{ key: 'name', header: 'Name', width: '1fr', render: text('name') }] },
  { path: 'enforcers', title: 'Enforcers', api: '/api/v1/assets/enforcers', listKey: 'enforcers', columns: [{ key: 'name', header: 'Name', width: '1fr', render: text('name') }] },
];

export function AssetPage({ kind }: { kind: AssetKind }): ReactNode {
  const list = useApi<Record<string, Row[]>>(kind.api);
  return (
    <>
      <PageHeader title={kind.title} crumbs="Assets" />
      {isMissingApi(list.error) ? (
        <Missing what="assets" />
      ) : (
        <>
          <ErrorBox error={list.error} />
          <DataTable label={kind.title} rows={list.data?.[kind.listKey]} loading={list.loading} columns={kind.columns} rowKey={(r) => r.id} />
        </>
      )}
    </>
  );
}
