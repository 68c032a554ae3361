import { VigilError } from '../../core/errors.js';
import type { FileFacts, FoundPackage } from '../types.js';

/**
 * A .NET application's `<app>.deps.json`
 * (https://github.com/dotnet/sdk/blob/main/documentation/specs/runtime-configuration-file.md):
 * `libraries` is keyed "Name/Version"; only `type: "package"` entries are NuGet packages
 * ("project" is the application itself, "reference" an assembly reference).
 */
export function parseDepsJson(buf: Buffer, path: string): FileFacts {
  let doc: unknown;
  try {
    doc = JSON.parse(buf.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new VigilError('catalog-bad-file', `${path}: invalid JSON`, { cause: e });
  }
  if (!isRecord(doc)) throw new VigilError('catalog-bad-file', `${path}: not a JSON object`);
  if (!isRecord(doc.libraries)) return { packages: [] };
  const out: FoundPackage[] = [];
  for (const [key, lib] of Object.entries(doc.libraries)) {
    if (!isRecord(lib) || lib.type !== 'package') continue;
    const slash = key.indexOf('/');
    const name = key.slice(0, slash).trim();
    const version = key.slice(slash + 1).trim();
    if (slash <= 0 || !name || !version || version.includes('/')) continue;
    out.push({ name, version, type: 'nuget' });
  }
  return { packages: out };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
