import type { FileFacts, FoundPackage } from '../types.js';
import type { Warning } from '../../core/types.js';
import { isRecord, parseJsonObject, str } from './decode.js';
import { npmLicenses } from './licenses.js';

/** npm nests at most a few levels in practice; deeper trees are hostile or broken. */
const MAX_DEPTH = 64;

/**
 * `package-lock.json` / `npm-shrinkwrap.json`, all three formats
 * (https://docs.npmjs.com/cli/v10/configuring-npm/package-lock-json):
 * v1 has only the nested `dependencies` tree; v2 has both; v3 only the flat `packages` map keyed
 * by install path. The "" entry of `packages` is the project itself, not a dependency.
 */
export function parsePackageLock(buf: Buffer, path: string): FileFacts {
  const doc = parseJsonObject(buf, path);
  const warnings: Warning[] = [];
  const packages = isRecord(doc.packages) ? fromPackagesMap(doc.packages) : fromDependencyTree(doc.dependencies, path, warnings);
  return { packages, ...(warnings.length ? { warnings } : {}) };
}

function fromPackagesMap(map: Record<string, unknown>): FoundPackage[] {
  const out: FoundPackage[] = [];
  for (const [key, entry] of Object.entries(map)) {
    if (!isRecord(entry)) continue;
    // Workspace folders ("packages/a") and the root ("") are the project's own code.
    const at = key.lastIndexOf('node_modules/');
    if (at < 0) continue;
    if (entry.link === true) continue; // a symlink to a workspace folder, reported there if at all
    const name = str(entry.name) ?? key.slice(at + 'node_modules/'.length);
    const version = str(entry.version);
    if (!name || !version || !isRegistryVersion(version)) continue;
    out.push(lockPackage(name, version, entry));
  }
  return out;
}

/** v1: `dependencies: { name: { version, dev, dependencies: {...} } }`, walked without recursion. */
function fromDependencyTree(root: unknown, path: string, warnings: Warning[]): FoundPackage[] {
  const out: FoundPackage[] = [];
  const stack: Array<{ deps: unknown; depth: number }> = [{ deps: root, depth: 0 }];
  let truncated = false;
  while (stack.length) {
    const { deps, depth } = stack.pop()!;
    if (!isRecord(deps)) continue;
    if (depth >= MAX_DEPTH) {
      truncated = true;
      continue;
    }
    for (const [key, entry] of Object.entries(deps)) {
      if (!isRecord(entry)) continue;
      const raw = str(entry.version);
      if (raw) {
        // Aliases: "string-width-cjs": { "version": "npm:string-width@4.2.3" }.
        const alias = /^npm:(@?[^@]+)@(.+)$/.exec(raw);
        const [name, version] = alias ? [alias[1]!, alias[2]!] : [key, raw];
        if (isRegistryVersion(version)) out.push(lockPackage(name, version, entry));
      }
      if (entry.dependencies !== undefined) stack.push({ deps: entry.dependencies, depth: depth + 1 });
    }
  }
  if (truncated) {
    warnings.push({
      code: 'catalog-truncated',
      message: `dependency tree deeper than ${MAX_DEPTH} levels; the rest was skipped`,
      location: path,
    });
  }
  return out;
}

function lockPackage(name: string, version: string, entry: Record<string, unknown>): FoundPackage {
  const licenses = npmLicenses(entry);
  return {
    name,
    version,
    type: 'npm',
    ...(licenses ? { licenses } : {}),
    ...(entry.dev === true ? { metadata: { dev: true } } : {}),
  };
}

/** Tarball URLs, git and file: references are not registry versions; nothing to match them to. */
export function isRegistryVersion(version: string): boolean {
  return !/[:/#]/.test(version);
}
