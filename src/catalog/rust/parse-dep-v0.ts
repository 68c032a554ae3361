import { inflateSync } from 'node:zlib';
import { VigilError } from '../../core/errors.js';
import type { FoundPackage } from '../types.js';
import { ElfFile, type RandomAccess } from '../shared/elf.js';

/**
 * cargo-auditable's dependency list (https://github.com/rust-secure-code/cargo-auditable, format:
 * auditable-serde's VersionInfo): zlib-compressed JSON in an ELF section named `.dep-v0`:
 *   {"packages":[{"name","version","source","kind"?: "build"|"runtime","dependencies"?: [index],"root"?: true}]}
 */
export const DEP_V0_SECTION = '.dep-v0';
/** cargo-auditable itself refuses more than 8 MiB of JSON; allow some room, never more. */
const MAX_COMPRESSED = 8 * 1024 * 1024;
const MAX_JSON = 16 * 1024 * 1024;
const MAX_PACKAGES = 50_000;

function corrupt(message: string, cause?: unknown): VigilError {
  return new VigilError('cargo-auditable-corrupt', message, cause === undefined ? {} : { cause });
}

interface AuditablePackage {
  name?: unknown;
  version?: unknown;
  source?: unknown;
  kind?: unknown;
  root?: unknown;
  dependencies?: unknown;
}

/** Packages from the decompressed-or-not section bytes. */
export function parseDepV0(compressed: Buffer): FoundPackage[] {
  let json: Buffer;
  try {
    json = inflateSync(compressed, { maxOutputLength: MAX_JSON });
  } catch (e) {
    throw corrupt(`${DEP_V0_SECTION}: not zlib data or larger than ${MAX_JSON} bytes`, e);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(json.toString('utf8'));
  } catch (e) {
    throw corrupt(`${DEP_V0_SECTION}: not JSON`, e);
  }
  const list = (doc as { packages?: unknown } | null)?.packages;
  if (!Array.isArray(list)) throw corrupt(`${DEP_V0_SECTION}: no "packages" array`);
  const out: FoundPackage[] = [];
  for (const raw of list.slice(0, MAX_PACKAGES) as AuditablePackage[]) {
    if (typeof raw !== 'object' || raw === null) continue;
    if (typeof raw.name !== 'string' || typeof raw.version !== 'string' || !raw.name || !raw.version) continue;
    const source = typeof raw.source === 'string' ? raw.source : 'crates.io';
    const kind = raw.kind === 'build' ? 'build' : 'runtime';
    const metadata: Record<string, unknown> = { evidence: 'cargo-auditable', source, kind };
    if (kind === 'build') metadata.buildOnly = true;
    if (raw.root === true) metadata.root = true;
    out.push({ name: raw.name, version: raw.version, type: 'cargo', metadata });
  }
  return out;
}

/** undefined when the binary has no `.dep-v0` section (not built with cargo-auditable). */
export async function readAuditableBinary(src: RandomAccess): Promise<FoundPackage[] | undefined> {
  const elf = await ElfFile.open(src);
  const section = elf.section(DEP_V0_SECTION);
  if (!section) return undefined;
  return parseDepV0(await elf.sectionData(section, MAX_COMPRESSED));
}
