import type { CatalogView, Cataloger, FoundInFile, FoundPackage, ParseContext } from '../catalog/types.js';
import { purlFor } from '../catalog/purl.js';
import { OS_PACKAGE_TYPES, type OsInfo, type Package, type PackageRef, type Warning } from '../core/types.js';
import type { FileRecord, LayerFacts } from './collect.js';
import { resolveInRoot } from './paths.js';
import type { AnalyzedRecord } from './analyzer.js';

/** A wanted file in the final image, with the versions of it that lower layers had (oldest first). */
interface ViewEntry {
  current: FileRecord;
  /** Contiguous versions of this path up to and including `current`. */
  history: FileRecord[];
}

export interface MergedView {
  files: Map<string, ViewEntry>;
  symlinks: Map<string, string>;
  /** The analyzers' entries in the final image (see analyzer.ts). */
  analyzed: Map<string, AnalyzedRecord>;
}

/** The paths a layer hides, as a tree of path segments. */
interface HideNode {
  children: Map<string, HideNode>;
  /** A whiteout: this path and everything under it. */
  whiteout: boolean;
  /** An opaque directory: everything strictly under it. */
  opaque: boolean;
}

function hideTree(whiteouts: readonly string[], opaqueDirs: readonly string[]): HideNode | undefined {
  if (!whiteouts.length && !opaqueDirs.length) return undefined;
  const root: HideNode = { children: new Map(), whiteout: false, opaque: false };
  const add = (path: string, flag: 'whiteout' | 'opaque'): void => {
    let node = root;
    for (const seg of path.split('/')) {
      if (seg === '') continue;
      let next = node.children.get(seg);
      if (!next) node.children.set(seg, (next = { children: new Map(), whiteout: false, opaque: false }));
      node = next;
    }
    node[flag] = true;
  };
  for (const p of whiteouts) add(p, 'whiteout');
  for (const d of opaqueDirs) add(d, 'opaque');
  return root;
}

function isHidden(key: string, tree: HideNode): boolean {
  const segs = key.split('/').filter((s) => s !== '');
  let node = tree;
  for (let i = 0; i < segs.length; i++) {
    if (node.opaque) return true; // segs[i] is strictly under an opaque directory
    const next = node.children.get(segs[i]!);
    if (!next) return false;
    if (next.whiteout) return true;
    node = next;
  }
  return false;
}

/**
 * Removes what a layer's whiteouts and opaque directories hide from the lower layers. Each key
 * walks a tree of the hidden paths once, so the cost is linear in the paths' length: a scan of
 * the whole map per whiteout was quadratic (100k whiteouts over 100k symlinks never finished).
 */
function deleteHidden<V>(map: Map<string, V>, tree: HideNode | undefined): void {
  if (!tree) return;
  for (const key of map.keys()) if (isHidden(key, tree)) map.delete(key);
}

/**
 * Applies layers in order, as an overlay filesystem does: a layer's whiteouts and opaque
 * directories remove what lower layers had, then its own files and links are laid on top.
 */
export function mergeLayers(layers: readonly LayerFacts[]): MergedView {
  const files = new Map<string, ViewEntry>();
  const symlinks = new Map<string, string>();
  const analyzed = new Map<string, AnalyzedRecord>();
  for (const layer of [...layers].sort((a, b) => a.index - b.index)) {
    const hidden = hideTree(layer.whiteouts, layer.opaqueDirs);
    deleteHidden(files, hidden);
    deleteHidden(symlinks, hidden);
    deleteHidden(analyzed, hidden);
    for (const [path, target] of layer.symlinks) {
      files.delete(path);
      analyzed.delete(path);
      symlinks.set(path, target);
    }
    for (const [path, rec] of layer.records) {
      symlinks.delete(path);
      // A file rewritten in this layer: the lower version's analysis is stale even when no analyzer wanted this one.
      if (!layer.analyzed.has(path)) analyzed.delete(path);
      const prev = files.get(path);
      files.set(path, { current: rec, history: prev ? [...prev.history, rec] : [rec] });
    }
    for (const [path, rec] of layer.analyzed) {
      symlinks.delete(path);
      analyzed.set(path, rec);
    }
  }
  return { files, symlinks, analyzed };
}

function samePackage(a: FoundPackage, b: FoundPackage): boolean {
  return a.type === b.type && a.name === b.name && a.version === b.version;
}

/**
 * The layer that introduced the installed version: walk back through the versions of the file
 * that reports the package while each still lists the same package at the same version.
 */
function introducedIn(entry: ViewEntry, cataloger: Cataloger, pkg: FoundPackage): number {
  let layer = entry.current.layer;
  for (let i = entry.history.length - 2; i >= 0; i--) {
    const older = entry.history[i]!;
    const res = older.results.find((r) => r.cataloger === cataloger);
    if (!res?.facts.packages?.some((p) => samePackage(p, pkg))) break;
    layer = older.layer;
  }
  return layer;
}

export interface AssembleInput {
  layers: readonly LayerFacts[];
  catalogers: readonly Cataloger[];
  ctx: ParseContext;
  /** diffIds by layer index (images only). */
  diffIds?: readonly string[];
}

export interface Assembled {
  os?: OsInfo;
  packages: Package[];
  warnings: Warning[];
  /** The analyzers' entries in the final image, by path. */
  analyzed: Map<string, AnalyzedRecord>;
  /** Files OS packages installed (canonical path → owner, and the layer of the list that says so). */
  ownedFiles: Map<string, OwnedFile>;
  /** Resolves a path through the image's symlinks (as `ownedFiles` keys are). */
  canonical(path: string): string;
}

export interface OwnedFile {
  owner: PackageRef;
  layer: number;
}

function pickOs(view: MergedView): OsInfo | undefined {
  let best: (OsInfo & { priority: number }) | undefined;
  let bestPath = '';
  for (const [path, { current }] of view.files) {
    for (const r of current.results) {
      const os = r.facts.os;
      if (!os) continue;
      const better = !best || os.priority > best.priority || (os.priority === best.priority && path.startsWith('/etc/') && !bestPath.startsWith('/etc/'));
      if (better) {
        best = os;
        bestPath = path;
      }
    }
  }
  if (!best) return undefined;
  const { priority: _p, ...os } = best;
  return os;
}

/** Merge every layer's facts into the final inventory. */
export function assemble(input: AssembleInput): Assembled {
  const view = mergeLayers(input.layers);
  const warnings: Warning[] = input.layers.flatMap((l) => l.warnings);
  const os = pickOs(view);
  const canonical = (p: string): string => resolveInRoot(p, view.symlinks) ?? p;

  // Files that OS packages installed, by canonical path.
  const owners = new Map<string, OwnedFile>();
  for (const { current } of view.files.values()) {
    for (const r of current.results) {
      for (const o of r.facts.owned ?? []) {
        for (const p of o.paths) owners.set(canonical(p), { owner: o.owner, layer: current.layer });
      }
    }
  }

  const catalogView: CatalogView = {
    has: (p) => view.files.has(p),
    paths: () => view.files.keys(),
  };

  type Acc = { pkg: Package; layerIndex: number };
  const byKey = new Map<string, Acc>();
  for (const cataloger of input.catalogers) {
    let found: FoundInFile[] = [];
    for (const [path, entry] of view.files) {
      for (const r of entry.current.results) {
        if (r.cataloger !== cataloger) continue;
        for (const pkg of r.facts.packages ?? []) found.push({ path, pkg });
        for (const w of r.facts.warnings ?? []) warnings.push({ ...w, location: w.location ?? path });
      }
    }
    if (cataloger.finalize) {
      try {
        found = cataloger.finalize(found, catalogView, input.ctx);
      } catch (e) {
        warnings.push({ code: 'finalize-failed', message: `${cataloger.name}: ${e instanceof Error ? e.message : String(e)}` });
      }
    }

    for (const { path, pkg } of found) {
      const entry = view.files.get(path);
      const layerIndex = entry ? introducedIn(entry, cataloger, pkg) : 0;
      const locations = pkg.locations?.length ? pkg.locations : [path];
      let ownedBy: PackageRef | undefined;
      if (!OS_PACKAGE_TYPES.has(pkg.type)) {
        for (const loc of locations) {
          const outer = loc.split('!')[0]!;
          const owner = owners.get(canonical(outer));
          if (owner) {
            ownedBy = owner.owner;
            break;
          }
        }
      }
      // One package per (type, name, version, owner): the same library in two places is one
      // package with two locations; an OS-owned copy and an application copy stay apart.
      const key = [pkg.type, pkg.name, pkg.version, pkg.arch ?? '', ownedBy ? `${ownedBy.type}/${ownedBy.name}` : ''].join('\0');
      const acc = byKey.get(key);
      if (acc) {
        for (const l of locations) if (!acc.pkg.locations.includes(l)) acc.pkg.locations.push(l);
        acc.layerIndex = Math.min(acc.layerIndex, layerIndex);
        continue;
      }
      const { locations: _l, ...rest } = pkg;
      const out: Package = { ...rest, purl: purlFor(pkg, os), locations: [...locations] };
      if (ownedBy) out.ownedBy = ownedBy;
      byKey.set(key, { pkg: out, layerIndex });
    }
  }

  const packages = [...byKey.values()].map(({ pkg, layerIndex }) => {
    const diffId = input.diffIds?.[layerIndex];
    if (diffId) pkg.layer = diffId;
    pkg.locations.sort();
    return pkg;
  });
  packages.sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name) || a.version.localeCompare(b.version) || (a.locations[0] ?? '').localeCompare(b.locations[0] ?? ''));
  const out: Assembled = { packages, warnings, analyzed: view.analyzed, ownedFiles: owners, canonical };
  if (os) out.os = os;
  return out;
}
