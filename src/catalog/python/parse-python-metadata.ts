import { VigilError } from '../../core/errors.js';
import type { FileFacts } from '../types.js';

/** A License field longer than this, or on several lines, is the licence text, not its name. */
const MAX_LICENSE_NAME = 100;
/** Core metadata is a few KiB of headers; stop looking for the end of them after this many lines. */
const MAX_HEADER_LINES = 10_000;

/**
 * Python core metadata (https://packaging.python.org/en/latest/specifications/core-metadata/):
 * `METADATA` of a .dist-info, `PKG-INFO` of an .egg-info directory, or an .egg-info that is
 * itself the file. RFC 822 style headers (case-insensitive names, continuation lines start with
 * white space) up to the first blank line; the body (the long description) is ignored.
 */
export function parsePythonMetadata(buf: Buffer, path: string): FileFacts {
  const headers = parseHeaders(buf.toString('utf8'));
  const name = first(headers, 'name');
  const version = first(headers, 'version');
  if (!name || !version) {
    throw new VigilError('catalog-bad-file', `${path}: Python metadata without ${name ? 'Version' : 'Name'}`);
  }
  const licenses = pythonLicenses(headers);
  return { packages: [{ name, version, type: 'pypi', ...(licenses.length ? { licenses } : {}) }] };
}

type Headers = Map<string, string[]>;

function parseHeaders(text: string): Headers {
  const headers: Headers = new Map();
  let last: { key: string; index: number } | undefined;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/, MAX_HEADER_LINES);
  for (const line of lines) {
    if (line.trim() === '') break; // end of the header block
    if (/^[ \t]/.test(line)) {
      if (last) headers.get(last.key)![last.index] += '\n' + line.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const values = headers.get(key) ?? [];
    values.push(line.slice(colon + 1).trim());
    headers.set(key, values);
    last = { key, index: values.length - 1 };
  }
  return headers;
}

function first(headers: Headers, key: string): string | undefined {
  const v = headers.get(key)?.[0]?.trim();
  return v ? v : undefined;
}

/**
 * License-Expression (metadata 2.4, SPDX) first; then a short License field; then the
 * "License :: OSI Approved :: MIT License" classifiers, by their last segment.
 */
function pythonLicenses(headers: Headers): string[] {
  const expression = first(headers, 'license-expression');
  if (expression) return [expression];
  const license = first(headers, 'license');
  if (license && !license.includes('\n') && license.length <= MAX_LICENSE_NAME && license.toUpperCase() !== 'UNKNOWN') {
    return [license];
  }
  const fromClassifiers = (headers.get('classifier') ?? [])
    .map((c) => c.split('::').map((s) => s.trim()))
    .filter((parts) => parts[0] === 'License' && parts.length > 1)
    .map((parts) => parts[parts.length - 1]!)
    .filter((l) => l !== 'OSI Approved');
  return [...new Set(fromClassifiers)];
}
