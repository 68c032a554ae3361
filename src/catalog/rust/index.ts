import type { Cataloger, FileMeta, ParseContext } from '../types.js';
import { isElf } from '../shared/elf.js';
import { looksLikeBinaryCandidate } from '../shared/executables.js';
import { readAuditableBinary } from './parse-dep-v0.js';

const isCargoLock = (path: string) => path === 'Cargo.lock' || path.endsWith('/Cargo.lock');
const MAX_LOCK = 32 * 1024 * 1024;

/**
 * Rust crates: from binaries built with cargo-auditable (the `.dep-v0` section, in every mode) and,
 * in directory scans only, from Cargo.lock (in an image a lock file is source left behind, not
 * what runs; Trivy's rootfs/image split is the same).
 */
export const rustCataloger = {
  name: 'rust',
  ecosystems: ['cargo'],
  maxSize: 1024 * 1024 * 1024,
  matches(file: FileMeta, ctx: ParseContext): boolean {
    if (isCargoLock(file.path)) return ctx.mode === 'rootfs' && file.size <= MAX_LOCK;
    return looksLikeBinaryCandidate(file);
  },
  sniff(head: Buffer, file: FileMeta): boolean {
    return isCargoLock(file.path) || isElf(head);
  },
  async parse(file) {
    if (isCargoLock(file.path)) {
      const { parseCargoLock } = await import('./parse-cargo-lock.js'); // TOML parser only when needed
      return { packages: parseCargoLock((await file.buffer()).toString('utf8')) };
    }
    if (!isElf(await file.read(0, 4))) return {};
    const packages = await readAuditableBinary(file);
    return packages ? { packages } : {};
  },
} satisfies Cataloger;
