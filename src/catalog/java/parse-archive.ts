import { describeError, VigilError } from '../../core/errors.js';
import type { Warning } from '../../core/types.js';
import type { FileFacts, FoundPackage } from '../types.js';
import type { RandomAccess } from '../shared/elf.js';
import { coordinatesFromFileName, coordinatesFromManifest, parseManifest, type MavenCoordinates } from './parse-manifest.js';
import { parseProperties } from './parse-properties.js';
import { bufferAccess, sliceSource } from './random-access.js';
import type { ZipArchive, ZipEntry } from './zip.js';

/** Java archive kinds, all zip files (jar, web, enterprise, Jenkins plugin, JBoss, NiFi). */
export const ARCHIVE_EXTENSIONS = ['jar', 'war', 'ear', 'jpi', 'hpi', 'par', 'sar', 'nar'] as const;
const ARCHIVE_RE = new RegExp(`\\.(?:${ARCHIVE_EXTENSIONS.join('|')})$`, 'i');
const POM_RE = /(?:^|\/)META-INF\/maven\/([^/]+)\/([^/]+)\/pom\.properties$/;

export function isJavaArchiveName(name: string): boolean {
  return ARCHIVE_RE.test(name);
}

export interface ArchiveLimits {
  /** Nesting depth below the scanned file (a jar in a war in an ear is depth 2). */
  maxDepth: number;
  /** Entries listed per archive, and over the whole tree. */
  maxEntries: number;
  maxTotalEntries: number;
  /** Nested archives opened per scanned file. */
  maxArchives: number;
  /** pom.properties / MANIFEST.MF size. */
  maxTextBytes: number;
  /** A compressed nested archive is inflated into memory up to this size… */
  maxNestedBytes: number;
  /** …while all inflated archives held at once (the chain of parents) stay under this… */
  maxHeldBytes: number;
  /** …and all inflation for one scanned file stays under this (time bound). */
  maxInflatedBytes: number;
}

export const DEFAULT_LIMITS: ArchiveLimits = {
  maxDepth: 8,
  maxEntries: 200_000,
  maxTotalEntries: 1_000_000,
  maxArchives: 5_000,
  maxTextBytes: 1024 * 1024,
  maxNestedBytes: 128 * 1024 * 1024,
  maxHeldBytes: 256 * 1024 * 1024,
  maxInflatedBytes: 1024 * 1024 * 1024,
};

interface WalkState {
  limits: ArchiveLimits;
  packages: FoundPackage[];
  warnings: Warning[];
  seen: Set<string>;
  archives: number;
  entries: number;
  held: number;
  inflated: number;
  /** Warning codes already given once for the whole tree. */
  once: Set<string>;
}

function warn(state: WalkState, code: string, message: string, location: string, once = false): void {
  if (once) {
    if (state.once.has(code)) return;
    state.once.add(code);
  }
  if (state.warnings.length < 100) state.warnings.push({ code, message, location });
}

function addPackage(state: WalkState, c: MavenCoordinates, location: string, metadata: Record<string, unknown>): void {
  const name = c.groupId ? `${c.groupId}:${c.artifactId}` : c.artifactId;
  const key = `${name}@${c.version}@${location}`;
  if (state.seen.has(key)) return;
  state.seen.add(key);
  state.packages.push({
    name,
    version: c.version,
    type: 'maven',
    locations: [location],
    metadata: { ...metadata, ...(c.groupId ? { groupId: c.groupId } : {}), artifactId: c.artifactId },
  });
}

async function readText(zip: ZipArchive, entry: ZipEntry, state: WalkState): Promise<string> {
  return (await zip.readEntry(entry, state.limits.maxTextBytes)).toString('utf8');
}

async function identify(zip: ZipArchive, location: string, fileName: string, state: WalkState): Promise<void> {
  let fromPom = 0;
  for (const entry of zip.entries) {
    const m = POM_RE.exec(entry.name);
    if (!m || entry.isDirectory) continue;
    try {
      const props = parseProperties(await readText(zip, entry, state));
      const groupId = props.get('groupId')?.trim() || m[1]!;
      const artifactId = props.get('artifactId')?.trim() || m[2]!;
      const version = props.get('version')?.trim();
      if (!version) {
        warn(state, 'java-pom-properties-no-version', `${entry.name} has no version`, location);
        continue;
      }
      addPackage(state, { groupId, artifactId, version }, location, { evidence: 'pom.properties', pomPath: entry.name });
      fromPom++;
    } catch (e) {
      warn(state, 'java-archive-entry-unreadable', `${entry.name}: ${describeError(e)}`, location);
    }
  }
  if (fromPom > 0) return;

  const manifestEntry = zip.entries.find((e) => e.name.toUpperCase() === 'META-INF/MANIFEST.MF');
  if (manifestEntry) {
    try {
      const attrs = parseManifest(await readText(zip, manifestEntry, state));
      const c = coordinatesFromManifest(attrs);
      if (c) {
        addPackage(state, c, location, { evidence: 'manifest' });
        return;
      }
    } catch (e) {
      warn(state, 'java-archive-entry-unreadable', `${manifestEntry.name}: ${describeError(e)}`, location);
    }
  }
  const c = coordinatesFromFileName(fileName);
  if (c) addPackage(state, c, location, { evidence: 'filename' });
}

async function walk(src: RandomAccess, location: string, fileName: string, depth: number, state: WalkState): Promise<void> {
  const remaining = Math.min(state.limits.maxEntries, state.limits.maxTotalEntries - state.entries);
  if (remaining <= 0) {
    warn(state, 'java-archive-too-many-entries', 'entry limit reached; remaining nested archives skipped', location, true);
    return;
  }
  const { openZip } = await import('./zip.js'); // yauzl only when an image has archives
  const zip = await openZip(src, remaining);
  try {
    state.entries += zip.entries.length;
    if (zip.truncated) warn(state, 'java-archive-too-many-entries', `only the first ${zip.entries.length} entries were read`, location);
    const bad = zip.entries.filter((e) => e.badName).length;
    if (bad) warn(state, 'java-archive-name-encoding', `${bad} entry name(s) are not valid UTF-8 (read as Latin-1)`, location);

    await identify(zip, location, fileName, state);

    for (const entry of zip.entries) {
      if (entry.isDirectory || !isJavaArchiveName(entry.name)) continue;
      const child = `${location}!/${entry.name}`;
      if (depth + 1 > state.limits.maxDepth) {
        warn(state, 'java-archive-too-deep', `archives nested deeper than ${state.limits.maxDepth} levels were skipped`, child, true);
        continue;
      }
      if (state.archives >= state.limits.maxArchives) {
        warn(state, 'java-archive-too-many-nested', `more than ${state.limits.maxArchives} nested archives; the rest were skipped`, child, true);
        break;
      }
      state.archives++;
      await walkNested(zip, src, entry, child, depth + 1, state);
    }
  } finally {
    zip.close();
  }
}

async function walkNested(zip: ZipArchive, parent: RandomAccess, entry: ZipEntry, location: string, depth: number, state: WalkState): Promise<void> {
  const { limits } = state;
  try {
    if (entry.compressionMethod === 0 && !entry.encrypted) {
      // Stored (Spring Boot's BOOT-INF/lib, most ears): a window onto the parent, no copy.
      const start = await zip.dataStart(entry);
      if (start + entry.compressedSize > parent.size) throw new VigilError('java-archive-corrupt', 'entry data past the end of its archive');
      await walk(sliceSource(parent, start, entry.compressedSize), location, entry.name, depth, state);
      return;
    }
    const size = entry.uncompressedSize;
    if (size > limits.maxNestedBytes || state.held + size > limits.maxHeldBytes || state.inflated + size > limits.maxInflatedBytes) {
      warn(state, 'java-archive-too-large', `nested archive of ${size} bytes (uncompressed) skipped: size limit`, location);
      return;
    }
    const budget = Math.min(limits.maxNestedBytes, limits.maxHeldBytes - state.held, limits.maxInflatedBytes - state.inflated);
    const buf = await zip.readEntry(entry, budget);
    state.inflated += buf.length;
    state.held += buf.length;
    try {
      await walk(bufferAccess(buf), location, entry.name, depth, state);
    } finally {
      state.held -= buf.length;
    }
  } catch (e) {
    const code = e instanceof VigilError ? e.code : 'java-archive-corrupt';
    warn(state, code, `nested archive unreadable: ${describeError(e)}`, location);
  }
}

/**
 * Packages in one Java archive and every archive nested in it. A corrupt top-level archive throws
 * (the engine records it as a warning); a corrupt nested one is a warning and the rest goes on.
 */
export async function catalogJavaArchive(src: RandomAccess, location: string, limits: Partial<ArchiveLimits> = {}): Promise<FileFacts> {
  const state: WalkState = {
    limits: { ...DEFAULT_LIMITS, ...limits },
    packages: [],
    warnings: [],
    seen: new Set(),
    archives: 0,
    entries: 0,
    held: 0,
    inflated: 0,
    once: new Set(),
  };
  await walk(src, location, location, 0, state);
  const facts: FileFacts = { packages: state.packages };
  if (state.warnings.length) facts.warnings = state.warnings;
  return facts;
}
