import { parse as parseYaml } from 'yaml';
import { VigilError } from '../../core/errors.js';
import type { FileFacts, FoundPackage } from '../types.js';
import { decodeText, isRecord, str } from './decode.js';
import { isRegistryVersion } from './parse-package-lock.js';

/**
 * `pnpm-lock.yaml` (https://github.com/pnpm/spec/tree/master/lockfile). The `packages` keys
 * changed with the format: v5 "/name/1.0.0_peer@2", v6 "/name@1.0.0(peer@2)", v9 "name@1.0.0".
 * v5 and v6 entries carry `dev: true|false`; v9 keeps that only in `importers`, so it is not reported.
 * Entries with their own `name` and `version` (tarball and git dependencies) use those.
 */
export function parsePnpmLock(buf: Buffer, path: string): FileFacts {
  let doc: unknown;
  try {
    doc = parseYaml(decodeText(buf), { maxAliasCount: 100 });
  } catch (e) {
    throw new VigilError('catalog-bad-file', `${path}: invalid YAML`, { cause: e });
  }
  if (!isRecord(doc)) throw new VigilError('catalog-bad-file', `${path}: not a YAML mapping`);
  const lockVersion = parseFloat(String(doc.lockfileVersion ?? ''));
  if (!isRecord(doc.packages)) return { packages: [] };
  const out: FoundPackage[] = [];
  const seen = new Set<string>();
  for (const [key, entry] of Object.entries(doc.packages)) {
    const e = isRecord(entry) ? entry : {};
    const parsed = str(e.name) && str(e.version) ? { name: str(e.name)!, version: str(e.version)! } : parseKey(key, lockVersion);
    if (!parsed || !isRegistryVersion(parsed.version)) continue;
    const id = `${parsed.name}@${parsed.version}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ ...parsed, type: 'npm', ...(e.dev === true ? { metadata: { dev: true } } : {}) });
  }
  return { packages: out };
}

function parseKey(key: string, lockVersion: number): { name: string; version: string } | undefined {
  let k = key.startsWith('/') ? key.slice(1) : key;
  // A registry other than the default is written as a prefix: "registry.example.com/lodash/4.17.21".
  if (lockVersion < 6 || (Number.isNaN(lockVersion) && !k.includes('@', 1))) {
    k = k.replace(/_.*$/, ''); // peer suffix "_react@18.0.0"
    const slash = k.lastIndexOf('/');
    if (slash <= 0) return undefined;
    const name = k.slice(0, slash);
    const version = k.slice(slash + 1);
    return name && version ? { name: name.replace(/^[^@/]+\.[^/]+\/(?=.)/, ''), version } : undefined;
  }
  k = k.replace(/\(.*$/, ''); // peer suffix "(react@18.0.0)"
  const at = k.lastIndexOf('@');
  if (at <= 0) return undefined;
  return { name: k.slice(0, at), version: k.slice(at + 1) };
}
