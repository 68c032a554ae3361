/**
 * Counts, the severity distribution, the riskiest images (and workloads, once the assets API
 * answers) and the age of the vulnerability DB. Every box has its final size from the start.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import { fetchImages, imageName } from '../api/images';
import { isMissingApi, useApi } from '../api/use-api';
import { SEVERITIES, type Container, type DbStatus, type Image, type Registry, type Severity } from '../api/types';
import { DataTable, type Column } from '../components/data-table';
import { Card, ErrorBox, PageHeader, Stat } from '../components/page';
import { SeverityBar, SeverityCounts } from '../components/severity';
import { formatAge, formatDate } from '../format';
import { ImpactName } from '../components/protection';
import { riskScore, type WorkloadRisk } from './risk-score';

const imageColumns: Array<Column<Image>> = [
  { key: 'name', header: 'Image', width: 'minmax(8rem, 2fr)', render: (i) => <Link href={`/images/${encodeURIComponent(i.digest)}`}>{imageName(i)}</Link> },
  { key: 'os', header: 'OS', width: '6.5rem', render: (i) => i.os ?? '—' },
  { key: 'sev', header: 'Vulnerabilities', width: 'minmax(9rem, 1.4fr)', render: (i) => <SeverityCounts summary={i.summary} /> },
  { key: 'fixable', header: 'Fixable', width: '5.2rem', align: 'right', render: (i) => i.summary?.fixable ?? '—' },
];

interface Containers {
  total: number;
  containers: Container[];
}

export function DashboardPage(): ReactNode {
  const [, navigate] = useLocation();
  const db = useApi<DbStatus>('/api/v1/db');
  const registries = useApi<{ registries: Registry[] }>('/api/v1/registries');
  const scans = useApi<{ counts: Record<string, number> }>('/api/v1/scans?limit=1');
  const containers = useApi<Containers>('/api/v1/containers?limit=500&state=running');
  const nodes = useApi<{ total: number }>('/api/v1/nodes?limit=1');
  // Unique vulnerabilities across every asset, and how many of them reach running workloads unprotected.
  const risks = useApi<{ total: number; bySeverity: Record<string, number> }>('/api/v1/risks/vulnerabilities?limit=1');
  const fixableRisks = useApi<{ total: number }>('/api/v1/risks/vulnerabilities?limit=1&fixable=true');
  const [images, setImages] = useState<Image[]>();
  const [imagesError, setImagesError] = useState<Error>();

  useEffect(() => {
    const ctl = new AbortController();
    fetchImages(5000, ctl.signal).then(setImages, (e: Error) => !ctl.signal.aborted && setImagesError(e));
    return () => ctl.abort();
  }, []);

  // One row per CVE from the risks API; without it, the images' findings summed.
  const unique = risks.data !== undefined;
  const counts: Partial<Record<Severity, number>> = {};
  let fixable = 0;
  if (risks.data) {
    for (const s of SEVERITIES) counts[s] = risks.data.bySeverity[s] ?? 0;
    fixable = fixableRisks.data?.total ?? 0;
  } else {
    for (const i of images ?? []) {
      for (const s of SEVERITIES) counts[s] = (counts[s] ?? 0) + (i.summary?.[s] ?? 0);
      fixable += i.summary?.fixable ?? 0;
    }
  }
  const ready = unique ? fixableRisks.data !== undefined || fixableRisks.error !== undefined : images !== undefined && (risks.error !== undefined || !risks.loading);
  const total = SEVERITIES.reduce((n, s) => n + (counts[s] ?? 0), 0);
  const top = images ? [...images].sort((a, b) => riskScore(b.summary) - riskScore(a.summary)).slice(0, 10) : undefined;
  // A workload's risk is its image's: containers join the scanned images by digest.
  const byDigest = new Map((images ?? []).map((i) => [i.digest, i.summary]));
  const workloads: WorkloadRisk[] | undefined =
    containers.data && images
      ? containers.data.containers.map((c) => ({ id: c.id, name: c.name, namespace: c.namespace, mode: c.policyMode, summary: c.imageDigest ? byDigest.get(c.imageDigest) : null }))
      : undefined;
  const topWorkloads = workloads ? workloads.filter((w) => w.summary).sort((a, b) => riskScore(b.summary) - riskScore(a.summary)).slice(0, 10) : undefined;
  const queue = scans.data ? (scans.data.counts.queued ?? 0) + (scans.data.counts.running ?? 0) : undefined;

  return (
    <>
      <PageHeader title="Dashboard" />
      <ErrorBox error={imagesError ?? db.error ?? registries.error} />
      <div className="stats">
        <Stat label="Registries" value={registries.data?.registries.length} />
        <Stat label="Images scanned" value={images?.length.toLocaleString('en')} />
        <Stat
          label="Nodes / containers"
          value={nodes.data || containers.data || nodes.error ? `${nodes.data?.total ?? '—'} / ${containers.data?.total ?? '—'}` : undefined}
          hint={containers.data ? 'running' : undefined}
        />
        <Stat label="Vulnerabilities" value={ready ? total.toLocaleString('en') : undefined} hint={ready ? `${unique ? 'unique, ' : ''}${fixable.toLocaleString('en')} fixable` : undefined} />
        <Stat label="Critical" value={ready ? (counts.critical ?? 0).toLocaleString('en') : undefined} hint={ready ? `${(counts.high ?? 0).toLocaleString('en')} high` : undefined} />
        <Stat label="Scans in progress" value={queue} hint={scans.data ? `${scans.data.counts.failed ?? 0} failed` : undefined} />
        <Stat
          label="DB age"
          value={db.data ? (db.data.installed ? formatAge(db.data.ageDays) : 'not installed') : undefined}
          hint={db.data ? (db.data.stale ? <span className="warn">stale — update it in Settings</span> : `built ${formatDate(db.data.builtAt)}`) : undefined}
        />
      </div>
      <Card title={unique ? 'Severity distribution (unique vulnerabilities, all assets)' : 'Severity distribution (all images)'}>
        <SeverityBar counts={counts} label="Vulnerabilities by severity" />
      </Card>
      <div className="two-col">
        <Card title="Top risky images">
          <DataTable
            label="Top risky images"
            rows={top}
            loading={!images}
            columns={imageColumns}
            rowKey={(i) => i.digest}
            onOpen={(i) => navigate(`/images/${encodeURIComponent(i.digest)}`)}
            height="300px"
            empty="No image has been scanned yet. Add a registry under Assets → Registries."
            testId="top-images"
          />
        </Card>
        <Card title="Top risky workloads">
          {isMissingApi(containers.error) ? (
            <p className="muted placeholder-box">Workloads appear here once run-time assets are reported to the controller.</p>
          ) : (
            <DataTable
              label="Top risky workloads"
              rows={topWorkloads}
              loading={containers.loading || !images}
              columns={[
                { key: 'name', header: 'Container', width: 'minmax(8rem, 2fr)', render: (c) => <ImpactName mode={c.mode ?? null}>{c.name}</ImpactName> },
                { key: 'ns', header: 'Namespace', width: '7rem', render: (c) => c.namespace ?? '—' },
                { key: 'sev', header: 'Vulnerabilities', width: 'minmax(9rem, 1.4fr)', render: (c) => <SeverityCounts summary={c.summary} /> },
              ]}
              rowKey={(c) => c.id}
              onOpen={(c) => navigate(`/risks/vulnerabilities?container=${encodeURIComponent(c.id)}`)}
              height="300px"
              empty="No running containers reported."
              testId="top-workloads"
            />
          )}
        </Card>
      </div>
    </>
  );
}
