import { VigilError } from '../../core/errors.js';
import type { FileFacts, FoundPackage } from '../types.js';

/**
 * composer.lock (`packages`, `packages-dev`) and vendor/composer/installed.json, which Composer 1
 * writes as an array of packages and Composer 2 as `{ packages: [...], dev: bool,
 * "dev-package-names": [...] }` (https://getcomposer.org/doc/07-runtime.md#installed-versions).
 */
export function parseComposerLock(buf: Buffer, path: string): FileFacts {
  const doc = parseJson(buf, path);
  if (!isRecord(doc)) throw new VigilError('catalog-bad-file', `${path}: composer.lock is not a JSON object`);
  return {
    packages: [...packagesOf(doc.packages, () => false), ...packagesOf(doc['packages-dev'], () => true)],
  };
}

export function parseInstalledJson(buf: Buffer, path: string): FileFacts {
  const doc = parseJson(buf, path);
  if (Array.isArray(doc)) return { packages: packagesOf(doc, () => false) };
  if (!isRecord(doc)) throw new VigilError('catalog-bad-file', `${path}: installed.json is neither an array nor an object`);
  const devNames = new Set(Array.isArray(doc['dev-package-names']) ? doc['dev-package-names'].filter((n) => typeof n === 'string') : []);
  return { packages: packagesOf(doc.packages, (name) => devNames.has(name)) };
}

function packagesOf(list: unknown, isDev: (name: string) => boolean): FoundPackage[] {
  if (!Array.isArray(list)) return [];
  const out: FoundPackage[] = [];
  for (const entry of list) {
    if (!isRecord(entry)) continue;
    const name = str(entry.name);
    const raw = str(entry.version);
    if (!name || !raw) continue;
    const licenses = licensesOf(entry.license);
    out.push({
      name,
      version: normalizeVersion(raw),
      type: 'composer',
      ...(licenses.length ? { licenses } : {}),
      ...(isDev(name) ? { metadata: { dev: true } } : {}),
    });
  }
  return out;
}

/** "v5.4.0" → "5.4.0", as Trivy does; "dev-main", "1.0.x-dev" and "v-next" stay as written. */
export function normalizeVersion(version: string): string {
  return /^v\d/.test(version) ? version.slice(1) : version;
}

function licensesOf(v: unknown): string[] {
  const list = Array.isArray(v) ? v : [v];
  return [...new Set(list.filter((l): l is string => typeof l === 'string' && l.trim() !== '').map((l) => l.trim()))];
}

function parseJson(buf: Buffer, path: string): unknown {
  try {
    return JSON.parse(buf.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new VigilError('catalog-bad-file', `${path}: invalid JSON`, { cause: e });
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}
