import { PackageURL } from 'packageurl-js';
import type { Artifact } from '../../core/types.js';

/**
 * The purl of an image, per purl-spec's `oci` type: the name is the last path segment of the
 * repository (lowercase), the version is the manifest digest, and `repository_url`, `tag` and
 * `arch` are qualifiers. Only images with a digest have one: without it the purl would not pin
 * the image. Examples from the spec:
 *   pkg:oci/debian@sha256%3A244f…?arch=amd64&repository_url=docker.io/library/debian&tag=latest
 *   pkg:oci/hello-wasm@sha256%3A244f…?tag=v1
 */
export function ociPurl(a: Artifact): string | undefined {
  if (a.type !== 'image' || !a.digest) return undefined;
  const ref = parseImageName(a);
  if (!ref.name) return undefined;
  const qualifiers: Record<string, string> = {};
  const arch = a.platform?.split('/')[1];
  if (arch) qualifiers.arch = arch;
  if (ref.repositoryUrl) qualifiers.repository_url = ref.repositoryUrl;
  if (ref.tag) qualifiers.tag = ref.tag;
  return new PackageURL(
    'oci',
    undefined,
    ref.name.toLowerCase(),
    a.digest,
    Object.keys(qualifiers).length ? qualifiers : undefined,
    undefined,
  ).toString();
}

interface ImageName {
  name: string;
  repositoryUrl?: string;
  tag?: string;
}

/** Split the artifact's reference into repository and tag (SPEC "Image references"). */
export function parseImageName(a: Artifact): ImageName {
  const local = /^(docker-archive|oci):(.*)$/.exec(a.name);
  if (local) {
    // A local file has no repository; its own tags (docker save's RepoTags) name it best.
    const repoTag = a.repoTags?.[0];
    if (repoTag) {
      const { repository, tag } = splitTag(repoTag);
      return { name: lastSegment(repository), tag };
    }
    const path = local[2]!;
    if (local[1] === 'oci') {
      const m = /^(.*):([\w][\w.-]{0,127})$/.exec(path);
      if (m) return { name: lastSegment(m[2]!), tag: m[2] };
    }
    return { name: lastSegment(path).replace(/\.(tar|tar\.gz|tgz)$/, '') };
  }
  const { repository, tag } = splitTag(a.name);
  const parts = repository.split('/');
  const hasRegistry = parts.length > 1 && /[.:]|^localhost$/.test(parts[0]!);
  const path = hasRegistry ? parts.slice(1) : parts;
  const registry = hasRegistry ? parts[0]! : 'docker.io';
  if (!hasRegistry && path.length === 1) path.unshift('library');
  return { name: path[path.length - 1]!, repositoryUrl: `${registry}/${path.join('/')}`, tag };
}

function splitTag(ref: string): { repository: string; tag?: string } {
  const noDigest = ref.split('@')[0]!;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? { repository: noDigest.slice(0, colon), tag: noDigest.slice(colon + 1) } : { repository: noDigest };
}

function lastSegment(path: string): string {
  return path.replace(/\/+$/, '').split('/').pop() ?? path;
}
