/**
 * Builds small (and deliberately broken) images at test time: OCI image layouts and
 * `docker save` archives written by hand, so every field can be wrong on purpose.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { makeTar, type TarEntry } from './tar.js';

export const sha256 = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
export const hexOf = (digest: string): string => digest.slice('sha256:'.length);

export const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  tar: 'application/vnd.oci.image.layer.v1.tar',
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
} as const;

/** A Debian-like base: os-release, a dpkg status with two packages, and an npm package. */
export const DPKG_STATUS = [
  'Package: base-files',
  'Status: install ok installed',
  'Priority: required',
  'Architecture: amd64',
  'Version: 12.4+deb12u5',
  '',
  'Package: libc6',
  'Status: install ok installed',
  'Architecture: amd64',
  'Source: glibc',
  'Version: 2.36-9+deb12u4',
  '',
].join('\n');

export const OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n';

export const NPM_PACKAGE = JSON.stringify({ name: 'left-pad', version: '1.3.0', license: 'MIT' });

export function baseEntries(): TarEntry[] {
  return [
    { name: 'etc/', type: 'dir' },
    { name: 'etc/os-release', data: OS_RELEASE },
    { name: 'var/lib/dpkg/status', data: DPKG_STATUS },
    { name: 'app/node_modules/left-pad/package.json', data: NPM_PACKAGE },
  ];
}

/** The packages `baseEntries()` yields, as "type/name@version". */
export const BASE_PACKAGES = ['deb/base-files@12.4+deb12u5', 'deb/libc6@2.36-9+deb12u4', 'npm/left-pad@1.3.0'];

export function zstd(data: Buffer): Buffer {
  const r = spawnSync('zstd', ['-q', '-c', '-3'], { input: data, maxBuffer: 256 * 1024 * 1024 });
  if (r.error || r.status !== 0) throw new Error(`the zstd command is needed for these tests (apt-get install zstd): ${r.error?.message ?? r.stderr.toString()}`);
  return r.stdout;
}

export type Compression = 'gzip' | 'zstd' | 'none';

export function compress(tar: Buffer, c: Compression): Buffer {
  if (c === 'gzip') return gzipSync(tar);
  if (c === 'zstd') return zstd(tar);
  return tar;
}

export interface LayerSpec {
  /** The uncompressed tar (its sha256 is the diffId unless `diffId` says otherwise). */
  tar: Buffer;
  compression?: Compression;
  /** The blob as stored, when it must not be `compress(tar)` (corrupt, truncated, a bomb). */
  blob?: Buffer;
  mediaType?: string;
  diffId?: string;
}

export interface OciSpec {
  layers: LayerSpec[];
  /** Changes the config before it is written (its digest follows the change). */
  config?: (c: Record<string, unknown>) => void;
  /** Changes the manifest before it is written. */
  manifest?: (m: Record<string, unknown>) => void;
  /** Replaces the whole index.json document. */
  index?: (manifestDesc: Record<string, unknown>) => unknown;
  /** The oci-layout file's content; null leaves it out. */
  layoutFile?: string | null;
}

export interface OciImage {
  dir: string;
  ref: string;
  manifestDigest: string;
  configDigest: string;
  layerDigests: string[];
  blobPath(digest: string): string;
}

async function writeBlob(dir: string, data: Buffer | string): Promise<string> {
  const digest = sha256(data);
  await writeFile(join(dir, 'blobs', 'sha256', hexOf(digest)), data);
  return digest;
}

/** Writes an OCI image layout: blobs, a config with the layers' diff_ids, a manifest and index.json. */
export async function writeOciLayout(dir: string, spec: OciSpec): Promise<OciImage> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  if (spec.layoutFile !== null) await writeFile(join(dir, 'oci-layout'), spec.layoutFile ?? JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const layerDescs: Array<Record<string, unknown>> = [];
  const diffIds: string[] = [];
  const layerDigests: string[] = [];
  for (const l of spec.layers) {
    const c = l.compression ?? 'gzip';
    const blob = l.blob ?? compress(l.tar, c);
    const digest = await writeBlob(dir, blob);
    layerDigests.push(digest);
    diffIds.push(l.diffId ?? sha256(l.tar));
    layerDescs.push({ mediaType: l.mediaType ?? (c === 'gzip' ? MEDIA.gzip : c === 'zstd' ? MEDIA.zstd : MEDIA.tar), digest, size: blob.length });
  }
  const config: Record<string, unknown> = {
    architecture: 'amd64',
    os: 'linux',
    config: { Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: spec.layers.map((_, i) => ({ created_by: `layer ${i}` })),
  };
  spec.config?.(config);
  const configRaw = JSON.stringify(config);
  const configDigest = await writeBlob(dir, configRaw);
  const manifest: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    config: { mediaType: MEDIA.config, digest: configDigest, size: configRaw.length },
    layers: layerDescs,
  };
  spec.manifest?.(manifest);
  const manifestRaw = JSON.stringify(manifest);
  const manifestDigest = await writeBlob(dir, manifestRaw);
  const desc = { mediaType: MEDIA.manifest, digest: manifestDigest, size: manifestRaw.length };
  const index = spec.index ? spec.index(desc) : { schemaVersion: 2, mediaType: MEDIA.index, manifests: [desc] };
  await writeFile(join(dir, 'index.json'), typeof index === 'string' ? index : JSON.stringify(index));
  return { dir, ref: `oci:${dir}`, manifestDigest, configDigest, layerDigests, blobPath: (d) => join(dir, 'blobs', 'sha256', hexOf(d)) };
}

/** Writes any JSON document as a blob of a layout and returns its descriptor fields. */
export async function addJsonBlob(dir: string, doc: unknown): Promise<{ digest: string; size: number }> {
  const raw = JSON.stringify(doc);
  return { digest: await writeBlob(dir, raw), size: raw.length };
}

export interface ArchiveSpec {
  layers: Buffer[];
  config?: (c: Record<string, unknown>) => void;
  /** Replaces manifest.json's content (a string is written as is). */
  manifest?: (m: Array<Record<string, unknown>>) => unknown;
  /** Extra members, written before the end marker. */
  extra?: TarEntry[];
}

/** A `docker save` archive (the OCI-era layout: blobs/sha256/<hex> plus manifest.json). */
export function makeDockerArchive(spec: ArchiveSpec): Buffer {
  const diffIds = spec.layers.map((l) => sha256(l));
  const config: Record<string, unknown> = { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: diffIds } };
  spec.config?.(config);
  const configRaw = JSON.stringify(config);
  const configName = `blobs/sha256/${hexOf(sha256(configRaw))}`;
  const layerNames = spec.layers.map((l) => `blobs/sha256/${hexOf(sha256(l))}`);
  const manifest: Array<Record<string, unknown>> = [{ Config: configName, RepoTags: ['hostile:latest'], Layers: [...layerNames] }];
  const m = spec.manifest ? spec.manifest(manifest) : manifest;
  const entries: TarEntry[] = [
    { name: 'blobs/', type: 'dir' },
    { name: 'blobs/sha256/', type: 'dir' },
    ...spec.layers.map((l, i) => ({ name: layerNames[i]!, data: l })),
    { name: configName, data: configRaw },
    ...(spec.extra ?? []),
    { name: 'manifest.json', data: typeof m === 'string' ? m : JSON.stringify(m) },
  ];
  return makeTar(entries);
}
