/** Scans a hand-made image through the engine API (the same path the CLI takes). */
import type { Inventory } from '../../../src/core/types.js';
import { scanImage, type ScanOptions } from '../../../src/engine/scan.js';
import { openImage } from '../../../src/image/index.js';

export async function scanRef(ref: string, opts: ScanOptions = {}): Promise<Inventory> {
  const img = await openImage(ref);
  try {
    return await scanImage(img, opts);
  } finally {
    await img.close();
  }
}

/** "type/name@version" for each package, sorted. */
export function pkgIds(inv: Inventory): string[] {
  return inv.packages.map((p) => `${p.type}/${p.name}@${p.version}`).sort();
}

export function warningCodes(inv: Inventory): string[] {
  return inv.warnings.map((w) => w.code);
}
