import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { describe, expect, test } from 'vitest';
import { appReport, findingsReport } from '../json/__fixtures__/app-report.js';
import { cyclonedxReporter } from './cyclonedx-reporter.js';

interface CdxProperty {
  name: string;
  value: string;
}
interface CdxComponent {
  type: string;
  name: string;
  version?: string;
  purl?: string;
  'bom-ref': string;
  licenses?: Array<{ license?: { id?: string; name?: string }; expression?: string }>;
  properties?: CdxProperty[];
}
interface CdxBom {
  specVersion: string;
  serialNumber: string;
  metadata: { timestamp: string; tools: { components: CdxComponent[] }; component: CdxComponent };
  components: CdxComponent[];
  vulnerabilities?: Array<{
    'bom-ref': string;
    id: string;
    source: { name: string };
    ratings: Array<{ severity: string; score?: number; vector?: string; method?: string }>;
    affects: Array<{ ref: string }>;
    recommendation?: string;
    properties?: CdxProperty[];
  }>;
}

const now = new Date('2026-12-01T10:00:00.000Z');
const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);

describe('cyclonedx reporter', () => {
  const report = appReport();
  const text = cyclonedxReporter.render(report, { now, toolVersion: '0.1.0' });
  const bom = JSON.parse(text) as CdxBom;
  const libraries = bom.components.filter((c) => c.type === 'library');

  test('validates against the CycloneDX 1.6 JSON schema (strict), with and without findings', async () => {
    expect(await validator.validate(text)).toBeNull();
    const inv = cyclonedxReporter.render(appReport({ withFindings: false }), { now });
    expect(await validator.validate(inv)).toBeNull();
    expect(JSON.parse(inv)).not.toHaveProperty('vulnerabilities');
    // and the validator is not a rubber stamp
    const broken = JSON.parse(text) as CdxBom;
    (broken.components[0] as unknown as Record<string, unknown>).type = 'not-a-type';
    expect(await validator.validate(JSON.stringify(broken))).not.toBeNull();
  });

  test('metadata: timestamp from options.now, vigil as the tool, the image as a container', () => {
    expect(bom.specVersion).toBe('1.6');
    expect(bom.metadata.timestamp).toBe('2026-12-01T10:00:00.000Z');
    expect(bom.metadata.tools.components).toEqual([expect.objectContaining({ name: 'vigil', version: '0.1.0' })]);
    const root = bom.metadata.component;
    expect(root.type).toBe('container');
    expect(root.version).toBe(report.artifact.digest);
    expect(root.purl).toBe(`pkg:oci/app@${report.artifact.digest}?arch=amd64&tag=app`);
    // layers stay in layer order
    expect(root.properties!.filter((p) => p.name === 'vigil:layer:diffId').map((p) => p.value)).toEqual(
      report.artifact.layers!.map((l) => l.diffId),
    );
    expect(bom.components).toContainEqual(expect.objectContaining({ type: 'operating-system', name: 'debian', version: '12' }));
  });

  test('one component per package with its purl and a unique bom-ref', () => {
    expect(libraries).toHaveLength(report.packages.length);
    expect(libraries.map((c) => c.purl).sort()).toEqual(report.packages.map((p) => p.purl).sort());
    const refs = bom.components.map((c) => c['bom-ref']);
    expect(new Set(refs).size).toBe(refs.length);
    // semver 5.7.3 and 7.5.1 are two packages; the same purl twice would get a suffixed ref
    expect(libraries.filter((c) => c.name === 'semver')).toHaveLength(2);
  });

  test('the same package at two places is two components with distinct bom-refs, both affected', async () => {
    const twice = appReport();
    const lodash = twice.packages.find((p) => p.name === 'lodash')!;
    twice.packages.push({ ...lodash, locations: ['/app/other/node_modules/lodash/package.json'] });
    twice.packages.push({ ...lodash });
    const out = cyclonedxReporter.render(twice, { now });
    expect(await validator.validate(out)).toBeNull();
    const doc = JSON.parse(out) as CdxBom;
    const refs = doc.components.filter((c) => c.name === 'lodash').map((c) => c['bom-ref']);
    expect(refs).toHaveLength(3);
    expect(new Set(refs).size).toBe(3);
    const affects = doc.vulnerabilities!.find((v) => v.id === 'CVE-2020-8203')!.affects.map((a) => a.ref);
    expect(affects.sort()).toEqual([...refs].sort());
  });

  test('package properties: type, layer, locations, owner, source', () => {
    const ssl = libraries.find((c) => c.name === 'libssl3')!;
    const prop = (c: CdxComponent, name: string) => c.properties!.filter((p) => p.name === name).map((p) => p.value);
    expect(prop(ssl, 'vigil:package:type')).toEqual(['deb']);
    expect(prop(ssl, 'vigil:layer:diffId')).toEqual([report.artifact.layers![2]!.diffId]);
    expect(prop(ssl, 'vigil:location')).toEqual(['/var/lib/dpkg/status']);
    expect(prop(ssl, 'vigil:sourceName')).toEqual(['openssl']);
    expect(prop(ssl, 'vigil:sourceVersion')).toEqual(['3.0.20-1~deb12u2']);
    const stdlib = libraries.find((c) => c.name === 'stdlib')!;
    expect(prop(stdlib, 'vigil:location')).toEqual(['/usr/bin/age', '/usr/bin/age-keygen']);
    expect(prop(stdlib, 'vigil:ownedBy')).toEqual(['deb:age']);
  });

  test.each`
    name          | licenses
    ${'lodash'}   | ${[{ license: { id: 'MIT' } }]}
    ${'bash'}     | ${[{ license: { id: 'GPL-3.0-or-later' } }, { license: { id: 'BSD-4-Clause-UC' } }]}
    ${'libssl3'}  | ${[{ expression: 'Apache-2.0 OR OpenSSL' }]}
    ${'perl-base'} | ${[{ license: { name: 'GPL-1+' } }, { license: { name: 'Artistic' } }]}
    ${'dash'}     | ${undefined}
  `('licenses of $name', ({ name, licenses }) => {
    expect(libraries.find((c) => c.name === name)!.licenses).toEqual(licenses);
  });

  test('vulnerabilities: one per finding, rated, pointing at the affected component', () => {
    const vulns = bom.vulnerabilities!;
    expect(vulns).toHaveLength(report.vulnerabilities.length);
    const refs = new Set(bom.components.map((c) => c['bom-ref']));
    for (const v of vulns) {
      expect(v.affects.length).toBeGreaterThan(0);
      for (const a of v.affects) expect(refs.has(a.ref), a.ref).toBe(true);
    }
    const lodash = vulns.find((v) => v.id === 'CVE-2020-8203')!;
    expect(lodash.ratings).toEqual([
      expect.objectContaining({ severity: 'critical', score: 7.4, method: 'CVSSv31', vector: expect.stringMatching(/^CVSS:3\.1\//) }),
    ]);
    expect(lodash.affects).toEqual([{ ref: 'pkg:npm/lodash@4.17.15', versions: [{ version: '4.17.15', status: 'affected' }] }]);
    expect(lodash.recommendation).toBe('Upgrade lodash to 4.17.19');
    expect(lodash.properties).toContainEqual({ name: 'vigil:kev', value: 'true' });
    expect(lodash.properties).toContainEqual({ name: 'vigil:epss', value: '0.5' });
    // the same CVE in two packages is two entries with distinct bom-refs
    const ssl = vulns.filter((v) => v.id === 'CVE-2026-42767');
    expect(ssl).toHaveLength(2);
    expect(new Set(vulns.map((v) => v['bom-ref'])).size).toBe(vulns.length);
    expect(vulns.find((v) => v.id === 'CVE-2026-103111')!.ratings).toEqual([
      { source: { name: 'debian' }, severity: 'info' },
    ]);
  });

  test('is reproducible with a fixed clock, unique without one', () => {
    expect(cyclonedxReporter.render(report, { now, toolVersion: '0.1.0' })).toBe(text);
    const a = JSON.parse(cyclonedxReporter.render(report, {})) as CdxBom;
    const b = JSON.parse(cyclonedxReporter.render(report, {})) as CdxBom;
    expect(a.serialNumber).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(a.serialNumber).not.toBe(b.serialNumber);
  });
});

describe('cyclonedx reporter: findings of every kind', () => {
  const report = findingsReport();
  const text = cyclonedxReporter.render(report, { now, toolVersion: '0.1.0' });
  type Vuln = NonNullable<CdxBom['vulnerabilities']>[number] & {
    analysis?: { response?: string[]; detail?: string };
    references?: Array<{ id: string; source: { name: string } }>;
  };
  const vulns = (JSON.parse(text) as CdxBom).vulnerabilities as Vuln[];
  const find = (id: string, ref: string): Vuln => vulns.find((v) => v.id === id && v.affects[0]!.ref.startsWith(ref))!;

  test('is valid, one vulnerability per finding (suppressed ones are not findings)', async () => {
    expect(await validator.validate(text)).toBeNull();
    expect(vulns).toHaveLength(report.vulnerabilities.length);
    expect(vulns.map((v) => v.id)).not.toContain('CVE-2024-35195');
  });

  test.each`
    id                       | ref                     | severity      | score        | response
    ${'CVE-2023-45853'}      | ${'pkg:deb/debian/zlib1g'}  | ${'critical'} | ${9.8}       | ${['will_not_fix']}
    ${'CVE-2024-0727'}       | ${'pkg:deb/debian/libssl3'} | ${'medium'}   | ${5.5}       | ${['update']}
    ${'CVE-2024-0727'}       | ${'pkg:deb/debian/openssl'} | ${'medium'}   | ${5.5}       | ${['update']}
    ${'CVE-2025-9230'}       | ${'pkg:deb/debian/libssl3'} | ${'low'}      | ${undefined} | ${undefined}
    ${'CVE-2018-25032'}      | ${'pkg:deb/debian/zlib1g'}  | ${'info'}     | ${undefined} | ${['update']}
    ${'GHSA-vh95-rmgr-6w4m'} | ${'pkg:npm/minimist'}       | ${'unknown'}  | ${undefined} | ${undefined}
  `('$id in $ref: rated $severity, analysis $response', ({ id, ref, severity, score, response }) => {
    const v = find(id, ref);
    expect(v.ratings).toEqual([expect.objectContaining(score === undefined ? { severity } : { severity, score })]);
    if (score === undefined) expect(v.ratings[0]).not.toHaveProperty('score');
    expect(v.analysis?.response).toEqual(response);
    expect(v.affects[0]!.ref.startsWith(ref)).toBe(true);
  });

  test('KEV, EPSS and aliases are carried', () => {
    const lodash = find('CVE-2020-8203', 'pkg:npm/lodash');
    expect(lodash.properties).toContainEqual({ name: 'vigil:kev', value: 'true' });
    expect(lodash.properties).toContainEqual({ name: 'vigil:epss', value: '0.5' });
    expect(lodash.references).toEqual([{ id: 'GHSA-p6mc-m468-83gw', source: { name: 'GitHub', url: 'https://github.com/advisories/GHSA-p6mc-m468-83gw' } }]);
    const requests = find('CVE-2023-32681', 'pkg:pypi/requests');
    expect(requests.properties).toContainEqual({ name: 'vigil:epss', value: '0.0611' });
    expect(requests.properties).toContainEqual({ name: 'vigil:kev', value: 'false' });
    expect(requests.references!.map((r) => r.id)).toEqual(['GHSA-j8r2-6x86-q33q', 'PYSEC-2023-74']);
  });
});
