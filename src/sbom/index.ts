import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { VigilError } from '../core/errors.js';
import type { Inventory } from '../core/types.js';
import { readCycloneDx } from './cyclonedx.js';
import { readSpdx } from './spdx.js';

/** Larger than any real SBOM (a big image's is a few MiB); JSON.parse of more would exhaust memory. */
export const MAX_SBOM_BYTES = 256 * 1024 * 1024;

function bad(message: string, cause?: unknown): VigilError {
  return new VigilError('bad-sbom', message, cause === undefined ? {} : { cause });
}

/**
 * `vigil scan sbom <file>`: a CycloneDX (1.4–1.6) or SPDX (2.2/2.3) JSON document → an
 * inventory the matcher takes like any other. Packages come from purls; Vigil's own `vigil:`
 * properties (source package, layer, locations, ownedBy) make its SBOMs round-trip exactly.
 */
export async function readSbom(file: string): Promise<Inventory> {
  let text: string;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw bad(`${file} is not a file`);
    if (st.size > MAX_SBOM_BYTES) throw bad(`${file} is ${st.size} bytes; SBOMs over ${MAX_SBOM_BYTES / 1024 / 1024} MiB are not read`);
    const fh = await open(file, 'r');
    try {
      text = await fh.readFile('utf8');
    } finally {
      await fh.close();
    }
  } catch (e) {
    if (e instanceof VigilError) throw e;
    throw bad(`cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)})`, e);
  }
  return parseSbom(text.replace(/^\uFEFF/, ''), path.basename(file));
}

/** Parses an SBOM document's text; `fallbackName` names the artifact when the document does not. */
export function parseSbom(text: string, fallbackName: string): Inventory {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw bad(`${fallbackName} is not JSON (${msg}); only CycloneDX and SPDX JSON are read`, e);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw bad(`${fallbackName} is not a CycloneDX or SPDX JSON document`);
  const d = doc as Record<string, unknown>;
  if (d.bomFormat === 'CycloneDX') {
    const v = String(d.specVersion ?? '');
    if (!['1.4', '1.5', '1.6'].includes(v)) throw bad(`CycloneDX ${v || '(no specVersion)'} is not supported (1.4, 1.5, 1.6)`);
    return readCycloneDx(d, fallbackName);
  }
  if (typeof d.spdxVersion === 'string') {
    if (!['SPDX-2.2', 'SPDX-2.3'].includes(d.spdxVersion)) throw bad(`${d.spdxVersion} is not supported (SPDX-2.2, SPDX-2.3)`);
    return readSpdx(d, fallbackName);
  }
  if (d['@context'] && JSON.stringify(d['@context']).includes('spdx')) throw bad('SPDX 3 JSON-LD is not supported (SPDX-2.2, SPDX-2.3)');
  throw bad(`${fallbackName} is not a CycloneDX or SPDX JSON document (no bomFormat or spdxVersion)`);
}
