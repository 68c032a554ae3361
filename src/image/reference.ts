import { VigilError } from '../core/errors.js';
import { parseDigest } from './digest.js';

/**
 * A registry image reference, split and normalised the way Docker does it
 * (github.com/distribution/reference: grammar in reference.go, Docker Hub defaults in normalize.go).
 */
export interface ImageReference {
  /** Host[:port] to talk the Distribution API to; Docker Hub is `registry-1.docker.io`. */
  registry: string;
  /** Repository path, `library/` prefixed for Docker Hub official images. */
  repository: string;
  /** Tag; `latest` when the reference names neither a tag nor a digest. */
  tag?: string;
  /** `sha256:…`; when present it wins over the tag, as in docker and containerd. */
  digest?: string;
  /** The reference exactly as given. */
  original: string;
}

export const DOCKER_HUB_REGISTRY = 'registry-1.docker.io';
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);
const NAME_MAX = 255;

// reference.go: domain-component, path-component with its separators, tag.
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const IPV6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const DOMAIN_RE = new RegExp(`^(?:${DOMAIN_NAME}|${IPV6})(?::[0-9]+)?$`);
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[_.]|__|-+)[a-z0-9]+)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;

function bad(ref: string, why: string): VigilError {
  return new VigilError('bad-reference', `invalid image reference ${JSON.stringify(ref)}: ${why}`, { kind: 'usage' });
}

/** Docker's rule: the first path element is a registry when it has a dot, a colon, is `localhost` or has capitals. */
function looksLikeDomain(first: string): boolean {
  return first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase();
}

export function parseReference(ref: string): ImageReference {
  if (typeof ref !== 'string' || ref.length === 0) throw bad(String(ref), 'empty');
  if (/\s/.test(ref)) throw bad(ref, 'contains whitespace');

  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    try {
      parseDigest(digest);
    } catch (e) {
      throw new VigilError('bad-reference', `invalid image reference ${JSON.stringify(ref)}: bad digest ${JSON.stringify(digest)} (sha256:<64 hex> or sha512:<128 hex>)`, { kind: 'usage', cause: e });
    }
  }

  // The tag is after the last colon that follows the last slash (a colon before it is a port).
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) throw bad(ref, `bad tag ${JSON.stringify(tag)}`);
  }
  if (rest.length === 0) throw bad(ref, 'no repository name');

  let domain: string | undefined;
  let path = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0 && looksLikeDomain(rest.slice(0, slash))) {
    domain = rest.slice(0, slash);
    path = rest.slice(slash + 1);
    if (!DOMAIN_RE.test(domain)) throw bad(ref, `bad registry host ${JSON.stringify(domain)}`);
  }
  if (path.length === 0) throw bad(ref, 'no repository name');
  if (path !== path.toLowerCase()) throw bad(ref, 'repository name must be lowercase');
  for (const component of path.split('/')) {
    if (!PATH_COMPONENT_RE.test(component)) throw bad(ref, `bad repository path component ${JSON.stringify(component)}`);
  }

  let registry: string;
  if (domain === undefined || DOCKER_HUB_ALIASES.has(domain.toLowerCase())) {
    registry = DOCKER_HUB_REGISTRY;
    if (!path.includes('/')) path = `library/${path}`;
  } else {
    registry = domain.toLowerCase();
  }
  // The limit applies to the name as written, like reference.go's NameTotalLengthMax.
  if ((domain ? domain.length + 1 : 0) + path.length > NAME_MAX) throw bad(ref, `name longer than ${NAME_MAX} characters`);

  const out: ImageReference = { registry, repository: path, original: ref };
  if (tag !== undefined) out.tag = tag;
  if (digest !== undefined) out.digest = digest;
  if (tag === undefined && digest === undefined) out.tag = 'latest';
  return out;
}

/** `registry/repository[:tag][@digest]`, e.g. `registry-1.docker.io/library/debian:12`. */
export function formatReference(ref: Pick<ImageReference, 'registry' | 'repository' | 'tag' | 'digest'>): string {
  return `${ref.registry}/${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** Parses and returns the normalised form of a reference string. */
export function normalizeReference(ref: string): string {
  return formatReference(parseReference(ref));
}

/** The short form people type (`debian:12`, `quay.io/x/y:1`), as `docker images` shows names. */
export function familiarName(ref: Pick<ImageReference, 'registry' | 'repository' | 'tag' | 'digest'>): string {
  let name = `${ref.registry}/${ref.repository}`;
  if (ref.registry === DOCKER_HUB_REGISTRY) {
    name = ref.repository.startsWith('library/') && ref.repository.split('/').length === 2 ? ref.repository.slice('library/'.length) : ref.repository;
  }
  return `${name}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}
