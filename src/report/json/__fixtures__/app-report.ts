/**
 * A realistic ScanReport for reporter tests, built at test time from the shared `app` image
 * fixture: packages from `inventory/app.json`, layers (diffIds, created_by) from the OCI layout's
 * manifest and config. Nothing is copied into the repo, so the fixture cannot drift.
 *
 * The findings and licenses are SYNTHETIC (the inventory carries neither): findings follow the
 * README's cross-reference table (apt, openssl, perl …) plus an npm one, with text chosen to
 * stress the formats (commas, quotes, a newline, a formula-looking title).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { purlFor } from '../../../catalog/purl.js';
import type { Artifact, OsInfo, Package, PackageType } from '../../../core/types.js';
import { countSeverities } from '../canonical.js';
import type { Finding, ScanReport } from '../../types.js';

const here = dirname(fileURLToPath(import.meta.url));
export const SHARED_IMAGES = resolve(here, '../../../../../shared/fixtures/images');

interface InventoryPackage {
  type: PackageType;
  name: string;
  version: string;
  layerIndex: number;
  arch?: string;
  sourceName?: string;
  sourceVersion?: string;
  paths: string[];
  dpkgOwned?: boolean;
}

interface Inventory {
  osFamily: string;
  osVersion: string;
  packages: InventoryPackage[];
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

function blob(digest: string): string {
  return join(SHARED_IMAGES, 'oci/blobs', ...digest.split(':'));
}

/** Layers of a tag from the OCI layout: manifest digests + config diffIds + non-empty history. */
function ociLayers(tag: string): { digest: string; layers: NonNullable<Artifact['layers']>; imageId: string } {
  const index = readJson<{ manifests: Array<{ digest: string; annotations?: Record<string, string> }> }>(
    join(SHARED_IMAGES, 'oci/index.json'),
  );
  const desc = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (!desc) throw new Error(`no tag ${tag} in the OCI fixture`);
  const manifest = readJson<{ config: { digest: string }; layers: Array<{ digest: string; size: number }> }>(blob(desc.digest));
  const config = readJson<{
    rootfs: { diff_ids: string[] };
    history?: Array<{ created_by?: string; empty_layer?: boolean }>;
  }>(blob(manifest.config.digest));
  const history = (config.history ?? []).filter((h) => !h.empty_layer);
  return {
    digest: desc.digest,
    imageId: manifest.config.digest,
    layers: config.rootfs.diff_ids.map((diffId, i) => ({
      digest: manifest.layers[i]!.digest,
      diffId,
      createdBy: history[i]?.created_by,
      size: manifest.layers[i]!.size,
    })),
  };
}

/** Synthetic licenses: SPDX ids, a compound expression, and Debian shorthands that are not SPDX. */
const LICENSES: Record<string, string[]> = {
  'npm/lodash': ['MIT'],
  'npm/axios': ['MIT'],
  'npm/handlebars': ['MIT'],
  'pypi/requests': ['Apache-2.0'],
  'deb/adduser': ['GPL-2.0-or-later'],
  'deb/bash': ['GPL-3.0-or-later', 'BSD-4-Clause-UC'],
  'deb/libssl3': ['Apache-2.0 OR OpenSSL'],
  'deb/perl-base': ['GPL-1+', 'Artistic'],
  'maven/org.yaml:snakeyaml': ['Apache-2.0'],
};

export function appInventoryPackages(): Package[] {
  const inv = readJson<Inventory>(join(SHARED_IMAGES, 'inventory/app.json'));
  const os: OsInfo = { family: inv.osFamily, version: inv.osVersion, codename: 'bookworm' };
  const { layers } = ociLayers('app');
  const debNames = new Set(inv.packages.filter((p) => p.type === 'deb').map((p) => p.name));
  return inv.packages.map((p) => {
    const found = {
      name: p.name,
      version: p.version,
      type: p.type,
      ...(p.arch ? { arch: p.arch } : {}),
      ...(p.sourceName ? { sourceName: p.sourceName, sourceVersion: p.sourceVersion } : {}),
    };
    const pkg: Package = {
      ...found,
      purl: purlFor(found, os),
      layer: layers[p.layerIndex]!.diffId,
      locations: p.paths,
    };
    const licenses = LICENSES[`${p.type}/${p.name}`];
    if (licenses) pkg.licenses = licenses;
    if (p.dpkgOwned) {
      // Which deb owns it is not in the inventory; python3-<name> is Debian's naming.
      const owner = p.type === 'golang' ? 'age' : `python3-${p.name}`;
      pkg.ownedBy = { type: 'deb', name: debNames.has(owner) ? owner : 'python3' };
    }
    return pkg;
  });
}

function finding(
  pkg: Pick<Package, 'name' | 'version' | 'type' | 'layer'>,
  f: Partial<Finding> & Pick<Finding, 'id' | 'severity'>,
): Finding {
  return {
    aliases: [],
    package: { name: pkg.name, version: pkg.version, type: pkg.type },
    fixedVersion: null,
    status: 'affected',
    kev: false,
    epss: null,
    source: 'debian',
    ...(pkg.layer ? { layer: pkg.layer } : {}),
    ...f,
  };
}

export function appFindings(packages: Package[]): Finding[] {
  const pkg = (type: string, name: string): Package => {
    const p = packages.find((x) => x.type === type && x.name === name);
    if (!p) throw new Error(`fixture package ${type}/${name} missing`);
    return p;
  };
  return [
    finding(pkg('deb', 'apt'), {
      id: 'CVE-2026-109518',
      severity: 'medium',
      status: 'fixed',
      fixedVersion: '2.6.2',
      title: 'apt: "quoted" title, with a comma',
      link: 'https://security-tracker.debian.org/tracker/CVE-2026-109518',
    }),
    finding(pkg('deb', 'libssl3'), {
      id: 'CVE-2026-42767',
      severity: 'high',
      status: 'fixed',
      fixedVersion: '3.0.22-1~deb12u1',
      cvss: { score: 7.5, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' },
      epss: 0.0123,
      title: 'openssl: line one\nline two',
    }),
    finding(pkg('deb', 'openssl'), {
      id: 'CVE-2026-42767',
      severity: 'high',
      status: 'fixed',
      fixedVersion: '3.0.22-1~deb12u1',
      cvss: { score: 7.5, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' },
      epss: 0.0123,
    }),
    finding(pkg('deb', 'perl-base'), {
      id: 'CVE-2025-15649',
      severity: 'low',
      status: 'will_not_fix',
      title: '=HYPERLINK("http://example.invalid")',
    }),
    finding(pkg('deb', 'libpcre2-8-0'), { id: 'CVE-2026-103111', severity: 'negligible', status: 'fix_deferred' }),
    finding(pkg('npm', 'lodash'), {
      id: 'CVE-2020-8203',
      aliases: ['GHSA-p6mc-m468-83gw'],
      severity: 'critical',
      status: 'fixed',
      fixedVersion: '4.17.19',
      cvss: { score: 7.4, vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H' },
      kev: true,
      epss: 0.5,
      source: 'osv',
      title: 'Prototype Pollution in lodash',
      link: 'https://osv.dev/vulnerability/GHSA-p6mc-m468-83gw',
    }),
    finding(pkg('npm', 'minimist'), {
      id: 'GHSA-xvch-5gv4-984h',
      aliases: ['CVE-2021-44906', 'CVE-2021-44907-NOT-A-REAL-ALIAS'],
      severity: 'unknown',
      status: 'unknown',
      source: 'osv',
    }),
  ];
}

/** The `app` image as a scan report; `withFindings: false` gives the inventory-only report. */
export function appReport(options: { withFindings?: boolean } = {}): ScanReport {
  const { digest, imageId, layers } = ociLayers('app');
  const packages = appInventoryPackages();
  const vulnerabilities = options.withFindings === false ? [] : appFindings(packages);
  return {
    schemaVersion: 1,
    artifact: {
      type: 'image',
      name: 'oci:../shared/fixtures/images/oci:app',
      digest,
      imageId,
      os: { family: 'debian', version: '12', codename: 'bookworm', prettyName: 'Debian GNU/Linux 12 (bookworm)' },
      layers,
      platform: 'linux/amd64',
      config: { env: ['PATH=/usr/bin', 'API_TOKEN=must-not-leak'] },
    },
    db:
      options.withFindings === false
        ? null
        : { schemaVersion: 1, builtAt: '2026-11-28T00:00:00Z', sources: [{ name: 'debian', updatedAt: '2026-11-27T00:00:00Z' }] },
    packages,
    vulnerabilities,
    summary: countSeverities(vulnerabilities),
    warnings: [{ code: 'unreadable-file', message: 'skipped a corrupt METADATA', location: '/usr/lib/python3/x/METADATA' }],
  };
}

/** A tiny fully hand-made report whose every output is stable enough for golden files. */
export function smallReport(): ScanReport {
  const os: OsInfo = { family: 'debian', version: '12' };
  const diffId = 'sha256:' + 'a'.repeat(64);
  const mk = (type: PackageType, name: string, version: string, location: string, extra: Partial<Package> = {}): Package => {
    const found = { type, name, version, ...extra };
    return { ...found, purl: purlFor(found, os), layer: diffId, locations: [location] };
  };
  const packages = [
    mk('npm', 'left-pad', '1.3.0', '/app/node_modules/left-pad/package.json', { licenses: ['WTFPL'] }),
    mk('deb', 'libssl3', '3.0.11-1~deb12u2', '/var/lib/dpkg/status', {
      arch: 'amd64',
      sourceName: 'openssl',
      sourceVersion: '3.0.11-1~deb12u2',
      licenses: ['Apache-2.0'],
    }),
  ];
  const vulnerabilities = [
    finding(packages[1]!, {
      id: 'CVE-2024-0727',
      aliases: ['GHSA-9v9h-cgj8-h64p'],
      severity: 'medium',
      status: 'fixed',
      fixedVersion: '3.0.13-1~deb12u1',
      cvss: { score: 5.5, vector: 'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H' },
      title: 'openssl: denial of service via null dereference',
      link: 'https://security-tracker.debian.org/tracker/CVE-2024-0727',
    }),
  ];
  return {
    schemaVersion: 1,
    artifact: {
      type: 'image',
      name: 'registry.example.com/team/small:1.0',
      digest: 'sha256:' + 'b'.repeat(64),
      os,
      layers: [{ digest: 'sha256:' + 'c'.repeat(64), diffId, createdBy: 'COPY . /' }],
    },
    db: { schemaVersion: 1, builtAt: '2025-01-01T00:00:00Z', sources: [{ name: 'debian', updatedAt: '2025-01-01T00:00:00Z' }] },
    packages,
    vulnerabilities,
    summary: countSeverities(vulnerabilities),
    warnings: [],
  };
}

/**
 * A hand-made report with findings in every shape the formats must carry, small enough for
 * golden files: three layers with their `created_by`, findings from three layers and three
 * ecosystems, every severity, KEV and EPSS, a finding with no fix, a GHSA id with a CVE alias,
 * the same CVE in two packages, and one finding suppressed by VEX.
 */
export function findingsReport(): ScanReport {
  const os: OsInfo = { family: 'debian', version: '12', codename: 'bookworm' };
  const layer = (n: number): string => 'sha256:' + String(n).repeat(64);
  const mk = (type: PackageType, name: string, version: string, l: number, location: string, extra: Partial<Package> = {}): Package => {
    const found = { type, name, version, ...extra };
    return { ...found, purl: purlFor(found, os), layer: layer(l), locations: [location] };
  };
  const debian = { arch: 'amd64' };
  const packages = [
    mk('deb', 'zlib1g', '1:1.2.13.dfsg-1', 1, '/var/lib/dpkg/status', { ...debian, sourceName: 'zlib', sourceVersion: '1:1.2.13.dfsg-1' }),
    mk('deb', 'libssl3', '3.0.11-1~deb12u2', 1, '/var/lib/dpkg/status', { ...debian, sourceName: 'openssl', sourceVersion: '3.0.11-1~deb12u2' }),
    mk('deb', 'openssl', '3.0.11-1~deb12u2', 2, '/var/lib/dpkg/status', { ...debian }),
    mk('pypi', 'requests', '2.28.1', 2, '/usr/local/lib/python3.11/site-packages/requests-2.28.1.dist-info/METADATA'),
    mk('npm', 'lodash', '4.17.15', 3, '/app/node_modules/lodash/package.json'),
    mk('npm', 'minimist', '1.2.5', 3, '/app/node_modules/minimist/package.json'),
  ];
  const pkg = (name: string): Package => packages.find((p) => p.name === name)!;
  const openssl = {
    id: 'CVE-2024-0727',
    aliases: ['GHSA-9v9h-cgj8-h64p'],
    severity: 'medium' as const,
    status: 'fixed' as const,
    fixedVersion: '3.0.13-1~deb12u1',
    cvss: { score: 5.5, vector: 'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H' },
    epss: 0.00123,
    title: 'openssl: denial of service via null dereference in PKCS12 parsing',
    link: 'https://security-tracker.debian.org/tracker/CVE-2024-0727',
  };
  const vulnerabilities = [
    finding(pkg('zlib1g'), {
      id: 'CVE-2023-45853',
      severity: 'critical',
      status: 'will_not_fix',
      cvss: { score: 9.8, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' },
      epss: 0.0107,
      title: 'zlib: integer overflow in MiniZip zipOpenNewFileInZip4_6',
      link: 'https://security-tracker.debian.org/tracker/CVE-2023-45853',
    }),
    finding(pkg('libssl3'), openssl),
    finding(pkg('openssl'), openssl),
    finding(pkg('libssl3'), { id: 'CVE-2025-9230', severity: 'low', status: 'affected', title: 'openssl: out-of-bounds read in CMS' }),
    finding(pkg('requests'), {
      id: 'CVE-2023-32681',
      aliases: ['GHSA-j8r2-6x86-q33q', 'PYSEC-2023-74'],
      severity: 'medium',
      status: 'fixed',
      fixedVersion: '2.31.0',
      cvss: { score: 6.1, vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N' },
      epss: 0.0611,
      source: 'osv',
      title: 'Unintended leak of Proxy-Authorization header in requests',
      link: 'https://osv.dev/vulnerability/GHSA-j8r2-6x86-q33q',
    }),
    finding(pkg('lodash'), {
      id: 'CVE-2020-8203',
      aliases: ['GHSA-p6mc-m468-83gw'],
      severity: 'high',
      status: 'fixed',
      fixedVersion: '4.17.19',
      cvss: { score: 7.4, vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H' },
      kev: true,
      epss: 0.5,
      source: 'osv',
      title: 'Prototype Pollution in lodash',
      link: 'https://osv.dev/vulnerability/GHSA-p6mc-m468-83gw',
    }),
    finding(pkg('minimist'), {
      id: 'CVE-2021-44906',
      aliases: ['GHSA-xvch-5gv4-984h'],
      severity: 'critical',
      status: 'fixed',
      fixedVersion: '1.2.6',
      cvss: { score: 9.8, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' },
      source: 'osv',
      title: 'Prototype Pollution in minimist',
    }),
    finding(pkg('zlib1g'), { id: 'CVE-2018-25032', severity: 'negligible', status: 'fixed', fixedVersion: '1:1.2.11.dfsg-4' }),
    finding(pkg('minimist'), { id: 'GHSA-vh95-rmgr-6w4m', severity: 'unknown', status: 'unknown', source: 'osv' }),
  ];
  const suppressedFinding = finding(pkg('requests'), {
    id: 'CVE-2024-35195',
    aliases: ['GHSA-9wx4-h78v-vm56'],
    severity: 'medium',
    status: 'fixed',
    fixedVersion: '2.32.0',
    source: 'osv',
    title: 'Requests Session object does not verify requests after making first request with verify=False',
  });
  return {
    schemaVersion: 1,
    artifact: {
      type: 'image',
      name: 'registry.example.com/team/web:2.1',
      digest: 'sha256:' + 'd'.repeat(64),
      os,
      platform: 'linux/amd64',
      layers: [
        { digest: 'sha256:' + 'e'.repeat(64), diffId: layer(1), createdBy: '/bin/sh -c #(nop) ADD file:5d6b639e8b6bcc011 in / ' },
        { digest: 'sha256:' + 'f'.repeat(64), diffId: layer(2), createdBy: 'RUN /bin/sh -c apt-get update && apt-get install -y openssl python3-pip # buildkit' },
        { digest: 'sha256:' + '0'.repeat(64), diffId: layer(3), createdBy: 'COPY app/ /app/ # buildkit' },
      ],
    },
    db: { schemaVersion: 1, builtAt: '2025-01-01T00:00:00Z', sources: [{ name: 'debian', updatedAt: '2025-01-01T00:00:00Z' }] },
    packages,
    vulnerabilities,
    summary: countSeverities(vulnerabilities),
    warnings: [{ code: 'db-stale', message: 'the vulnerability DB is 9 days old' }],
    suppressed: [
      {
        finding: suppressedFinding,
        reason: 'vex',
        statement: {
          file: 'vex/requests.openvex.json',
          document: 'https://openvex.dev/docs/example/vex-requests-1',
          vulnerability: 'CVE-2024-35195',
          product: 'pkg:pypi/requests@2.28.1',
          status: 'not_affected',
          justification: 'vulnerable_code_not_in_execute_path',
          timestamp: '2024-06-01T12:00:00Z',
        },
      },
    ],
  };
}
