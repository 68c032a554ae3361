import type { FileMeta, FileSource, ParseContext } from '../catalog/types.js';

/**
 * A tar entry's metadata as an analyzer sees it: path, permission bits (with setuid/setgid),
 * size, and the owner recorded in the layer.
 */
export interface EntryMeta extends FileMeta {
  uid: number;
  gid: number;
  /** Owner names as the tar header gives them ('' when the layer was written without names). */
  uname: string;
  gname: string;
}

/**
 * An analyzer collects non-package facts (file modes, secrets, …) in the same single pass over
 * the layers as the catalogers. Like a cataloger it declares, on path and metadata alone, which
 * regular files it wants:
 * - 'meta': record the entry without reading it (e.g. setuid bits);
 * - 'content': read it (up to `maxSize`; a larger file is handed over with no content);
 * - false: ignore it.
 * Every wanted entry is recorded, even when `analyze` returns undefined, so that an upper
 * layer's version of a path replaces the lower layer's in the merged view; whiteouts, opaque
 * directories and symlinks apply as they do to the catalogers' files.
 */
export interface Analyzer<T = unknown> {
  /** Unique: results are keyed by it. */
  readonly name: string;
  /** Largest file read for 'content' (default 1 MiB). */
  readonly maxSize?: number;
  /** Cheap test, called for every regular file of every layer. */
  wants(meta: EntryMeta, ctx: ParseContext): 'meta' | 'content' | false;
  /** `file` is undefined for 'meta' and for files over `maxSize`. Throwing records a warning. */
  analyze(meta: EntryMeta, file: FileSource | undefined, ctx: ParseContext): T | undefined | Promise<T | undefined>;
}

export const DEFAULT_ANALYZER_MAX_SIZE = 1024 * 1024;

/** One wanted entry of one layer, with what each analyzer made of it. */
export interface AnalyzedRecord {
  path: string;
  layer: number;
  meta: EntryMeta;
  /** analyzer name → value (absent when the analyzer returned undefined). */
  values: Record<string, unknown>;
}
