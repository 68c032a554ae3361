import { join } from 'node:path';
import { VigilError } from '../../core/errors.js';
import { readSmallFile, readVerified, verifiedStream } from '../blob-io.js';
import { parseDigest } from '../digest.js';
import { formatPlatform, layerCompression, parseConfig, parseManifest, parsePlatform, selectPlatform, type Descriptor } from '../manifest.js';
import type { ImageOptions, LayerSource, ResolvedImage } from '../types.js';

const REF_NAME = 'org.opencontainers.image.ref.name';

/** "oci:<dir>[:<tag>]" → dir and tag. A Windows-free world: the last ':' after the last '/' starts the tag. */
export function parseOciRef(ref: string): { dir: string; tag?: string } {
  const rest = ref.replace(/^oci:/, '');
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash && colon > 0) return { dir: rest.slice(0, colon), tag: rest.slice(colon + 1) };
  return { dir: rest };
}

function blobPath(dir: string, digest: string): string {
  const { algorithm, hex } = parseDigest(digest); // validated: no path tricks possible
  return join(dir, 'blobs', algorithm, hex);
}

/** Opens an image in an OCI image layout directory (https://github.com/opencontainers/image-spec/blob/main/image-layout.md). */
export async function openOciLayout(ref: string, opts: ImageOptions = {}): Promise<ResolvedImage> {
  const { dir, tag } = parseOciRef(ref);
  const where = `oci:${dir}`;
  const layoutRaw = await readSmallFile(join(dir, 'oci-layout'), where).catch((e: unknown) => {
    throw new VigilError('not-oci-layout', `${dir} is not an OCI image layout (no readable oci-layout file)`, { cause: e });
  });
  try {
    const layout = JSON.parse(layoutRaw.toString('utf8')) as { imageLayoutVersion?: unknown };
    if (typeof layout.imageLayoutVersion !== 'string') throw new Error('no imageLayoutVersion');
  } catch (e) {
    throw new VigilError('not-oci-layout', `${dir}/oci-layout is not valid`, { cause: e });
  }
  const index = parseManifest(await readSmallFile(join(dir, 'index.json'), where), undefined, `${where}/index.json`);
  if (index.kind !== 'index') throw new VigilError('bad-manifest', `${where}/index.json is not an image index`);

  let desc: Descriptor | undefined;
  if (tag) {
    desc = index.manifests.find((m) => m.annotations?.[REF_NAME] === tag);
    if (!desc) {
      const tags = index.manifests.map((m) => m.annotations?.[REF_NAME]).filter(Boolean);
      throw new VigilError('not-found', `${where}: no image tagged ${JSON.stringify(tag)} (tags: ${tags.join(', ') || 'none'})`);
    }
  } else if (index.manifests.length === 1) {
    desc = index.manifests[0];
  } else {
    const tags = index.manifests.map((m) => m.annotations?.[REF_NAME]).filter(Boolean);
    throw new VigilError('ambiguous-reference', `${where} holds ${index.manifests.length} images; name one as oci:${dir}:<tag> (tags: ${tags.join(', ')})`, { kind: 'usage' });
  }

  const platform = parsePlatform(opts.platform);
  // An index entry may point to a nested index (multi-platform image): select the platform.
  for (let depth = 0; depth < 4 && desc; depth++) {
    const raw = await readVerified(blobPath(dir, desc.digest), desc.digest, `${where} manifest ${desc.digest}`);
    const parsed = parseManifest(raw, desc.mediaType, `${where} manifest ${desc.digest}`);
    if (parsed.kind === 'index') {
      desc = selectPlatform(parsed.manifests, platform, where);
      continue;
    }
    const configRaw = await readVerified(blobPath(dir, parsed.config.digest), parsed.config.digest, `${where} config`);
    const config = parseConfig(configRaw, `${where} config`);
    const diffIds = config.rootfs!.diff_ids!;
    if (diffIds.length !== parsed.layers.length) {
      throw new VigilError('bad-manifest', `${where}: the manifest lists ${parsed.layers.length} layers but the config has ${diffIds.length} diff_ids`);
    }
    const manifestDigest = desc.digest;
    const layers: LayerSource[] = parsed.layers.map((l, index) => {
      layerCompression(l.mediaType || 'application/vnd.oci.image.layer.v1.tar+gzip');
      const src: LayerSource = {
        index,
        digest: l.digest,
        diffId: diffIds[index]!,
        mediaType: l.mediaType,
        open: async () => verifiedStream(blobPath(dir, l.digest), l.digest, `${where} layer ${l.digest}`),
      };
      if (l.size !== undefined) src.size = l.size;
      return src;
    });
    const name = tag ? `oci:${dir}:${tag}` : `oci:${dir}`;
    return {
      name,
      manifestDigest,
      configDigest: parsed.config.digest,
      config,
      layers,
      platform: formatPlatform({ os: config.os ?? platform.os, architecture: config.architecture ?? platform.architecture, ...(config.variant ? { variant: config.variant } : {}) }),
      repoTags: tag ? [tag] : [],
      repoDigests: [],
      close: async () => {},
    };
  }
  throw new VigilError('bad-manifest', `${where}: indexes nested too deeply`);
}
