/** The shapes of the controller's answers the console reads (see /api/openapi.json). */

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'negligible', 'unknown'] as const;
export type Severity = (typeof SEVERITIES)[number];

// A type alias, not an interface: it must be assignable to Record<string, number>.
export type Summary = {
  critical: number;
  high: number;
  medium: number;
  low: number;
  negligible: number;
  unknown: number;
  total: number;
  fixable: number;
};

export type Schedule = { kind: 'manual' } | { kind: 'interval'; minutes: number } | { kind: 'cron'; expression: string };

export const REGISTRY_TYPES = ['docker-v2', 'harbor', 'gitlab', 'ghcr', 'nexus', 'jfrog', 'ecr', 'gcr', 'acr'] as const;
export type RegistryType = (typeof REGISTRY_TYPES)[number];

export interface Registry {
  id: string;
  name: string;
  type: RegistryType;
  url: string;
  username: string | null;
  hasPassword: boolean;
  filters: string[];
  schedule: Schedule;
  rescanAfterDbUpdate: boolean;
  layeredScan: boolean;
  repoLimit: number | null;
  tagLimit: number | null;
  useProxy: boolean;
  insecure: boolean;
  caPem: string | null;
  scanConcurrency: number;
  lastCrawl: { at: string | null; status: string | null; error: string | null };
  createdAt: string;
  updatedAt: string;
}

export interface RegistryInput {
  name: string;
  type: RegistryType;
  url: string;
  username?: string | null;
  password?: string | null;
  filters: string[];
  schedule: { kind: Schedule['kind']; minutes?: number; expression?: string };
  rescanAfterDbUpdate: boolean;
  layeredScan: boolean;
  insecure: boolean;
}

export interface TestResult {
  ok: boolean;
  status: number;
  message: string;
  repositories?: string[];
}

export interface CrawlResult {
  repositories: number;
  tags: number;
  queued: number;
  changed: number;
  removed: number;
  errors: string[];
  ms: number;
}

export interface TagRow {
  repository: string;
  tag: string;
  digest: string;
  firstSeen: string;
  lastSeen: string;
  os: string | null;
  packages: number | null;
  scannedAt: string | null;
  matchedAt: string | null;
  summary: Partial<Summary> | null;
  state: string;
  error: string | null;
}

export interface ImageTag {
  registryId: string;
  repository: string;
  tag: string;
}

export interface Image {
  digest: string;
  manifestDigest: string | null;
  configDigest: string;
  platform: string;
  os: string | null;
  packages: number;
  scannedAt: string;
  scanMs: number;
  tags: ImageTag[];
  summary: Summary | null;
  dbBuiltAt: string | null;
  matchedAt: string | null;
}

export interface Finding {
  id: string;
  aliases: string[];
  package: { name: string; version: string; type: string };
  fixedVersion: string | null;
  status: string;
  severity: Severity;
  cvss: { score: number; vector: string } | null;
  kev: boolean;
  epss: number | null;
  source: string;
  layer: string | null;
  title?: string;
  link?: string;
  description?: string;
  published?: string;
  modified?: string;
}

export interface ImageReport {
  vulnerabilities: Finding[];
  summary?: Partial<Summary>;
  warnings?: unknown[];
}

export interface Layer {
  index: number;
  diffId: string;
  digest: string | null;
  createdBy: string | null;
  size: number | null;
  packages: Array<{ name: string; version: string; type: string }>;
  vulnerabilities: Finding[];
  summary: Record<string, number>;
}

export interface DbStatus {
  path: string;
  installed: boolean;
  schemaVersion: number | null;
  builtAt: string | null;
  ageDays: number | null;
  stale: boolean;
  sources: Array<{ name: string; records: number; updatedAt: string }>;
  error: string | null;
  images: number;
}

export interface DbUpdateResult {
  changed: boolean;
  builtAt: string | null;
  rematched: number;
  ms: number;
  message: string;
}

export type Role = 'admin' | 'reader' | 'ci';

export interface User {
  id: string;
  username: string;
  role: Role;
  lockedUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

export type TokenScope = 'read' | 'scan' | 'write' | 'admin';

export interface TokenInfo {
  id: string;
  name: string;
  username: string;
  scopes: TokenScope[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

export interface ScanJob {
  id: string;
  status: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  reference: string;
  registryId: string | null;
}

// ---- Security Risks and run-time assets (issue 6) ----

export type PolicyMode = 'discover' | 'monitor' | 'protect';
export type Protection = 'unaffected' | 'protected' | 'unprotected';

export interface ImpactCounts {
  images: number;
  nodes: number;
  containers: number;
  platforms: number;
}

export interface ProtectionCounts {
  unaffected: number;
  protected: number;
  unprotected: number;
  state?: Protection | 'none';
}

export interface VulnRow {
  id: string;
  severity: Severity;
  score: number | null;
  cvss2: number | null;
  cvss3: number | null;
  published: string | null;
  fixAvailable: boolean;
  kev: boolean;
  epss: number | null;
  title: string | null;
  description: string | null;
  link: string | null;
  aliases: string[];
  packages: string[];
  impact: ImpactCounts;
  protection: ProtectionCounts;
  accepted: 'global' | 'partial' | null;
}

export interface PackageHit {
  name: string;
  type: string;
  installed: string;
  fixed: string | null;
}

export interface Acceptance {
  id: string;
  vulnerability: string;
  scope: 'global' | 'image' | 'namespace';
  image: string | null;
  namespace: string | null;
  comment: string;
  expiresAt: string | null;
  active: boolean;
  createdBy: string | null;
  createdAt: string;
}

export interface VulnDetail extends VulnRow {
  remediation: string;
  acceptances: Acceptance[];
  impact: ImpactCounts & {
    images: { total: number; items: Array<{ digest: string; names: string[]; os: string | null; containers: number; protection: Protection; accepted: boolean; packages: PackageHit[] }> };
    containers: {
      total: number;
      items: Array<{ id: string; name: string; namespace: string | null; service: string | null; group: string | null; policyMode: PolicyMode; protection: Protection; node: string | null; image: string | null; imageDigest: string; accepted: boolean; packages: PackageHit[] }>;
    };
    nodes: { total: number; items: Array<{ id: string; name: string; os: string | null; group: string; policyMode: PolicyMode; protection: Protection; packages: PackageHit[] }> };
    platforms: { total: number; items: Array<{ id: string; name: string; type: string; version: string | null; packages: PackageHit[] }> };
  };
}

export interface ComplianceRow {
  benchmark: string;
  id: string;
  title: string;
  type: string;
  profile: string;
  scored: boolean;
  remediation: string;
  tags: string[];
  impact: ImpactCounts;
  protection: ProtectionCounts;
}

export interface ComplianceDetail {
  benchmark: string;
  id: string;
  title: string;
  type: string;
  profile: string;
  scored: boolean;
  remediation: string;
  tags: string[];
  items: Array<{ kind: 'image' | 'container' | 'node' | 'platform'; id: string; name: string; level: string; policyMode: PolicyMode | null; namespace: string | null; evidence: string[] }>;
}

export interface Container {
  id: string;
  name: string;
  namespace: string | null;
  service: string | null;
  group: string | null;
  policyMode: PolicyMode;
  image: string | null;
  imageDigest: string | null;
  node: string | null;
  state: string;
  labels: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

export interface NodeAsset {
  id: string;
  name: string;
  os: string | null;
  kernel: string | null;
  address: string | null;
  platform: string | null;
  group: string;
  policyMode: PolicyMode;
  state: string;
  labels: Record<string, string>;
  summary: Record<string, number> | null;
  matchedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Platform {
  id: string;
  name: string;
  type: string;
  version: string | null;
  summary: Record<string, number> | null;
  matchedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ControllerAsset {
  id: string;
  name: string;
  node: string | null;
  version: string | null;
  leader: boolean;
  state: string;
  createdAt: string;
  updatedAt: string;
}

export interface EnforcerAsset {
  id: string;
  name: string;
  node: string | null;
  version: string | null;
  state: string;
  createdAt: string;
  updatedAt: string;
}

export interface Group {
  name: string;
  namespace: string | null;
  policyMode: PolicyMode;
  comment: string | null;
  members: { containers: number; nodes: number };
  createdAt: string;
  updatedAt: string;
}
