import type { ImageOptions, ResolvedImage } from './types.js';

export type { ImageOptions, ResolvedImage, LayerSource, OciImageConfig } from './types.js';

/**
 * Opens an image by reference (SPEC "Image references"):
 * `docker-archive:<file>`, `oci:<dir>[:<tag>]`, anything else from a registry.
 * Each source is loaded only when used, so a local scan never loads the HTTP stack.
 */
export async function openImage(ref: string, opts: ImageOptions = {}): Promise<ResolvedImage> {
  if (ref.startsWith('docker-archive:')) {
    const { openDockerArchive } = await import('./docker-archive/index.js');
    return openDockerArchive(ref, opts);
  }
  if (ref.startsWith('oci:')) {
    const { openOciLayout } = await import('./oci-layout/index.js');
    return openOciLayout(ref, opts);
  }
  const { openRegistryImage } = await import('./registry/index.js');
  return openRegistryImage(ref, opts);
}
