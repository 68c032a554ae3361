/**
 * Alpine secdb (https://secdb.alpinelinux.org/, YAML or JSON) and the Wolfi / Chainguard secdb
 * JSON in the same shape: `packages[].pkg.secfixes` maps a fixed apk version to the ids it fixes.
 * Alpine files name their release (`distroversion: v3.15`); Wolfi and Chainguard are rolling and
 * are told apart by their package URL. The secfix key "0" means "never affected": no row.
 */
import { parse as parseYaml } from 'yaml';
import { VigilError } from '../../../core/errors.js';
import type { FeedSink } from '../../sqlite/writer.js';
import { newResult, skip, trimHead, type FeedFile, type ImportResult, type Importer } from '../types.js';

interface SecDb {
  distroversion?: string;
  reponame?: string;
  urlprefix?: string;
  apkurl?: string;
  packages?: { pkg?: { name?: string; secfixes?: Record<string, unknown> } }[];
}

/** Where a secdb file's rows go, and the feed name. */
export function secdbNamespace(db: SecDb): { namespace: string; source: string } | undefined {
  if (db.distroversion) {
    const v = /^v?(\d+\.\d+)/.exec(String(db.distroversion).trim());
    if (v) return { namespace: `alpine:${v[1]}`, source: 'alpine' };
    if (/edge/.test(String(db.distroversion))) return undefined;
  }
  const where = `${db.urlprefix ?? ''} ${db.apkurl ?? ''} ${db.reponame ?? ''}`.toLowerCase();
  if (/wolfi/.test(where)) return { namespace: 'wolfi:rolling', source: 'wolfi' };
  if (/chainguard|cgr\.dev/.test(where)) return { namespace: 'chainguard:rolling', source: 'chainguard' };
  return undefined;
}

/** "CVE-2021-28694 XSA-378" → the ids in one secfix line (the CVE first). */
export function secfixIds(line: unknown): string[] {
  if (typeof line !== 'string') return [];
  const tokens = line.split(/\s+/).filter((t) => /^[A-Z]+-[\w.-]+$/.test(t));
  return tokens;
}

export const alpineImporter = {
  name: 'alpine',
  order: 20,
  detect(head: string): boolean {
    const h = trimHead(head);
    if (h.startsWith('{')) return /"(apkurl|distroversion|urlprefix)"\s*:/.test(h) && /"packages"\s*:/.test(h);
    return /^(apkurl|distroversion|urlprefix|reponame|archs)\s*:/m.test(h) && !h.startsWith('[');
  },
  async import(file: FeedFile, sink: FeedSink): Promise<ImportResult> {
    const result = newResult();
    const text = await file.text();
    let db: SecDb;
    try {
      db = (trimHead(text).startsWith('{') ? JSON.parse(text) : parseYaml(text)) as SecDb;
    } catch (e) {
      throw new VigilError('feed-invalid', `${file.name}: not a readable secdb file (${(e as Error).message})`, { kind: 'input', cause: e });
    }
    const where = secdbNamespace(db);
    if (!where) throw new VigilError('feed-invalid', `${file.name}: secdb file names no release (distroversion) and is neither Wolfi nor Chainguard`, { kind: 'input' });
    const when = file.mtime?.toISOString();
    for (const p of db.packages ?? []) {
      const name = p.pkg?.name;
      if (!name) {
        skip(result, 'package without a name');
        continue;
      }
      for (const [version, ids] of Object.entries(p.pkg?.secfixes ?? {})) {
        result.records++;
        sink.count(where.source, when);
        if (version === '0') {
          skip(result, 'secfix "0" (not affected)');
          continue;
        }
        for (const line of Array.isArray(ids) ? ids : []) {
          const [id, ...aliases] = secfixIds(line);
          if (!id) continue;
          sink.affected({
            vulnerability: id,
            namespace: where.namespace,
            package: name,
            scheme: 'apk',
            ranges: [[{ introduced: '0' }, { fixed: version }]],
            status: 'fixed',
            source: where.source,
          });
          if (aliases.length) sink.vulnerability({ id, aliases, cvss: [], cwes: [], source: where.source });
        }
      }
    }
    return result;
  },
} satisfies Importer;
