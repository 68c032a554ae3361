import { parse } from 'smol-toml';
import { VigilError } from '../../core/errors.js';
import type { FoundPackage } from '../types.js';

/**
 * Cargo.lock (every format version: 1 with a [metadata] checksum table, 2, 3 and 4): one
 * [[package]] table per resolved crate. Crates without `source` are the workspace's own.
 */
export function parseCargoLock(text: string): FoundPackage[] {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new VigilError('cargo-lock-corrupt', `Cargo.lock is not valid TOML: ${(e as Error).message.split('\n')[0]}`, { cause: e });
  }
  const list = doc.package;
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new VigilError('cargo-lock-corrupt', 'Cargo.lock: "package" is not an array of tables');
  const out: FoundPackage[] = [];
  for (const p of list as Record<string, unknown>[]) {
    if (typeof p !== 'object' || p === null) continue;
    const { name, version, source, checksum } = p;
    if (typeof name !== 'string' || typeof version !== 'string' || !name || !version) continue;
    const metadata: Record<string, unknown> = { evidence: 'Cargo.lock', source: typeof source === 'string' ? source : 'local' };
    if (typeof checksum === 'string') metadata.checksum = checksum;
    out.push({ name, version, type: 'cargo', metadata });
  }
  return out;
}
