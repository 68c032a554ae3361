import type { Cataloger, FileFacts, FileMeta, FileSource, ParseContext } from '../catalog/types.js';
import { describeError, isVigilError } from '../core/errors.js';
import type { Warning } from '../core/types.js';
import type { AnalyzedRecord } from './analyzer.js';

/** What one cataloger made of one file. */
export interface CatalogerResult {
  cataloger: Cataloger;
  facts: FileFacts;
}

/** One wanted file of one layer (or of a root filesystem), already parsed. */
export interface FileRecord {
  path: string;
  layer: number;
  results: CatalogerResult[];
}

/** Everything one layer contributes to the merged view. */
export interface LayerFacts {
  index: number;
  records: Map<string, FileRecord>;
  /** Symlinks of this layer: path → target as written. */
  symlinks: Map<string, string>;
  /** Paths deleted by `.wh.<name>` files (they apply to lower layers only). */
  whiteouts: string[];
  /** Directories made opaque by `.wh..wh..opq` (their lower-layer content disappears). */
  opaqueDirs: string[];
  warnings: Warning[];
  entries: number;
  bytes: number;
  /** Entries that analyzers wanted (see analyzer.ts); empty when no analyzer runs. */
  analyzed: Map<string, AnalyzedRecord>;
}

export function emptyLayerFacts(index: number): LayerFacts {
  return { index, records: new Map(), symlinks: new Map(), whiteouts: [], opaqueDirs: [], warnings: [], entries: 0, bytes: 0, analyzed: new Map() };
}

const DEFAULT_MAX_SIZE = 64 * 1024 * 1024;
export const SNIFF_BYTES = 64;

/** The catalogers that want a file, judged on its path and mode alone. */
export function wantedBy(catalogers: readonly Cataloger[], meta: FileMeta, ctx: ParseContext): Cataloger[] {
  let out: Cataloger[] | undefined;
  for (const c of catalogers) {
    if (c.matches(meta, ctx)) (out ??= []).push(c);
  }
  return out ?? [];
}

export function maxSizeOf(wanting: readonly Cataloger[]): number {
  return Math.max(...wanting.map((c) => c.maxSize ?? DEFAULT_MAX_SIZE));
}

/** Narrows by content: catalogers with a `sniff` see the first bytes. */
export function sniffed(wanting: readonly Cataloger[], head: Buffer, meta: FileMeta): Cataloger[] {
  return wanting.filter((c) => !c.sniff || c.sniff(head, meta));
}

/** Runs each cataloger on the file; a failure becomes a warning, never an aborted scan. */
export async function parseWith(wanting: readonly Cataloger[], file: FileSource, ctx: ParseContext, warnings: Warning[]): Promise<CatalogerResult[]> {
  const results: CatalogerResult[] = [];
  for (const cataloger of wanting) {
    if (file.size > (cataloger.maxSize ?? DEFAULT_MAX_SIZE)) {
      warnings.push({ code: 'file-too-large', message: `${cataloger.name}: skipped, ${file.size} bytes is over its limit`, location: file.path });
      continue;
    }
    try {
      const facts = await cataloger.parse(file, ctx);
      results.push({ cataloger, facts });
    } catch (e) {
      warnings.push({
        code: isVigilError(e) ? e.code : 'parse-failed',
        message: `${cataloger.name}: ${describeError(e)}`,
        location: file.path,
      });
    }
  }
  return results;
}
