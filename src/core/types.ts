/**
 * The inventory: what the catalogers found in an artifact. It is the hinge of the product:
 * `vigil sbom` prints it, the matcher takes it, and the server stores it per image digest.
 */

export const PACKAGE_TYPES = [
  'deb',
  'apk',
  'rpm',
  'npm',
  'pypi',
  'golang',
  'maven',
  'cargo',
  'gem',
  'composer',
  'nuget',
] as const;
export type PackageType = (typeof PACKAGE_TYPES)[number];

export const OS_PACKAGE_TYPES: ReadonlySet<PackageType> = new Set(['deb', 'apk', 'rpm']);

export interface OsInfo {
  /** os-release ID: debian, ubuntu, alpine, rhel, centos, rocky, almalinux, fedora, amzn, sles, opensuse-leap, ... */
  family: string;
  /** VERSION_ID (or the release file's version), e.g. "12", "3.15.4", "8.9" */
  version: string;
  /** VERSION_CODENAME where known (bookworm) */
  codename?: string;
  prettyName?: string;
}

/** A reference to an OS package, used to say who owns a file. */
export interface PackageRef {
  type: PackageType;
  name: string;
}

export interface Package {
  name: string;
  version: string;
  type: PackageType;
  /** OS packages: the source package (dpkg Source, apk origin, rpm SOURCERPM name). */
  sourceName?: string;
  sourceVersion?: string;
  arch?: string;
  licenses?: string[];
  purl: string;
  /** diffId of the layer that introduced this installed version (images only). */
  layer?: string;
  /** Absolute paths inside the artifact where the package was found. */
  locations: string[];
  /** Set when the package's files belong to an OS package: it is matched through OS data only. */
  ownedBy?: PackageRef;
  /** Ecosystem specifics kept for the SBOM and the matcher (e.g. go main module, maven groupId). */
  metadata?: Record<string, unknown>;
}

export interface Warning {
  code: string;
  message: string;
  location?: string;
}

export interface LayerInfo {
  digest?: string;
  diffId: string;
  createdBy?: string;
  size?: number;
}

export type ArtifactType = 'image' | 'rootfs' | 'host' | 'sbom';

export interface Artifact {
  type: ArtifactType;
  name: string;
  /** image: the manifest digest */
  digest?: string;
  /** image: the config digest (image ID) */
  imageId?: string;
  os?: OsInfo;
  layers?: LayerInfo[];
  platform?: string;
  repoTags?: string[];
  repoDigests?: string[];
  /** The image config (env, user, healthcheck...): compliance checks read it. */
  config?: ImageRunConfig;
}

export interface ImageRunConfig {
  user?: string;
  env?: string[];
  cmd?: string[];
  entrypoint?: string[];
  workingDir?: string;
  labels?: Record<string, string>;
  exposedPorts?: string[];
  healthcheck?: unknown;
}

export interface Inventory {
  artifact: Artifact;
  packages: Package[];
  warnings: Warning[];
}
