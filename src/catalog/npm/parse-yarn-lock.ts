import { parse as parseYaml } from 'yaml';
import { VigilError } from '../../core/errors.js';
import type { FileFacts, FoundPackage } from '../types.js';
import { decodeText, isRecord, str } from './decode.js';
import { isRegistryVersion } from './parse-package-lock.js';

/**
 * `yarn.lock`. Yarn 1 writes its own format (https://classic.yarnpkg.com/lang/en/docs/yarn-lock/):
 * a line of comma-separated specs at column 0 ending in ":", then indented `version "1.2.3"`.
 * Yarn 2+ ("berry") writes YAML with a `__metadata` key and a `resolution` per entry.
 * Neither says which packages are dev-only.
 */
export function parseYarnLock(buf: Buffer, path: string): FileFacts {
  const text = decodeText(buf);
  return /^__metadata:/m.test(text) ? parseBerry(text, path) : parseClassic(text);
}

function parseClassic(text: string): FileFacts {
  const out: FoundPackage[] = [];
  const seen = new Set<string>();
  let name: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    if (!/^\s/.test(line)) {
      // "@babel/core@^7.0.0", "@babel/core@^7.1.0":   or   lodash@^4.17.15:
      const first = line.replace(/:\s*$/, '').split(',')[0]!.trim().replace(/^"|"$/g, '');
      name = specName(first);
      continue;
    }
    const m = /^ {2}version:? "?([^"\s]+)"?\s*$/.exec(line);
    if (m && name) {
      const version = m[1]!;
      const key = `${name}@${version}`;
      if (isRegistryVersion(version) && !seen.has(key)) {
        seen.add(key);
        out.push({ name, version, type: 'npm' });
      }
      name = undefined;
    }
  }
  return { packages: out };
}

/** The package name of a yarn spec: "lodash@^4" → lodash, "@s/x@1" → @s/x, "a@npm:b@1" → b. */
function specName(spec: string): string | undefined {
  const at = spec.indexOf('@', 1);
  if (at < 0) return undefined;
  const range = spec.slice(at + 1);
  const alias = /^npm:(@?[^@]+)@/.exec(range);
  return alias ? alias[1] : spec.slice(0, at);
}

function parseBerry(text: string, path: string): FileFacts {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    throw new VigilError('catalog-bad-file', `${path}: invalid YAML`, { cause: e });
  }
  if (!isRecord(doc)) throw new VigilError('catalog-bad-file', `${path}: not a YAML mapping`);
  const out: FoundPackage[] = [];
  const seen = new Set<string>();
  for (const [key, entry] of Object.entries(doc)) {
    if (key === '__metadata' || !isRecord(entry)) continue;
    // resolution: "lodash@npm:4.17.21"; workspace:, patch:, link:, portal:, file: are not registry packages.
    const m = /^(@?[^@]+)@npm:(.+)$/.exec(str(entry.resolution) ?? '');
    const version = str(entry.version) ?? (typeof entry.version === 'number' ? String(entry.version) : undefined);
    if (!m || !version || !isRegistryVersion(version)) continue;
    const id = `${m[1]}@${version}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ name: m[1]!, version, type: 'npm' });
  }
  return { packages: out };
}
