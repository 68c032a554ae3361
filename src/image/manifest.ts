import { VigilError } from '../core/errors.js';
import { parseDigest } from './digest.js';

export const MEDIA = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

export const MANIFEST_ACCEPT = [MEDIA.ociIndex, MEDIA.ociManifest, MEDIA.dockerList, MEDIA.dockerManifest].join(', ');

export type LayerCompression = 'gzip' | 'zstd' | 'none';

/** Layer media types Vigil reads, and how they are compressed. Anything else is refused. */
const LAYER_MEDIA: Record<string, LayerCompression> = {
  'application/vnd.oci.image.layer.v1.tar': 'none',
  'application/vnd.oci.image.layer.v1.tar+gzip': 'gzip',
  'application/vnd.oci.image.layer.v1.tar+zstd': 'zstd',
  'application/vnd.oci.image.layer.nondistributable.v1.tar': 'none',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip': 'gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd': 'zstd',
  'application/vnd.docker.image.rootfs.diff.tar': 'none',
  'application/vnd.docker.image.rootfs.diff.tar.gzip': 'gzip',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip': 'gzip',
  'application/vnd.docker.image.rootfs.diff.tar.zstd': 'zstd',
};

export function layerCompression(mediaType: string): LayerCompression {
  const c = LAYER_MEDIA[mediaType];
  if (!c) throw new VigilError('unknown-media-type', `unsupported layer media type ${JSON.stringify(mediaType)}`);
  return c;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size?: number;
  platform?: { os?: string; architecture?: string; variant?: string };
  annotations?: Record<string, string>;
}

export type ParsedManifest =
  | { kind: 'index'; mediaType: string; manifests: Descriptor[] }
  | { kind: 'manifest'; mediaType: string; config: Descriptor; layers: Descriptor[] };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function descriptor(v: unknown, where: string): Descriptor {
  if (!isObject(v) || typeof v.digest !== 'string') {
    throw new VigilError('bad-manifest', `${where}: a descriptor has no digest`);
  }
  parseDigest(v.digest);
  const d: Descriptor = { mediaType: typeof v.mediaType === 'string' ? v.mediaType : '', digest: v.digest };
  if (typeof v.size === 'number' && Number.isSafeInteger(v.size) && v.size >= 0) d.size = v.size;
  if (isObject(v.platform)) d.platform = v.platform as Descriptor['platform'];
  if (isObject(v.annotations)) d.annotations = v.annotations as Record<string, string>;
  return d;
}

/** Parse a manifest or an index, whatever its flavour (OCI or Docker schema 2). */
export function parseManifest(raw: Buffer | string, contentType: string | undefined, where: string): ParsedManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch {
    throw new VigilError('bad-manifest', `${where}: manifest is not valid JSON`);
  }
  if (!isObject(doc)) throw new VigilError('bad-manifest', `${where}: manifest is not a JSON object`);
  const ct = contentType?.split(';')[0]?.trim();
  const mediaType = (typeof doc.mediaType === 'string' && doc.mediaType) || ct || '';
  if (mediaType === MEDIA.dockerSchema1 || mediaType === MEDIA.dockerSchema1Signed || doc.schemaVersion === 1) {
    throw new VigilError('unsupported-manifest', `${where}: Docker schema 1 manifests are not supported (push the image again with a current client)`);
  }
  if (Array.isArray(doc.manifests) && (mediaType === MEDIA.ociIndex || mediaType === MEDIA.dockerList || mediaType === '')) {
    return {
      kind: 'index',
      mediaType: mediaType || MEDIA.ociIndex,
      manifests: doc.manifests.map((m, i) => descriptor(m, `${where} manifests[${i}]`)),
    };
  }
  if (isObject(doc.config) && Array.isArray(doc.layers) && (mediaType === MEDIA.ociManifest || mediaType === MEDIA.dockerManifest || mediaType === '')) {
    return {
      kind: 'manifest',
      mediaType: mediaType || MEDIA.ociManifest,
      config: descriptor(doc.config, `${where} config`),
      layers: doc.layers.map((l, i) => descriptor(l, `${where} layers[${i}]`)),
    };
  }
  throw new VigilError('unknown-media-type', `${where}: unsupported manifest media type ${JSON.stringify(mediaType)}`);
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export function parsePlatform(p: string | undefined): Platform {
  const s = p ?? 'linux/amd64';
  const parts = s.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((x) => !x)) {
    throw new VigilError('bad-platform', `--platform must look like os/arch[/variant], got ${JSON.stringify(s)}`, { kind: 'usage' });
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function formatPlatform(p: { os?: string; architecture?: string; variant?: string }): string {
  return [p.os ?? 'unknown', p.architecture ?? 'unknown', p.variant].filter(Boolean).join('/');
}

/** Pick the index entry for a platform; arm64 matches a missing variant or v8, as containerd does. */
export function selectPlatform(index: Descriptor[], want: Platform, where: string): Descriptor {
  const candidates = index.filter((d) => d.platform && d.platform.os === want.os && d.platform.architecture === want.architecture);
  const byVariant = (d: Descriptor): boolean => {
    const v = d.platform?.variant;
    if (!want.variant) return !v || (want.architecture === 'arm64' && v === 'v8');
    return v === want.variant || (!v && want.architecture === 'arm64' && want.variant === 'v8');
  };
  const hit = candidates.find(byVariant) ?? (want.variant ? undefined : candidates[0]);
  if (!hit) {
    const have = index
      .filter((d) => d.platform)
      .map((d) => formatPlatform(d.platform!))
      .join(', ');
    throw new VigilError('platform-not-found', `${where}: no image for platform ${formatPlatform(want)} (available: ${have || 'none'})`);
  }
  return hit;
}

export function parseConfig(raw: Buffer, where: string): import('./types.js').OciImageConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new VigilError('bad-config', `${where}: image config is not valid JSON`);
  }
  if (!isObject(doc)) throw new VigilError('bad-config', `${where}: image config is not a JSON object`);
  const rootfs = doc.rootfs;
  if (!isObject(rootfs) || !Array.isArray(rootfs.diff_ids) || !rootfs.diff_ids.every((d) => typeof d === 'string')) {
    throw new VigilError('bad-config', `${where}: image config has no rootfs.diff_ids`);
  }
  for (const d of rootfs.diff_ids as string[]) parseDigest(d);
  return doc as import('./types.js').OciImageConfig;
}
