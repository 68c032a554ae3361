import type { OsInfo, Package, PackageRef, Warning } from '../core/types.js';

/**
 * A cataloger turns files into packages. The engine streams every layer once and asks each
 * cataloger, for every file, whether it wants it (`matches`, a cheap test on the path and mode
 * only, like Trivy's Required()). Only wanted files are read, and each is parsed on its own into
 * `FileFacts`; the engine merges the facts of all layers into the final inventory.
 */
export type ScanMode = 'image' | 'rootfs' | 'host';

export interface ParseContext {
  mode: ScanMode;
}

export interface FileMeta {
  /** Absolute, normalised path inside the artifact: "/var/lib/dpkg/status". */
  path: string;
  /** Unix permission bits (and setuid/setgid/sticky), without the file-type bits. */
  mode: number;
  size: number;
}

/** The contents of one wanted file. Small files live in memory; large ones are spooled to disk. */
export interface FileSource extends FileMeta {
  /** The whole content. */
  buffer(): Promise<Buffer>;
  /** `length` bytes from `offset` (fewer at the end of the file). For archives and binaries. */
  read(offset: number, length: number): Promise<Buffer>;
}

/** A package as a cataloger reports it; the engine adds purl, layer and ownership. */
export interface FoundPackage extends Omit<Package, 'purl' | 'layer' | 'locations' | 'ownedBy'> {
  /** Defaults to the parsed file's path. For archives: "/app/lib/a.jar!/BOOT-INF/lib/b.jar". */
  locations?: string[];
}

export interface OwnedFiles {
  owner: PackageRef;
  /** Absolute paths of the files the OS package installed. */
  paths: string[];
}

export interface FileFacts {
  packages?: FoundPackage[];
  /** Files that belong to OS packages (dpkg info/*.list, status.d/*.md5sums, rpm file lists, apk R: lines). */
  owned?: OwnedFiles[];
  /** OS identity; the highest `priority` wins (os-release over distro release files). */
  os?: OsInfo & { priority: number };
  warnings?: Warning[];
}

/** What `finalize` sees: every file that some cataloger matched in the final, merged view. */
export interface CatalogView {
  has(path: string): boolean;
  paths(): Iterable<string>;
}

export interface FoundInFile {
  path: string;
  pkg: FoundPackage;
}

export interface Cataloger {
  readonly name: string;
  /** Which ecosystem(s) this cataloger reports; used in docs and the contract test. */
  readonly ecosystems: readonly string[];
  /** Files larger than this are skipped with a warning (default 64 MiB). */
  readonly maxSize?: number;
  /** Cheap test on path and mode only; called for every file of every layer. */
  matches(file: FileMeta, ctx: ParseContext): boolean;
  /**
   * Optional content test on the first bytes (at least 64 or the whole file if smaller), so that
   * e.g. the Go cataloger reads only ELF files among all executables.
   */
  sniff?(head: Buffer, file: FileMeta): boolean;
  /** Parse one file. Throwing a VigilError (or any error) records a warning; the scan goes on. */
  parse(file: FileSource, ctx: ParseContext): Promise<FileFacts>;
  /** After the merge: drop or adjust this cataloger's packages with the whole view in sight. */
  finalize?(found: FoundInFile[], view: CatalogView, ctx: ParseContext): FoundInFile[];
}
