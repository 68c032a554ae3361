/** The feed importers, in the order the builder runs them (primary feeds, then fallbacks and enrichment). */
import { alpineImporter } from './alpine/index.js';
import { debianAdvisoryListImporter, debianTrackerImporter } from './debian/index.js';
import { epssImporter } from './epss/index.js';
import { kevImporter } from './kev/index.js';
import { nvdImporter } from './nvd/index.js';
import { osvImporter } from './osv/index.js';
import type { Importer } from './types.js';

// Most specific first: detection takes the first importer that recognises a file's head.
export const IMPORTERS: readonly Importer[] = [kevImporter, nvdImporter, debianTrackerImporter, alpineImporter, osvImporter, debianAdvisoryListImporter, epssImporter];

/** The importer for a file: by its head, else (small JSON files) by its parsed structure. */
export function detectImporter(head: string, whole?: () => string): Importer | undefined {
  const byHead = IMPORTERS.find((i) => i.detect(head));
  if (byHead || !whole || !/^\uFEFF?\s*\{/.test(head)) return byHead;
  let doc: unknown;
  try {
    doc = JSON.parse(whole());
  } catch {
    return undefined;
  }
  return IMPORTERS.find((i) => i.detectDocument?.(doc));
}

export type { FeedFile, ImportResult, Importer } from './types.js';
