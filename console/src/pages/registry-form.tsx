/** Add / edit a registry: connection, repository filters, schedule and scan options. */
import { useState, type FormEvent, type ReactNode } from 'react';
import { api } from '../api/client';
import { REGISTRY_TYPES, type Registry, type RegistryInput, type RegistryType, type Schedule } from '../api/types';

export function RegistryForm({ existing, onSaved, onCancel }: { existing?: Registry; onSaved: (r: Registry) => void; onCancel: () => void }): ReactNode {
  const [name, setName] = useState(existing?.name ?? '');
  const [type, setType] = useState<RegistryType>(existing?.type ?? 'docker-v2');
  const [url, setUrl] = useState(existing?.url ?? '');
  const [username, setUsername] = useState(existing?.username ?? '');
  const [password, setPassword] = useState('');
  const [filters, setFilters] = useState((existing?.filters ?? ['*']).join('\n'));
  const [kind, setKind] = useState<Schedule['kind']>(existing?.schedule.kind ?? 'manual');
  const [minutes, setMinutes] = useState(existing?.schedule.kind === 'interval' ? existing.schedule.minutes : 60);
  const [cron, setCron] = useState(existing?.schedule.kind === 'cron' ? existing.schedule.expression : '0 3 * * *');
  const [rescan, setRescan] = useState(existing?.rescanAfterDbUpdate ?? true);
  const [layered, setLayered] = useState(existing?.layeredScan ?? false);
  const [insecure, setInsecure] = useState(existing?.insecure ?? false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const body: RegistryInput = {
      name: name.trim(),
      type,
      url: url.trim(),
      username: username.trim() || null,
      filters: filters
        .split(/[\n,]/)
        .map((f) => f.trim())
        .filter(Boolean),
      schedule: kind === 'interval' ? { kind, minutes } : kind === 'cron' ? { kind, expression: cron.trim() } : { kind },
      rescanAfterDbUpdate: rescan,
      layeredScan: layered,
      insecure,
    };
    if (body.filters.length === 0) body.filters = ['*'];
    // The password is write-only: an edit leaves it alone unless a new one is typed.
    if (password) body.password = password;
    else if (!existing) body.password = null;
    try {
      const r = existing
        ? await api<Registry>(`/api/v1/registries/${existing.id}`, { method: 'PATCH', body })
        : await api<Registry>('/api/v1/registries', { method: 'POST', body });
      onSaved(r);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={(e) => void submit(e)}>
      <fieldset>
        <legend>Connection</legend>
        <div className="form-row">
          <label>
            Name
            <input name="name" required value={name} onChange={(e) => setName(e.target.value)} pattern="[A-Za-z0-9][A-Za-z0-9._ \-]*" />
          </label>
          <label>
            Type
            <select name="type" value={type} onChange={(e) => setType(e.target.value as RegistryType)}>
              {REGISTRY_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </label>
        </div>
        <div className="form-row">
          <label className="span-2">
            URL
            <input name="url" required placeholder="https://registry.example.com" value={url} onChange={(e) => setUrl(e.target.value)} />
          </label>
          <label className="check">
            <input type="checkbox" name="insecure" checked={insecure} onChange={(e) => setInsecure(e.target.checked)} /> Skip TLS verification
          </label>
        </div>
        <div className="form-row">
          <label>
            Username
            <input name="username" autoComplete="off" value={username} onChange={(e) => setUsername(e.target.value)} />
          </label>
          <label>
            Password or token
            <input
              name="password"
              type="password"
              autoComplete="new-password"
              placeholder={existing?.hasPassword ? 'unchanged' : ''}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </label>
        </div>
      </fieldset>
      <fieldset>
        <legend>Repositories</legend>
        <label>
          <span>
            Filters <span className="muted">(one per line: org/repo[:tag], * wildcards)</span>
          </span>
          <textarea name="filters" rows={2} value={filters} onChange={(e) => setFilters(e.target.value)} />
        </label>
      </fieldset>
      <div className="form-row">
      <fieldset>
        <legend>Schedule</legend>
        <div className="radios compact" role="radiogroup" aria-label="Schedule">
          {(['manual', 'interval', 'cron'] as const).map((k) => (
            <label key={k} className="check">
              <input type="radio" name="schedule" value={k} checked={kind === k} onChange={() => setKind(k)} /> {k === 'manual' ? 'Manual' : k === 'interval' ? 'Every N minutes' : 'Cron'}
            </label>
          ))}
        </div>
        {kind === 'interval' && (
          <label>
            Minutes between scans (5–10080)
            <input name="minutes" type="number" min={5} max={10080} required value={minutes} onChange={(e) => setMinutes(Number(e.target.value))} />
          </label>
        )}
        {kind === 'cron' && (
          <label>
            Cron (min hour day month weekday)
            <input name="cron" required value={cron} onChange={(e) => setCron(e.target.value)} />
          </label>
        )}
      </fieldset>
      <fieldset>
        <legend>Scanning</legend>
        <label className="check">
          <input type="checkbox" name="rescanAfterDbUpdate" checked={rescan} onChange={(e) => setRescan(e.target.checked)} /> Rescan after a vulnerability DB update
        </label>
        <label className="check">
          <input type="checkbox" name="layeredScan" checked={layered} onChange={(e) => setLayered(e.target.checked)} /> Layered scan (findings per image layer)
        </label>
      </fieldset>
      </div>
      <p className="error" role="alert">
        {error ?? ''}
      </p>
      <div className="form-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Saving…' : existing ? 'Save' : 'Add registry'}
        </button>
      </div>
    </form>
  );
}
