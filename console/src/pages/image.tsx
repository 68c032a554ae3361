/**
 * One image: what it is, its findings (filterable, with details), and the layered view — which
 * layer brought which packages and vulnerabilities. CSV and PDF export the filtered findings.
 */
import { useMemo, useState, type ReactNode } from 'react';
import { Link } from 'wouter';
import { qs } from '../api/client';
import { useApi } from '../api/use-api';
import { SEVERITIES, type Finding, type Image, type ImageReport, type Layer, type Registry } from '../api/types';
import { DataTable, type Column } from '../components/data-table';
import { Dialog } from '../components/dialog';
import { Card, ErrorBox, PageHeader, ReportButtons, Skeleton } from '../components/page';
import { SeverityBadge, SeverityBar, SeverityCounts, severityRank } from '../components/severity';
import { formatBytes, formatDate, formatDay, shortDigest } from '../format';
import { imageName } from '../api/images';

const findingColumns: Array<Column<Finding>> = [
  { key: 'id', header: 'Vulnerability', width: 'minmax(9rem, 1fr)', render: (f) => <span className="mono">{f.id}</span>, compare: (a, b) => a.id.localeCompare(b.id) },
  { key: 'severity', header: 'Severity', width: '6.5rem', render: (f) => <SeverityBadge severity={f.severity} />, compare: (a, b) => severityRank(a.severity) - severityRank(b.severity) },
  { key: 'score', header: 'CVSS', width: '4rem', align: 'right', render: (f) => f.cvss?.score.toFixed(1) ?? '—', compare: (a, b) => (a.cvss?.score ?? 0) - (b.cvss?.score ?? 0) },
  { key: 'package', header: 'Package', width: 'minmax(8rem, 1.2fr)', render: (f) => f.package.name, compare: (a, b) => a.package.name.localeCompare(b.package.name) },
  { key: 'version', header: 'Installed', width: 'minmax(6rem, 0.8fr)', render: (f) => <span className="mono">{f.package.version}</span> },
  { key: 'fixed', header: 'Fixed in', width: 'minmax(6rem, 0.8fr)', render: (f) => <span className="mono">{f.fixedVersion ?? '—'}</span> },
  { key: 'kev', header: 'KEV', width: '3.5rem', render: (f) => (f.kev ? <span className="kev">KEV</span> : '') },
  { key: 'published', header: 'Published', width: '7.5rem', render: (f) => formatDay(f.published), compare: (a, b) => (a.published ?? '').localeCompare(b.published ?? '') },
];

export function FindingDetails({ f }: { f: Finding }): ReactNode {
  return (
    <div className="details">
      <p>
        <SeverityBadge severity={f.severity} /> {f.title && <strong>{f.title}</strong>}
      </p>
      <p>{f.description ?? <span className="muted">No description in the vulnerability DB.</span>}</p>
      <dl className="facts">
        <div>
          <dt>Package</dt>
          <dd className="mono">
            {f.package.name} {f.package.version} ({f.package.type})
          </dd>
        </div>
        <div>
          <dt>Remediation</dt>
          <dd>{f.fixedVersion ? `Upgrade ${f.package.name} to ${f.fixedVersion} or later.` : 'No fixed version is known yet.'}</dd>
        </div>
        <div>
          <dt>CVSS</dt>
          <dd className="mono">{f.cvss ? `${f.cvss.score} ${f.cvss.vector}` : '—'}</dd>
        </div>
        <div>
          <dt>Aliases</dt>
          <dd className="mono">{f.aliases.join(', ') || '—'}</dd>
        </div>
        <div>
          <dt>KEV / EPSS</dt>
          <dd>
            {f.kev ? 'in CISA KEV' : 'not in KEV'} / {f.epss !== null && f.epss !== undefined ? f.epss.toFixed(4) : '—'}
          </dd>
        </div>
        <div>
          <dt>Published</dt>
          <dd>{formatDay(f.published)}</dd>
        </div>
        <div>
          <dt>Source</dt>
          <dd>{f.source}</dd>
        </div>
        <div>
          <dt>Layer</dt>
          <dd className="mono small">{f.layer ? shortDigest(f.layer) : '—'}</dd>
        </div>
      </dl>
      <p>
        <Link href={`/risks/vulnerabilities?q=${encodeURIComponent(f.id)}`}>Its impact across all assets →</Link>
      </p>
      {f.link && (
        <p>
          <a href={f.link} target="_blank" rel="noreferrer">
            {f.link}
          </a>
        </p>
      )}
    </div>
  );
}

function LayersView({ layers }: { layers: Layer[] | undefined }): ReactNode {
  const [open, setOpen] = useState<number>();
  if (!layers) {
    return (
      <ol className="layers">
        {[0, 1, 2].map((i) => (
          <li key={i} className="layer">
            <Skeleton width="60%" />
          </li>
        ))}
      </ol>
    );
  }
  return (
    <ol className="layers" aria-label="Layers, base first">
      {layers.map((l) => {
        const expanded = open === l.index;
        return (
          <li key={l.index} className="layer">
            <button type="button" className="layer-head" aria-expanded={expanded} onClick={() => setOpen(expanded ? undefined : l.index)}>
              <span className="layer-index">#{l.index + 1}</span>
              <span className="layer-cmd mono" title={l.createdBy ?? undefined}>
                {l.createdBy ?? shortDigest(l.diffId)}
              </span>
              <span className="layer-size">{formatBytes(l.size)}</span>
              <span className="layer-pkgs">{l.packages.length} packages</span>
              <SeverityCounts summary={l.summary} />
            </button>
            {expanded && (
              <div className="layer-body">
                <p className="mono small">diff id {l.diffId}</p>
                {l.vulnerabilities.length > 0 ? (
                  <table className="simple">
                    <caption className="visually-hidden">Vulnerabilities brought by layer {l.index + 1}</caption>
                    <thead>
                      <tr>
                        <th>Vulnerability</th>
                        <th>Severity</th>
                        <th>Package</th>
                        <th>Installed</th>
                        <th>Fixed in</th>
                      </tr>
                    </thead>
                    <tbody>
                      {[...l.vulnerabilities]
                        .sort((a, b) => severityRank(a.severity) - severityRank(b.severity))
                        .map((f) => (
                          <tr key={`${f.id}:${f.package.name}:${f.package.version}`}>
                            <td className="mono">{f.id}</td>
                            <td>
                              <SeverityBadge severity={f.severity} />
                            </td>
                            <td>{f.package.name}</td>
                            <td className="mono">{f.package.version}</td>
                            <td className="mono">{f.fixedVersion ?? '—'}</td>
                          </tr>
                        ))}
                    </tbody>
                  </table>
                ) : (
                  <p className="muted">No vulnerabilities in this layer.</p>
                )}
                <details>
                  <summary>{l.packages.length} packages</summary>
                  <p className="mono small">{l.packages.map((p) => `${p.name} ${p.version}`).join(' · ')}</p>
                </details>
              </div>
            )}
          </li>
        );
      })}
    </ol>
  );
}

export function ImagePage({ digest }: { digest: string }): ReactNode {
  const enc = encodeURIComponent(digest);
  const image = useApi<Image>(`/api/v1/images/${enc}`);
  const report = useApi<ImageReport>(`/api/v1/images/${enc}/report`);
  const layers = useApi<{ layers: Layer[] }>(`/api/v1/images/${enc}/layers`);
  const [tab, setTab] = useState<'vulnerabilities' | 'layers'>('vulnerabilities');
  const [text, setText] = useState('');
  const [severity, setSeverity] = useState('');
  const [fixable, setFixable] = useState(false);
  const [selected, setSelected] = useState<Finding>();
  const firstTag = image.data?.tags[0];
  const registry = useApi<Registry>(firstTag ? `/api/v1/registries/${encodeURIComponent(firstTag.registryId)}` : null);

  const rows = useMemo(() => {
    const t = text.trim().toLowerCase();
    return report.data?.vulnerabilities.filter(
      (f) =>
        (!severity || f.severity === severity) &&
        (!fixable || f.fixedVersion) &&
        (!t || f.id.toLowerCase().includes(t) || f.package.name.toLowerCase().includes(t) || (f.title ?? '').toLowerCase().includes(t) || f.aliases.some((a) => a.toLowerCase().includes(t))),
    );
  }, [report.data, text, severity, fixable]);

  const img = image.data;
  const counts = img?.summary ?? {};
  const query = qs({ text: text.trim(), severity, fixable: fixable ? 'true' : undefined });

  return (
    <>
      <PageHeader
        title={img ? imageName(img) : 'Image'}
        crumbs={
          img?.tags[0] ? (
            <>
              Assets / <Link href="/assets/registries">Registries</Link> / <Link href={`/assets/registries/${img.tags[0].registryId}`}>{registry.data?.name ?? 'registry'}</Link>
            </>
          ) : (
            'Image'
          )
        }
      >
        <ReportButtons base={`/api/v1/images/${enc}/report`} query={query} name={`vigil-${shortDigest(digest).replace(':', '-')}`} />
      </PageHeader>
      <ErrorBox error={image.error ?? report.error} />
      <Card>
        <dl className="facts">
          <div>
            <dt>Digest</dt>
            <dd className="mono small">{digest}</dd>
          </div>
          <div>
            <dt>Tags</dt>
            <dd>{img ? img.tags.map((t) => `${t.repository}:${t.tag}`).join(', ') || '—' : <Skeleton />}</dd>
          </div>
          <div>
            <dt>OS / platform</dt>
            <dd>{img ? `${img.os ?? 'unknown'} · ${img.platform}` : <Skeleton />}</dd>
          </div>
          <div>
            <dt>Packages</dt>
            <dd>{img?.packages ?? <Skeleton width="3rem" />}</dd>
          </div>
          <div>
            <dt>Scanned</dt>
            <dd>{img ? `${formatDate(img.scannedAt)} in ${(img.scanMs / 1000).toFixed(1)} s` : <Skeleton />}</dd>
          </div>
          <div>
            <dt>Matched with DB of</dt>
            <dd>{img ? formatDate(img.dbBuiltAt) : <Skeleton />}</dd>
          </div>
        </dl>
        <SeverityBar counts={counts} label="Vulnerabilities of this image by severity" />
      </Card>
      <div className="tabs" role="tablist" aria-label="Image views">
        {(['vulnerabilities', 'layers'] as const).map((t) => (
          <button
            key={t}
            type="button"
            role="tab"
            id={`tab-${t}`}
            aria-selected={tab === t}
            aria-controls={`panel-${t}`}
            tabIndex={tab === t ? 0 : -1}
            className={`tab${tab === t ? ' current' : ''}`}
            onClick={() => setTab(t)}
            onKeyDown={(e) => {
              if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
                const next = t === 'vulnerabilities' ? 'layers' : 'vulnerabilities';
                setTab(next);
                document.getElementById(`tab-${next}`)?.focus();
              }
            }}
          >
            {t === 'vulnerabilities' ? `Vulnerabilities${report.data ? ` (${report.data.vulnerabilities.length})` : ''}` : `Layers${layers.data ? ` (${layers.data.layers.length})` : ''}`}
          </button>
        ))}
      </div>
      {tab === 'vulnerabilities' ? (
        <div role="tabpanel" id="panel-vulnerabilities" aria-labelledby="tab-vulnerabilities">
          <div className="toolbar">
            <label className="filter">
              <span className="visually-hidden">Filter by id, alias, package or title</span>
              <input type="search" placeholder="Filter by CVE, alias, package or title" value={text} onChange={(e) => setText(e.target.value)} />
            </label>
            <label>
              Severity{' '}
              <select value={severity} onChange={(e) => setSeverity(e.target.value)}>
                <option value="">any</option>
                {SEVERITIES.map((s) => (
                  <option key={s}>{s}</option>
                ))}
              </select>
            </label>
            <label className="check">
              <input type="checkbox" checked={fixable} onChange={(e) => setFixable(e.target.checked)} /> Fix available
            </label>
            <span className="muted" aria-live="polite">
              {rows ? `${rows.length} shown` : '\u00a0'}
            </span>
          </div>
          <DataTable
            label="Vulnerabilities of this image"
            rows={rows}
            loading={report.loading}
            columns={findingColumns}
            rowKey={(f) => `${f.id}:${f.package.name}:${f.package.version}:${f.layer ?? ''}`}
            onOpen={setSelected}
            height="calc(100vh - 470px)"
            empty="No vulnerability matches."
            testId="image-findings"
          />
        </div>
      ) : (
        <div role="tabpanel" id="panel-layers" aria-labelledby="tab-layers">
          <ErrorBox error={layers.error} />
          <LayersView layers={layers.data?.layers} />
        </div>
      )}
      <Dialog title={selected?.id ?? ''} open={selected !== undefined} onClose={() => setSelected(undefined)} wide>
        {selected && <FindingDetails f={selected} />}
      </Dialog>
    </>
  );
}
