/**
 * A feed importer: recognises its format from a file's first bytes (never its name) and streams
 * the file's records into a `FeedSink`. One folder per feed; registered in `index.ts`.
 */
import type { Readable } from 'node:stream';
import type { FeedSink } from '../sqlite/writer.js';

export interface FeedFile {
  /** Where it came from, for messages: a path, or `all.zip!GHSA-….json`. */
  name: string;
  /** The first bytes as UTF-8 text (a few KiB): what detection looks at. */
  head: string;
  text(): Promise<string>;
  stream(): Readable;
  /** File time, used as a source's record time when the feed carries none. */
  mtime?: Date;
}

export interface ImportResult {
  /** Records read (OSV records, tracker CVE × package, secfixes, KEV entries, EPSS rows …). */
  records: number;
  /** Things deliberately left out, by reason ("withdrawn", "unknown ecosystem GitHub Actions"). */
  skipped: Record<string, number>;
}

export interface Importer {
  readonly name: string;
  /** Ties importers into an order: enrichment and fallbacks run after the primary feeds. */
  readonly order: number;
  detect(head: string): boolean;
  /** Second chance for a small JSON file whose head was not conclusive (a long OSV `details` before `modified`). */
  detectDocument?(doc: unknown): boolean;
  import(file: FeedFile, sink: FeedSink): Promise<ImportResult>;
}

export function newResult(): ImportResult {
  return { records: 0, skipped: {} };
}

export function skip(r: ImportResult, reason: string): void {
  r.skipped[reason] = (r.skipped[reason] ?? 0) + 1;
}

/** JSON text with a leading BOM and whitespace removed: what detection compares against. */
export function trimHead(head: string): string {
  return head.replace(/^\uFEFF/, '').trimStart();
}
