import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { schemeForNamespace } from '../vulndb/namespace.js';
import type { AffectedEntry, DbInfo, EpssEntry, KevEntry, VulnDbReader, VulnerabilityRecord } from '../vulndb/types.js';

/** The shape of a YAML test DB: the reader's rows, with defaults for what tests rarely vary. */
export interface MemoryDbData {
  info?: Partial<DbInfo>;
  affected?: Array<Omit<AffectedEntry, 'scheme' | 'ranges'> & { scheme?: string; ranges?: AffectedEntry['ranges'] }>;
  vulnerabilities?: Array<Partial<VulnerabilityRecord> & { id: string }>;
  kev?: KevEntry[];
  epss?: EpssEntry[];
}

/**
 * An in-memory `VulnDbReader`, for matcher tests (grype-style small YAML DBs whose comments say
 * why each record is there) and for anything else that needs a DB without building one.
 */
export function memoryDb(data: MemoryDbData): VulnDbReader {
  const affected = new Map<string, AffectedEntry[]>();
  for (const a of data.affected ?? []) {
    const entry: AffectedEntry = { ...a, scheme: a.scheme ?? schemeForNamespace(a.namespace), ranges: a.ranges ?? [] };
    const key = `${entry.namespace}\0${entry.package}`;
    const list = affected.get(key);
    if (list) list.push(entry);
    else affected.set(key, [entry]);
  }
  const byId = new Map<string, VulnerabilityRecord>();
  const byAlias = new Map<string, VulnerabilityRecord>();
  for (const v of data.vulnerabilities ?? []) {
    const rec: VulnerabilityRecord = { aliases: [], cvss: [], cwes: [], source: 'test', ...v };
    byId.set(rec.id, rec);
    for (const a of rec.aliases) if (!byAlias.has(a)) byAlias.set(a, rec);
  }
  const kev = new Map((data.kev ?? []).map((k) => [k.cve, k]));
  const epss = new Map((data.epss ?? []).map((e) => [e.cve, e]));
  const info: DbInfo = { schemaVersion: 1, builtAt: '2026-11-01T00:00:00Z', sources: [], ...data.info };
  return {
    info: () => info,
    affected: (namespace, pkg) => affected.get(`${namespace}\0${pkg}`) ?? [],
    vulnerability: (id) => byId.get(id) ?? byAlias.get(id),
    kev: (cve) => kev.get(cve),
    epss: (cve) => epss.get(cve),
    close: () => undefined,
  };
}

/** A YAML test DB from a file (see `MemoryDbData`). */
export function loadYamlDb(file: string): VulnDbReader {
  return memoryDb((parse(readFileSync(file, 'utf8')) ?? {}) as MemoryDbData);
}
