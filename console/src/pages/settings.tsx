/** Settings: the vulnerability DB (status, update), users and API tokens. */
import { useState, type FormEvent, type ReactNode } from 'react';
import { api, getUsername } from '../api/client';
import { useApi } from '../api/use-api';
import type { DbStatus, DbUpdateResult, Role, TokenInfo, TokenScope, User } from '../api/types';
import { DataTable, type Column } from '../components/data-table';
import { Dialog } from '../components/dialog';
import { Card, ErrorBox, PageHeader, Skeleton } from '../components/page';
import { formatAge, formatDate } from '../format';

function DbCard(): ReactNode {
  const db = useApi<DbStatus>('/api/v1/db');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string }>();
  const update = async (): Promise<void> => {
    setBusy(true);
    setResult(undefined);
    try {
      const r = await api<DbUpdateResult>('/api/v1/db/update', { method: 'POST' });
      setResult({ ok: true, text: `${r.message}${r.changed ? ` — ${r.rematched} images re-matched in ${r.ms} ms` : ''}` });
    } catch (e) {
      setResult({ ok: false, text: (e as Error).message });
    } finally {
      setBusy(false);
      db.reload();
    }
  };
  const d = db.data;
  return (
    <Card title="Vulnerability database">
      <ErrorBox error={db.error} />
      <dl className="facts">
        <div>
          <dt>Status</dt>
          <dd>{d ? d.installed ? d.stale ? <span className="warn">stale</span> : 'current' : <span className="warn">not installed</span> : <Skeleton />}</dd>
        </div>
        <div>
          <dt>Built</dt>
          <dd>{d ? `${formatDate(d.builtAt)} (${formatAge(d.ageDays)} old)` : <Skeleton />}</dd>
        </div>
        <div>
          <dt>Schema</dt>
          <dd>{d ? (d.schemaVersion ?? '—') : <Skeleton width="2rem" />}</dd>
        </div>
        <div>
          <dt>Images matched</dt>
          <dd>{d ? d.images : <Skeleton width="2rem" />}</dd>
        </div>
        <div>
          <dt>File</dt>
          <dd className="mono small">{d?.path ?? <Skeleton />}</dd>
        </div>
      </dl>
      {d?.error && <p className="error">{d.error}</p>}
      <details>
        <summary>{d ? `${d.sources.length} sources` : 'Sources'}</summary>
        <table className="simple">
          <thead>
            <tr>
              <th>Source</th>
              <th className="num">Records</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {d?.sources.map((s) => (
              <tr key={s.name}>
                <td>{s.name}</td>
                <td className="num">{s.records.toLocaleString('en')}</td>
                <td>{formatDate(s.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
      <div className="card-actions">
        <button type="button" className="primary" onClick={() => void update()} disabled={busy}>
          {busy ? 'Updating…' : 'Update now'}
        </button>
        <span className={`notice inline${result ? (result.ok ? ' ok' : ' bad') : ''}`} role="status" aria-live="polite">
          {result?.text ?? ''}
        </span>
      </div>
    </Card>
  );
}

function UserForm({ onDone }: { onDone: () => void }): ReactNode {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('reader');
  const [error, setError] = useState<string>();
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    try {
      await api('/api/v1/users', { method: 'POST', body: { username, password, role } });
      onDone();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form className="form" onSubmit={(e) => void submit(e)}>
      <label>
        Username
        <input name="username" required pattern="[A-Za-z0-9._@\-]+" value={username} onChange={(e) => setUsername(e.target.value)} />
      </label>
      <label>
        <span>
          Password <span className="muted">(at least 12 characters)</span>
        </span>
        <input name="password" type="password" required minLength={12} autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
      </label>
      <label>
        Role
        <select name="role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
          <option value="admin">admin — everything</option>
          <option value="reader">reader — read only</option>
          <option value="ci">ci — scan from pipelines</option>
        </select>
      </label>
      <p className="error" role="alert">
        {error ?? ''}
      </p>
      <div className="form-actions">
        <button type="button" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="primary">
          Add user
        </button>
      </div>
    </form>
  );
}

const SCOPES: TokenScope[] = ['read', 'scan', 'write', 'admin'];

function TokenForm({ onCreated, onCancel }: { onCreated: (token: string) => void; onCancel: () => void }): ReactNode {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<TokenScope[]>(['read']);
  const [days, setDays] = useState('90');
  const [error, setError] = useState<string>();
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    try {
      const r = await api<{ token: string }>('/api/v1/tokens', { method: 'POST', body: { name, scopes, ...(days ? { expiresInDays: Number(days) } : {}) } });
      onCreated(r.token);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form className="form" onSubmit={(e) => void submit(e)}>
      <label>
        Name
        <input name="name" required value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <fieldset>
        <legend>Scopes</legend>
        <div className="radios">
          {SCOPES.map((s) => (
            <label key={s} className="check">
              <input type="checkbox" checked={scopes.includes(s)} onChange={(e) => setScopes(e.target.checked ? [...scopes, s] : scopes.filter((x) => x !== s))} /> {s}
            </label>
          ))}
        </div>
      </fieldset>
      <label>
        Expires after (days; empty for never)
        <input name="expiresInDays" type="number" min={1} max={3650} value={days} onChange={(e) => setDays(e.target.value)} />
      </label>
      <p className="error" role="alert">
        {error ?? ''}
      </p>
      <div className="form-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={scopes.length === 0}>
          Create token
        </button>
      </div>
    </form>
  );
}

export function SettingsPage(): ReactNode {
  const users = useApi<{ users: User[] }>('/api/v1/users');
  const tokens = useApi<{ tokens: TokenInfo[] }>('/api/v1/tokens');
  const [addingUser, setAddingUser] = useState(false);
  const [addingToken, setAddingToken] = useState(false);
  const [newToken, setNewToken] = useState<string>();
  const [error, setError] = useState<Error>();
  const me = getUsername();

  const act = (p: Promise<unknown>, reload: () => void): void => {
    setError(undefined);
    p.catch((e: Error) => setError(e)).finally(reload);
  };

  const userColumns: Array<Column<User>> = [
    { key: 'username', header: 'User', width: 'minmax(8rem, 1fr)', render: (u) => u.username, compare: (a, b) => a.username.localeCompare(b.username) },
    {
      key: 'role',
      header: 'Role',
      width: '7.5rem',
      render: (u) =>
        u.username === me ? (
          u.role
        ) : (
          <select className="mode-select" aria-label={`Role of ${u.username}`} value={u.role} onChange={(e) => act(api(`/api/v1/users/${u.id}`, { method: 'PATCH', body: { role: e.target.value } }), users.reload)}>
            <option value="admin">admin</option>
            <option value="reader">reader</option>
            <option value="ci">ci</option>
          </select>
        ),
    },
    { key: 'locked', header: 'Locked until', width: '11rem', render: (u) => (u.lockedUntil ? formatDate(u.lockedUntil) : '—') },
    { key: 'created', header: 'Created', width: '11rem', render: (u) => formatDate(u.createdAt) },
    {
      key: 'actions',
      header: 'Actions',
      width: '10rem',
      render: (u) => (
        <span className="row-actions">
          {u.lockedUntil && (
            <button type="button" onClick={() => act(api(`/api/v1/users/${u.id}`, { method: 'PATCH', body: { unlock: true } }), users.reload)}>
              Unlock
            </button>
          )}
          {u.username !== me && (
            <button type="button" className="danger" onClick={() => act(api(`/api/v1/users/${u.id}`, { method: 'DELETE' }), users.reload)}>
              Delete
            </button>
          )}
        </span>
      ),
    },
  ];
  const tokenColumns: Array<Column<TokenInfo>> = [
    { key: 'name', header: 'Token', width: 'minmax(8rem, 1fr)', render: (t) => t.name, compare: (a, b) => a.name.localeCompare(b.name) },
    { key: 'user', header: 'Owner', width: '7rem', render: (t) => t.username },
    { key: 'scopes', header: 'Scopes', width: '10rem', render: (t) => t.scopes.join(', ') },
    { key: 'expires', header: 'Expires', width: '11rem', render: (t) => formatDate(t.expiresAt) },
    { key: 'used', header: 'Last used', width: '11rem', render: (t) => formatDate(t.lastUsedAt) },
    {
      key: 'actions',
      header: 'Actions',
      width: '6rem',
      render: (t) => (
        <button type="button" className="danger" onClick={() => act(api(`/api/v1/tokens/${t.id}`, { method: 'DELETE' }), tokens.reload)}>
          Revoke
        </button>
      ),
    },
  ];

  return (
    <>
      <PageHeader title="Settings" />
      <DbCard />
      <ErrorBox error={error} />
      <Card title="Users">
        <div className="card-actions top">
          <button type="button" onClick={() => setAddingUser(true)}>
            Add user
          </button>
        </div>
        <ErrorBox error={users.error} />
        <DataTable label="Users" rows={users.data?.users} loading={users.loading} columns={userColumns} rowKey={(u) => u.id} height="180px" rowHeight={42} testId="users" />
      </Card>
      <Card title="API tokens">
        <div className="card-actions top">
          <button type="button" onClick={() => setAddingToken(true)}>
            Create token
          </button>
        </div>
        <ErrorBox error={tokens.error} />
        <DataTable label="API tokens" rows={tokens.data?.tokens} loading={tokens.loading} columns={tokenColumns} rowKey={(t) => t.id} height="180px" rowHeight={42} empty="No API tokens." testId="tokens" />
      </Card>
      <Dialog title="Add user" open={addingUser} onClose={() => setAddingUser(false)}>
        <UserForm
          onDone={() => {
            setAddingUser(false);
            users.reload();
          }}
        />
      </Dialog>
      <Dialog
        title={newToken ? 'Token created' : 'Create API token'}
        open={addingToken}
        onClose={() => {
          setAddingToken(false);
          setNewToken(undefined);
        }}
      >
        {newToken ? (
          <div className="form">
            <p>Copy the token now: it is shown only once.</p>
            <input readOnly className="mono" value={newToken} aria-label="New API token" onFocus={(e) => e.target.select()} />
            <div className="form-actions">
              <button
                type="button"
                className="primary"
                onClick={() => {
                  setAddingToken(false);
                  setNewToken(undefined);
                }}
              >
                Done
              </button>
            </div>
          </div>
        ) : (
          <TokenForm
            onCancel={() => setAddingToken(false)}
            onCreated={(t) => {
              setNewToken(t);
              tokens.reload();
            }}
          />
        )}
      </Dialog>
    </>
  );
}
