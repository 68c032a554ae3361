import type { Artifact } from '../core/types.js';
import { parsePurl } from './purl-match.js';

interface ImageRef {
  /** "docker.io", "registry.example.com:5000" */
  registry?: string;
  /** "library/debian", "team/web" */
  path?: string;
  tag?: string;
  digest?: string;
}

const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-f0-9]{32,}$/i;

/** `[host[:port]/]repo[:tag][@digest]`, Docker Hub shorthand expanded (SPEC "Image references"). */
export function parseImageRef(ref: string): ImageRef {
  if (DIGEST.test(ref)) return { digest: ref.toLowerCase() };
  const [rest, digest] = ref.split('@', 2) as [string, string | undefined];
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  const repo = colon > slash ? rest.slice(0, colon) : rest;
  const tag = colon > slash ? rest.slice(colon + 1) : undefined;
  const parts = repo.split('/');
  const hasRegistry = parts.length > 1 && /[.:]|^localhost$/.test(parts[0]!);
  const registry = hasRegistry ? parts.shift()! : 'docker.io';
  if (registry === 'docker.io' && parts.length === 1) parts.unshift('library');
  return { registry: registry.toLowerCase(), path: parts.join('/').toLowerCase(), tag, digest: digest?.toLowerCase() };
}

/** The names an image is known by: its reference, its repo tags and repo digests, its digests. */
function identities(a: Artifact): { refs: ImageRef[]; digests: Set<string> } {
  const digests = new Set([a.digest, a.imageId].filter((d): d is string => !!d).map((d) => d.toLowerCase()));
  const names = [...(a.repoTags ?? []), ...(a.repoDigests ?? [])];
  if (!/^(docker-archive|oci):/.test(a.name)) names.unshift(a.name);
  const refs = names.map(parseImageRef);
  for (const r of refs) if (r.digest) digests.add(r.digest);
  return { refs, digests };
}

/**
 * Does a VEX product `@id` name the scanned image? Accepted forms: `pkg:oci/<name>@<digest>`
 * (purl-spec; `repository_url` and `tag` qualifiers checked when given), `pkg:docker/<ns>/<name>@<tag|digest>`,
 * a plain reference (`registry.example.com/team/web:2.1`, `debian@sha256:…`), or a bare digest.
 * What the product leaves out (tag, digest) is not checked.
 */
export function productMatchesImage(id: string, a: Artifact): boolean {
  if (a.type !== 'image') return false;
  const { refs, digests } = identities(a);
  const purl = parsePurl(id);
  if (purl) {
    const q = purl.qualifiers ?? {};
    if (purl.type === 'oci') {
      if (purl.version) return digests.has(purl.version.toLowerCase());
      return refs.some(
        (r) =>
          r.path?.split('/').pop() === purl.name.toLowerCase() &&
          (!q.tag || q.tag === r.tag) &&
          (!q.repository_url || parseImageRef(q.repository_url).path === r.path),
      );
    }
    if (purl.type === 'docker') {
      const want = parseImageRef(
        `${q.repository_url ? `${q.repository_url.replace(/\/+$/, '')}/` : ''}${purl.namespace ? `${purl.namespace}/` : ''}${purl.name}`,
      );
      if (purl.version && DIGEST.test(purl.version)) return digests.has(purl.version.toLowerCase());
      return refs.some((r) => r.registry === want.registry && r.path === want.path && (!purl.version || purl.version === r.tag));
    }
    return false;
  }
  if (/\s/.test(id) || id === '') return false;
  const want = parseImageRef(id);
  if (want.digest) return digests.has(want.digest);
  return refs.some((r) => r.registry === want.registry && r.path === want.path && (!want.tag || want.tag === r.tag));
}
