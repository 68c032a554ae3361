import { VigilError } from '../../core/errors.js';
import { MANIFEST_ACCEPT, MEDIA, formatPlatform, layerCompression, parseConfig, parseManifest, parsePlatform, selectPlatform } from '../manifest.js';
import { familiarName, parseReference } from '../reference.js';
import type { ImageOptions, LayerSource, ResolvedImage } from '../types.js';
import { CONFIG_MAX_BYTES, MANIFEST_MAX_BYTES, RegistryClient, type RegistryClientOptions } from './client.js';

const MANIFEST_TYPES = new Set<string>([MEDIA.ociManifest, MEDIA.dockerManifest]);

/** Test-only tuning on top of the public options (shorter backoff). */
export type RegistryImageOptions = ImageOptions & Pick<RegistryClientOptions, 'retryBaseMs'>;

/**
 * Resolves a registry reference (`debian:12`, `host:5000/repo@sha256:…`) to an image whose
 * layers stream from the registry on demand. Manifest, config and layers are all verified
 * against their digests. The caller must `close()` the result.
 */
export async function openRegistryImage(ref: string, opts: RegistryImageOptions = {}): Promise<ResolvedImage> {
  const parsed = parseReference(ref);
  const want = parsePlatform(opts.platform);
  const client = new RegistryClient(parsed.registry, {
    insecure: opts.insecure,
    caFiles: opts.caFiles,
    ...(opts.caPems ? { caPems: opts.caPems } : {}),
    ...(opts.useProxy !== undefined ? { useProxy: opts.useProxy } : {}),
    ...(opts.plainHttp ? { plainHttp: true } : {}),
    username: opts.username,
    password: opts.password,
    timeoutMs: opts.timeoutMs,
    retries: opts.retries,
    retryBaseMs: opts.retryBaseMs,
  });
  try {
    const { registry, repository } = parsed;
    const name = familiarName(parsed);
    const top = await client.getManifest(repository, parsed.digest ?? parsed.tag ?? 'latest', MANIFEST_ACCEPT);
    let doc = parseManifest(top.body, top.contentType, name);
    let manifestDigest = top.digest;

    if (doc.kind === 'index') {
      const entry = selectPlatform(doc.manifests, want, name);
      if (entry.mediaType && !MANIFEST_TYPES.has(entry.mediaType)) {
        throw new VigilError('unknown-media-type', `${name}: the ${formatPlatform(entry.platform ?? {})} entry is ${JSON.stringify(entry.mediaType)}, not an image manifest`);
      }
      if (entry.size !== undefined && entry.size > MANIFEST_MAX_BYTES) {
        throw new VigilError('too-large', `${name}: platform manifest of ${entry.size} bytes is over the ${MANIFEST_MAX_BYTES}-byte limit`, { kind: 'registry' });
      }
      const child = await client.getManifest(repository, entry.digest, MANIFEST_ACCEPT);
      doc = parseManifest(child.body, child.contentType, `${name}@${entry.digest}`);
      if (doc.kind !== 'manifest') throw new VigilError('bad-manifest', `${name}: index entry ${entry.digest} is itself an index`);
      manifestDigest = child.digest;
    }

    const where = `${name}@${manifestDigest}`;
    if (doc.config.size !== undefined && doc.config.size > CONFIG_MAX_BYTES) {
      throw new VigilError('too-large', `${where}: config of ${doc.config.size} bytes is over the ${CONFIG_MAX_BYTES}-byte limit`, { kind: 'registry' });
    }
    const config = parseConfig(await client.getBlob(repository, doc.config.digest, CONFIG_MAX_BYTES), `${where} config`);
    const diffIds = config.rootfs?.diff_ids ?? [];
    if (diffIds.length !== doc.layers.length) {
      throw new VigilError('bad-manifest', `${where}: ${doc.layers.length} layers but ${diffIds.length} diff_ids in the config`);
    }
    // Refuse unknown layer types now, before anything is downloaded.
    for (const l of doc.layers) layerCompression(l.mediaType);

    const layers: LayerSource[] = doc.layers.map((l, index) => ({
      index,
      digest: l.digest,
      diffId: diffIds[index]!,
      mediaType: l.mediaType,
      ...(l.size !== undefined ? { size: l.size } : {}),
      open: () => client.openBlob(repository, l.digest, l.size),
    }));

    const base = familiarName({ registry, repository });
    return {
      name,
      manifestDigest,
      configDigest: doc.config.digest,
      config,
      layers,
      platform: formatPlatform({ os: config.os, architecture: config.architecture, variant: config.variant }),
      repoTags: parsed.tag !== undefined ? [`${base}:${parsed.tag}`] : [],
      // Like docker: the digest one pulls by, i.e. the index's when the tag names an index.
      repoDigests: [`${base}@${top.digest}`],
      close: () => client.close(),
    };
  } catch (e) {
    await client.close();
    throw e;
  }
}
