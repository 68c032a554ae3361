/** `vigil scan sbom <file>` (SPEC "CLI"): Vigil's own SBOMs round-trip; Trivy and syft SBOMs match by OS and source package. */
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FIXTURE_OCI } from '../helpers/registry.js';
import { runVigil as vigil } from '../helpers/cli.js';

const APP = `oci:${FIXTURE_OCI}:app`;
let tmp: string;

interface Pkg {
  name: string;
  version: string;
  type: string;
  purl: string;
  layer?: string;
  ownedBy?: { type: string; name: string };
  sourceName?: string;
  locations: string[];
}
interface Vuln {
  id: string;
  package: { name: string; version: string; type: string };
}
interface Report {
  artifact: { type: string; name: string; os?: { family: string; version: string } };
  packages: Pkg[];
  vulnerabilities: Vuln[];
  warnings: Array<{ code: string; message: string }>;
}

async function scanJson(args: string[]): Promise<Report> {
  const r = await vigil([...args, '--format', 'json', '-q']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Report;
}

const pkgKey = (p: Pkg) => [p.type, p.name, p.version, p.purl].join(' ');
const vulnKey = (v: Vuln) => [v.id, v.package.type, v.package.name, v.package.version].join(' ');
const sorted = (xs: string[]) => [...xs].sort();

let image: Report;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'vigil-scan-sbom-'));
  image = await scanJson(['scan', 'image', APP]);
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('round trip: vigil sbom → vigil scan sbom', () => {
  test('CycloneDX: the same packages (with layer, ownedBy, source) and the same findings as the image scan', async () => {
    const file = path.join(tmp, 'app.cdx.json');
    expect((await vigil(['sbom', APP, '-q', '-o', file])).code).toBe(0);
    const r = await scanJson(['scan', 'sbom', file]);
    expect(r.artifact).toMatchObject({ type: 'sbom', name: APP, os: { family: 'debian', version: '12' } });
    const full = (p: Pkg) => JSON.stringify([pkgKey(p), p.layer, p.ownedBy, p.sourceName, p.locations]);
    expect(sorted(r.packages.map(full))).toEqual(sorted(image.packages.map(full)));
    expect(image.vulnerabilities.length).toBeGreaterThan(50);
    expect(sorted(r.vulnerabilities.map(vulnKey))).toEqual(sorted(image.vulnerabilities.map(vulnKey)));
    expect(r.warnings).toEqual([]);
  });

  test('SPDX: the same packages, ownership (OS package CONTAINS language package) and the same findings', async () => {
    const file = path.join(tmp, 'app.spdx.json');
    expect((await vigil(['sbom', APP, '-q', '--format', 'spdx-json', '-o', file])).code).toBe(0);
    const r = await scanJson(['scan', 'sbom', file]);
    expect(r.artifact).toMatchObject({ type: 'sbom', name: APP, os: { family: 'debian', version: '12' } });
    expect(sorted(r.packages.map(pkgKey))).toEqual(sorted(image.packages.map(pkgKey)));
    // certifi & co. belong to Debian packages: matched through Debian's data only, as in the image scan.
    const owners = (rep: Report) => sorted(rep.packages.filter((p) => p.ownedBy).map((p) => `${pkgKey(p)} ${p.ownedBy!.type}/${p.ownedBy!.name}`));
    expect(owners(r)).toEqual(owners(image));
    expect(sorted(r.vulnerabilities.map(vulnKey))).toEqual(sorted(image.vulnerabilities.map(vulnKey)));
  });
});

describe('other tools’ SBOMs', () => {
  test('Trivy-style CycloneDX: epoch/distro qualifiers, operating-system component, SrcName → debian:12 openssl', async () => {
    const bom = {
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
      version: 1,
      metadata: {
        timestamp: '2024-06-01T00:00:00+00:00',
        tools: { components: [{ type: 'application', group: 'aquasecurity', name: 'trivy', version: '0.52.0' }] },
        component: { 'bom-ref': 'pkg:oci/app', type: 'container', name: 'registry.example/app:1', properties: [{ name: 'aquasecurity:trivy:SchemaVersion', value: '2' }] },
      },
      components: [
        { 'bom-ref': 'os-1', type: 'operating-system', name: 'debian', version: '12.5', properties: [{ name: 'aquasecurity:trivy:Type', value: 'debian' }] },
        {
          'bom-ref': 'pkg:deb/debian/libssl3@3.0.20-1~deb12u2?arch=amd64&distro=debian-12.5',
          type: 'library',
          name: 'libssl3',
          version: '3.0.20-1~deb12u2',
          licenses: [{ license: { name: 'Apache-2.0' } }],
          purl: 'pkg:deb/debian/libssl3@3.0.20-1~deb12u2?arch=amd64&distro=debian-12.5',
          properties: [
            { name: 'aquasecurity:trivy:LayerDiffID', value: 'sha256:' + 'a'.repeat(64) },
            { name: 'aquasecurity:trivy:PkgType', value: 'debian' },
            { name: 'aquasecurity:trivy:SrcName', value: 'openssl' },
            { name: 'aquasecurity:trivy:SrcVersion', value: '3.0.20' },
            { name: 'aquasecurity:trivy:SrcRelease', value: '1~deb12u2' },
          ],
        },
        {
          'bom-ref': 'pkg:deb/debian/login@1:4.13+dfsg1-1+b1?arch=amd64&distro=debian-12.5&epoch=1',
          type: 'library',
          name: 'login',
          version: '1:4.13+dfsg1-1+b1',
          purl: 'pkg:deb/debian/login@4.13+dfsg1-1+b1?arch=amd64&distro=debian-12.5&epoch=1',
          properties: [
            { name: 'aquasecurity:trivy:SrcName', value: 'shadow' },
            { name: 'aquasecurity:trivy:SrcVersion', value: '4.13+dfsg1' },
            { name: 'aquasecurity:trivy:SrcRelease', value: '1' },
            { name: 'aquasecurity:trivy:SrcEpoch', value: '1' },
          ],
        },
        { 'bom-ref': 'x', type: 'library', name: 'no-purl', version: '1' },
        { 'bom-ref': 'y', type: 'library', name: 'conan-thing', version: '1', purl: 'pkg:conan/thing@1' },
      ],
    };
    const file = path.join(tmp, 'trivy.cdx.json');
    await writeFile(file, JSON.stringify(bom));
    const r = await scanJson(['scan', 'sbom', file]);
    expect(r.artifact).toMatchObject({ type: 'sbom', name: 'registry.example/app:1', os: { family: 'debian', version: '12.5' } });
    expect(r.packages.map((p) => [p.name, p.version, p.sourceName])).toEqual(
      expect.arrayContaining([
        ['libssl3', '3.0.20-1~deb12u2', 'openssl'],
        ['login', '1:4.13+dfsg1-1+b1', 'shadow'],
      ]),
    );
    expect(r.packages.find((p) => p.name === 'libssl3')?.layer).toBe('sha256:' + 'a'.repeat(64));
    // The same 12 openssl CVEs the image scan finds for this libssl3.
    const ssl = r.vulnerabilities.filter((v) => v.package.name === 'libssl3').map((v) => v.id).sort();
    expect(ssl).toEqual(image.vulnerabilities.filter((v) => v.package.name === 'libssl3').map((v) => v.id).sort());
    expect(ssl).toHaveLength(12);
    expect(r.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['sbom-no-purl', 'sbom-unsupported-purl']));
  });

  test('syft-style SPDX: upstream= qualifiers give the source package, distro= the OS', async () => {
    const doc = {
      spdxVersion: 'SPDX-2.3',
      dataLicense: 'CC0-1.0',
      SPDXID: 'SPDXRef-DOCUMENT',
      name: 'app',
      documentNamespace: 'https://anchore.com/syft/image/app-1',
      creationInfo: { created: '2024-06-01T00:00:00Z', creators: ['Tool: syft-1.5.0'] },
      packages: [
        { SPDXID: 'SPDXRef-DocumentRoot-Image-app', name: 'app', versionInfo: 'sha256:' + 'b'.repeat(64), downloadLocation: 'NOASSERTION', filesAnalyzed: false, primaryPackagePurpose: 'CONTAINER' },
        {
          SPDXID: 'SPDXRef-Package-deb-libssl3-1',
          name: 'libssl3',
          versionInfo: '3.0.20-1~deb12u2',
          downloadLocation: 'NOASSERTION',
          filesAnalyzed: false,
          licenseDeclared: 'Apache-2.0',
          externalRefs: [
            { referenceCategory: 'SECURITY', referenceType: 'cpe23Type', referenceLocator: 'cpe:2.3:a:libssl3:libssl3:3.0.20-1~deb12u2:*:*:*:*:*:*:*' },
            { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: 'pkg:deb/debian/libssl3@3.0.20-1~deb12u2?arch=amd64&upstream=openssl&distro=debian-12' },
          ],
        },
        {
          SPDXID: 'SPDXRef-Package-deb-libexpat1-2',
          name: 'libexpat1',
          versionInfo: '2.5.0-1+deb12u5',
          downloadLocation: 'NOASSERTION',
          filesAnalyzed: false,
          externalRefs: [{ referenceCategory: 'PACKAGE_MANAGER', referenceType: 'purl', referenceLocator: 'pkg:deb/debian/libexpat1@2.5.0-1%2Bdeb12u5?arch=amd64&upstream=expat%402.5.0-1%2Bdeb12u5&distro=debian-12' }],
        },
        {
          SPDXID: 'SPDXRef-Package-npm-qs-3',
          name: 'qs',
          versionInfo: '6.5.2',
          downloadLocation: 'NOASSERTION',
          filesAnalyzed: false,
          externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: 'pkg:npm/qs@6.5.2' }],
        },
      ],
      relationships: [{ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: 'SPDXRef-DocumentRoot-Image-app' }],
    };
    const file = path.join(tmp, 'syft.spdx.json');
    await writeFile(file, JSON.stringify(doc));
    const r = await scanJson(['scan', 'sbom', file]);
    expect(r.artifact).toMatchObject({ type: 'sbom', name: 'app', os: { family: 'debian', version: '12' } });
    expect(r.packages.map((p) => [p.type, p.name, p.version, p.sourceName])).toEqual(
      expect.arrayContaining([
        ['deb', 'libssl3', '3.0.20-1~deb12u2', 'openssl'],
        ['deb', 'libexpat1', '2.5.0-1+deb12u5', 'expat'],
        ['npm', 'qs', '6.5.2', undefined],
      ]),
    );
    const ids = (rep: Report, name: string) => rep.vulnerabilities.filter((v) => v.package.name === name).map((v) => v.id).sort();
    expect(ids(r, 'libssl3')).toHaveLength(12);
    expect(ids(r, 'libssl3')).toEqual(ids(image, 'libssl3'));
    expect(ids(r, 'libexpat1')).toEqual(ids(image, 'libexpat1'));
    expect(ids(r, 'qs').length).toBeGreaterThan(0);
  });
});

describe('bad input exits 2 with one line', () => {
  const cases: Array<[string, string | Buffer]> = [
    ['not-json.json', 'this is not json {'],
    ['not-sbom.json', JSON.stringify({ hello: 'world' })],
    ['array.json', '[]'],
    ['cdx-1.2.json', JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.2', components: [] })],
    ['spdx-2.1.json', JSON.stringify({ spdxVersion: 'SPDX-2.1', packages: [] })],
    ['empty.json', ''],
  ];
  test.each(cases)('%s', async (name, content) => {
    const file = path.join(tmp, name);
    await writeFile(file, content);
    const r = await vigil(['scan', 'sbom', file, '-q']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^vigil: bad-sbom: \S.*\n$/);
  });

  test('a file over 256 MiB is refused before it is read (sparse, so the test is cheap)', async () => {
    const file = path.join(tmp, 'huge.json');
    await writeFile(file, '{');
    await truncate(file, 257 * 1024 * 1024);
    const r = await vigil(['scan', 'sbom', file, '-q']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^vigil: bad-sbom: .*256 MiB.*\n$/);
    await rm(file);
  });

  test('a missing file and a directory', async () => {
    for (const f of [path.join(tmp, 'nope.json'), tmp]) {
      const r = await vigil(['scan', 'sbom', f, '-q']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^vigil: bad-sbom: \S.*\n$/);
    }
  });
});
