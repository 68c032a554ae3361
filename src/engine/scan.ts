import type { Readable } from 'node:stream';
import { CATALOGERS } from '../catalog/index.js';
import { VigilError } from '../core/errors.js';
import type { Cataloger, ScanMode } from '../catalog/types.js';
import type { Artifact, ImageRunConfig, Inventory, LayerInfo } from '../core/types.js';
import type { Analyzer, AnalyzedRecord } from './analyzer.js';
import type { OciImageConfig, ResolvedImage } from '../image/types.js';
import type { LayerFacts } from './collect.js';
import { SpoolDir } from './file-source.js';
import { assemble, type OwnedFile } from './merge.js';
import { readDirectory, type ReadDirOptions } from './read-dir.js';
import { DEFAULT_LIMITS, readLayer, type LayerLimits } from './read-layer.js';

export interface ProgressEvent {
  phase: 'layer-start' | 'layer-done' | 'walk-done';
  layer?: number;
  layers?: number;
  entries?: number;
}

export interface ScanOptions {
  catalogers?: readonly Cataloger[];
  limits?: Partial<LayerLimits>;
  /** Layers read at once (decompression runs on libuv's threads, so 2-3 helps). */
  concurrency?: number;
  onProgress?: (e: ProgressEvent) => void;
}

export interface ImageScanOptions extends ScanOptions {
  /** Non-package facts gathered in the same pass over the layers (see analyzer.ts). */
  analyzers?: readonly Analyzer[];
}

/** What the analyzers found in the final image (whiteouts applied), beside the inventory. */
export interface ImageAnalysis {
  /** Every entry some analyzer wanted, by path, in its final version. */
  files: ReadonlyMap<string, AnalyzedRecord>;
  /** The OS package (dpkg/apk/rpm) that installed a path, and the layer of the list that says so. */
  ownerOf(path: string): OwnedFile | undefined;
  /** Layer blobs opened during the scan (one per layer: everything is read in one pass). */
  layersStreamed: number;
}

/**
 * Each non-empty history entry belongs to the next layer, in order. The config is untrusted
 * JSON that was only checked for rootfs.diff_ids: anything of the wrong shape is ignored.
 */
export function layerHistory(config: OciImageConfig, count: number): Array<string | undefined> {
  const out: Array<string | undefined> = [];
  const history: unknown = config.history;
  for (const h of Array.isArray(history) ? (history as unknown[]) : []) {
    if (!isRecord(h)) continue;
    if (h.empty_layer === true) continue;
    out.push(typeof h.created_by === 'string' ? h.created_by : undefined);
  }
  return Array.from({ length: count }, (_, i) => out[i]);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined);

export function runConfigOf(config: OciImageConfig): ImageRunConfig {
  const c: unknown = config.config;
  const out: ImageRunConfig = {};
  if (!isRecord(c)) return out;
  if (typeof c.User === 'string') out.user = c.User;
  const env = strings(c.Env);
  if (env) out.env = env;
  const cmd = strings(c.Cmd);
  if (cmd) out.cmd = cmd;
  const entrypoint = strings(c.Entrypoint);
  if (entrypoint) out.entrypoint = entrypoint;
  if (typeof c.WorkingDir === 'string' && c.WorkingDir) out.workingDir = c.WorkingDir;
  if (isRecord(c.Labels)) {
    const labels = Object.entries(c.Labels).filter((e): e is [string, string] => typeof e[1] === 'string');
    out.labels = Object.fromEntries(labels);
  }
  if (isRecord(c.ExposedPorts)) out.exposedPorts = Object.keys(c.ExposedPorts);
  if (c.Healthcheck) out.healthcheck = c.Healthcheck;
  return out;
}

/** Inventory of an image: every layer streamed once, then merged. */
export async function scanImage(img: ResolvedImage, opts: ScanOptions = {}): Promise<Inventory> {
  return (await scanImageAnalyzed(img, opts)).inventory;
}

/** The inventory and the analyzers' findings of an image, from one pass over its layers. */
export async function scanImageAnalyzed(img: ResolvedImage, opts: ImageScanOptions = {}): Promise<{ inventory: Inventory; analysis: ImageAnalysis }> {
  const catalogers = opts.catalogers ?? CATALOGERS;
  const analyzers = opts.analyzers ?? [];
  let layersStreamed = 0;
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const ctx = { mode: 'image' as const };
  const spool = new SpoolDir();
  const results: LayerFacts[] = [];
  const total = img.layers.length;
  try {
    let next = 0;
    // The first failure ends the scan: the layers still being read are aborted rather than read
    // to their end (a corrupt small layer beside a large one was reported only after the large
    // one had been read whole), and the workers are awaited so nothing writes into the spool
    // directory while it is removed.
    let failure: { error: unknown } | undefined;
    const reading = new Set<Readable>();
    const worker = async (): Promise<void> => {
      while (next < total && !failure) {
        const layer = img.layers[next++]!;
        opts.onProgress?.({ phase: 'layer-start', layer: layer.index, layers: total });
        let blob: Readable | undefined;
        try {
          blob = await layer.open();
          layersStreamed++;
          if (failure) {
            blob.destroy();
            return;
          }
          reading.add(blob);
          const facts = await readLayer({ index: layer.index, blob, diffId: layer.diffId, where: `layer ${layer.index + 1}/${total} (${layer.digest.slice(0, 19)})` }, catalogers, ctx, spool, limits, analyzers);
          results.push(facts);
          opts.onProgress?.({ phase: 'layer-done', layer: layer.index, layers: total, entries: facts.entries });
        } catch (e) {
          if (!failure) {
            failure = { error: e };
            for (const other of reading) if (other !== blob) other.destroy(new VigilError('aborted', 'another layer failed'));
          }
          return;
        } finally {
          if (blob) reading.delete(blob);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(total, opts.concurrency ?? 3) }, worker));
    if (failure) throw failure.error;
  } finally {
    await spool.dispose();
  }
  const diffIds = img.layers.map((l) => l.diffId);
  const merged = assemble({ layers: results, catalogers, ctx, diffIds });
  const history = layerHistory(img.config, total);
  const layers: LayerInfo[] = img.layers.map((l, i) => {
    const info: LayerInfo = { digest: l.digest, diffId: l.diffId };
    if (history[i] !== undefined) info.createdBy = history[i];
    if (l.size !== undefined) info.size = l.size;
    return info;
  });
  const artifact: Artifact = {
    type: 'image',
    name: img.name,
    imageId: img.configDigest,
    layers,
    platform: img.platform,
    repoTags: img.repoTags,
    repoDigests: img.repoDigests,
    config: runConfigOf(img.config),
  };
  if (img.manifestDigest) artifact.digest = img.manifestDigest;
  if (merged.os) artifact.os = merged.os;
  const analysis: ImageAnalysis = {
    files: merged.analyzed,
    ownerOf: (path) => merged.ownedFiles.get(merged.canonical(path)),
    layersStreamed,
  };
  return { inventory: { artifact, packages: merged.packages, warnings: merged.warnings }, analysis };
}

export const HOST_SKIP_DIRS = ['/proc', '/sys', '/dev', '/run', '/var/run', '/tmp', '/var/lib/containers', '/var/lib/docker', '/var/lib/containerd', '/var/lib/kubelet/pods'];

/** Inventory of an unpacked root filesystem or of a host. */
export async function scanDirectory(root: string, mode: Exclude<ScanMode, 'image'>, opts: ScanOptions & ReadDirOptions = {}): Promise<Inventory> {
  const catalogers = opts.catalogers ?? CATALOGERS;
  const ctx = { mode };
  const skipDirs = opts.skipDirs ?? (mode === 'host' ? HOST_SKIP_DIRS : []);
  const facts = await readDirectory(root, catalogers, ctx, { ...opts, skipDirs });
  opts.onProgress?.({ phase: 'walk-done', entries: facts.entries });
  const merged = assemble({ layers: [facts], catalogers, ctx });
  const artifact: Artifact = { type: mode, name: root };
  if (merged.os) artifact.os = merged.os;
  return { artifact, packages: merged.packages, warnings: merged.warnings };
}
