import type { FileFacts } from '../types.js';
import { isRecord, parseJsonObject, str } from './decode.js';
import { npmLicenses } from './licenses.js';

/**
 * One installed package: `node_modules/<name>/package.json`. A file without a string name and
 * version is not a package (npm itself would refuse it); only unreadable JSON is worth a warning.
 */
export function parsePackageJson(buf: Buffer, path: string): FileFacts {
  const doc = parseJsonObject(buf, path);
  const name = str(doc.name);
  const version = str(doc.version);
  if (!name || !version) return {};
  const licenses = npmLicenses(doc);
  return {
    packages: [
      {
        name,
        version,
        type: 'npm',
        ...(licenses ? { licenses } : {}),
        ...(isRecord(doc.repository) && str(doc.repository.url)
          ? { metadata: { repository: str(doc.repository.url) } }
          : {}),
      },
    ],
  };
}
