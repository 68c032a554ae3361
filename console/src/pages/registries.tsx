/** Assets → Registries: the list, add / edit, test connection, scan now, delete. */
import { useState, type ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import { api } from '../api/client';
import { useApi } from '../api/use-api';
import type { CrawlResult, Registry, Schedule, TestResult } from '../api/types';
import { DataTable, type Column } from '../components/data-table';
import { Dialog } from '../components/dialog';
import { ErrorBox, PageHeader } from '../components/page';
import { formatDate } from '../format';
import { RegistryForm } from './registry-form';

export function scheduleText(s: Schedule): string {
  if (s.kind === 'interval') return `every ${s.minutes} min`;
  if (s.kind === 'cron') return `cron ${s.expression}`;
  return 'manual';
}

export function crawlText(r: Registry): ReactNode {
  if (!r.lastCrawl.at) return <span className="muted">never</span>;
  return (
    <span title={r.lastCrawl.error ?? undefined} className={r.lastCrawl.error ? 'warn' : undefined}>
      {r.lastCrawl.status ?? ''} {formatDate(r.lastCrawl.at)}
    </span>
  );
}

/** Test connection, scan now: the answer is shown in a live region next to the buttons. */
export function useRegistryActions(onChange: () => void): {
  message: { ok: boolean; text: string } | undefined;
  busy: string | undefined;
  test: (r: Registry) => Promise<void>;
  scan: (r: Registry) => Promise<void>;
} {
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const [busy, setBusy] = useState<string>();
  const run = async (what: string, f: () => Promise<{ ok: boolean; text: string }>): Promise<void> => {
    setBusy(what);
    setMessage(undefined);
    try {
      setMessage(await f());
    } catch (e) {
      setMessage({ ok: false, text: (e as Error).message });
    } finally {
      setBusy(undefined);
      onChange();
    }
  };
  return {
    message,
    busy,
    test: (r) =>
      run(`test:${r.id}`, async () => {
        const t = await api<TestResult>(`/api/v1/registries/${r.id}/test`, { method: 'POST' });
        return { ok: t.ok, text: `${r.name}: ${t.message}` };
      }),
    scan: (r) =>
      run(`scan:${r.id}`, async () => {
        const c = await api<CrawlResult>(`/api/v1/registries/${r.id}/scan`, { method: 'POST' });
        const errs = c.errors.length ? ` ${c.errors.length} error(s): ${c.errors.slice(0, 2).join('; ')}` : '';
        return { ok: c.errors.length === 0, text: `${r.name}: ${c.repositories} repositories, ${c.tags} tags, ${c.queued} queued for scanning.${errs}` };
      }),
  };
}

export function RegistriesPage(): ReactNode {
  const [, navigate] = useLocation();
  const list = useApi<{ registries: Registry[] }>('/api/v1/registries');
  const [editing, setEditing] = useState<Registry | 'new'>();
  const [deleting, setDeleting] = useState<Registry>();
  const actions = useRegistryActions(list.reload);

  const columns: Array<Column<Registry>> = [
    { key: 'name', header: 'Name', width: 'minmax(8rem, 1.2fr)', render: (r) => <Link href={`/assets/registries/${r.id}`}>{r.name}</Link>, compare: (a, b) => a.name.localeCompare(b.name) },
    { key: 'url', header: 'URL', width: 'minmax(10rem, 2fr)', render: (r) => <span className="mono">{r.url}</span>, compare: (a, b) => a.url.localeCompare(b.url) },
    { key: 'type', header: 'Type', width: '6.5rem', render: (r) => r.type },
    { key: 'schedule', header: 'Schedule', width: '8rem', render: (r) => scheduleText(r.schedule) },
    { key: 'crawl', header: 'Last scan', width: '12.5rem', render: crawlText },
    {
      key: 'actions',
      header: 'Actions',
      width: '17.5rem',
      render: (r) => (
        <span className="row-actions" onClick={(e) => e.stopPropagation()} onKeyDown={(e) => e.stopPropagation()}>
          <button type="button" onClick={() => void actions.test(r)} disabled={actions.busy !== undefined}>
            {actions.busy === `test:${r.id}` ? 'Testing…' : 'Test'}
          </button>
          <button type="button" onClick={() => void actions.scan(r)} disabled={actions.busy !== undefined}>
            {actions.busy === `scan:${r.id}` ? 'Scanning…' : 'Scan now'}
          </button>
          <button type="button" onClick={() => setEditing(r)}>
            Edit
          </button>
          <button type="button" className="danger" onClick={() => setDeleting(r)}>
            Delete
          </button>
        </span>
      ),
    },
  ];

  return (
    <>
      <PageHeader title="Registries" crumbs="Assets">
        <button type="button" className="primary" onClick={() => setEditing('new')}>
          Add registry
        </button>
      </PageHeader>
      <ErrorBox error={list.error} />
      <p className={`notice${actions.message ? (actions.message.ok ? ' ok' : ' bad') : ''}`} role="status" aria-live="polite">
        {actions.message?.text ?? '\u00a0'}
      </p>
      <DataTable
        label="Registries"
        rows={list.data?.registries}
        loading={list.loading}
        columns={columns}
        rowKey={(r) => r.id}
        onOpen={(r) => navigate(`/assets/registries/${r.id}`)}
        empty="No registry yet. Add one to scan its images."
        rowHeight={44}
        testId="registries"
      />
      <Dialog title={editing === 'new' ? 'Add registry' : `Edit ${editing?.name ?? ''}`} open={editing !== undefined} onClose={() => setEditing(undefined)} wide>
        {editing !== undefined && (
          <RegistryForm
            existing={editing === 'new' ? undefined : editing}
            onCancel={() => setEditing(undefined)}
            onSaved={() => {
              setEditing(undefined);
              list.reload();
            }}
          />
        )}
      </Dialog>
      <Dialog title="Delete registry" open={deleting !== undefined} onClose={() => setDeleting(undefined)}>
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            if (!deleting) return;
            void api(`/api/v1/registries/${deleting.id}`, { method: 'DELETE' }).finally(() => {
              setDeleting(undefined);
              list.reload();
            });
          }}
        >
          <p>
            Delete <strong>{deleting?.name}</strong> and its scan results? Images scanned through other registries stay.
          </p>
          <div className="form-actions">
            <button type="button" onClick={() => setDeleting(undefined)}>
              Cancel
            </button>
            <button type="submit" className="danger">
              Delete
            </button>
          </div>
        </form>
      </Dialog>
    </>
  );
}
