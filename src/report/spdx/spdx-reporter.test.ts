import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, expect, test } from 'vitest';
import { appReport } from '../json/__fixtures__/app-report.js';
import { isSpdxExpression, toSpdxExpression } from './license-expression.js';
import { SPDX_2_3_SCHEMA_SUBSET } from './__fixtures__/spdx-2.3-schema.js';
import { spdxReporter, type SpdxDocument } from './spdx-reporter.js';

const now = new Date('2026-12-01T10:00:00.123Z');
const validate = new Ajv2019({ strict: true, allErrors: true }).compile(SPDX_2_3_SCHEMA_SUBSET);

function check(doc: unknown): void {
  if (!validate(doc)) throw new Error(JSON.stringify(validate.errors, null, 2));
}

describe('spdx-json reporter', () => {
  const report = appReport();
  const text = spdxReporter.render(report, { now, toolVersion: '0.1.0' });
  const doc = JSON.parse(text) as SpdxDocument;
  const byId = new Map(doc.packages.map((p) => [p.SPDXID, p]));
  const root = doc.relationships.find((r) => r.relationshipType === 'DESCRIBES')!.relatedSpdxElement;

  test('passes the SPDX 2.3 schema checks, with and without findings', () => {
    check(doc);
    check(JSON.parse(spdxReporter.render(appReport({ withFindings: false }), {})));
    // and the checks are not a rubber stamp
    expect(validate({ ...doc, creationInfo: { created: now.toISOString(), creators: ['Tool: x'] } })).toBe(false);
    expect(validate({ ...doc, packages: [{ ...doc.packages[0], SPDXID: 'SPDXRef-a/b' }] })).toBe(false);
  });

  test('document header', () => {
    expect(doc).toMatchObject({
      spdxVersion: 'SPDX-2.3',
      dataLicense: 'CC0-1.0',
      SPDXID: 'SPDXRef-DOCUMENT',
      name: report.artifact.name,
      creationInfo: { created: '2026-12-01T10:00:00Z', creators: ['Tool: vigil-0.1.0'] },
    });
    const ns = new URL(doc.documentNamespace);
    expect(ns.protocol).toBe('https:');
    expect(ns.hash).toBe('');
    expect(doc.documentNamespace).toMatch(/-[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test('namespace is deterministic with a fixed clock and unique without one', () => {
    expect(spdxReporter.render(report, { now, toolVersion: '0.1.0' })).toBe(text);
    const a = JSON.parse(spdxReporter.render(report, {})) as SpdxDocument;
    const b = JSON.parse(spdxReporter.render(report, {})) as SpdxDocument;
    expect(a.documentNamespace).not.toBe(b.documentNamespace);
  });

  test('SPDXIDs are unique; every package has a purl externalRef', () => {
    expect(byId.size).toBe(doc.packages.length);
    const pkgs = doc.packages.filter((p) => p.SPDXID.startsWith('SPDXRef-Package-'));
    expect(pkgs).toHaveLength(report.packages.length);
    for (const p of pkgs) {
      expect(p.SPDXID).toMatch(/^SPDXRef-Package-[a-z]+-[A-Za-z0-9.-]+-[0-9a-f]{16}$/);
      const purls = (p.externalRefs ?? []).filter((r) => r.referenceCategory === 'PACKAGE-MANAGER' && r.referenceType === 'purl');
      expect(purls, p.name).toHaveLength(1);
    }
    const allPurls = pkgs.map((p) => p.externalRefs![0]!.referenceLocator).sort();
    expect(allPurls).toEqual(report.packages.map((p) => p.purl).sort());
  });

  test('relationships: the document DESCRIBES the image, which CONTAINS the OS and every package', () => {
    expect(doc.relationships.filter((r) => r.relationshipType === 'DESCRIBES')).toEqual([
      { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: root },
    ]);
    expect(byId.get(root)).toMatchObject({ primaryPackagePurpose: 'CONTAINER', versionInfo: report.artifact.digest });
    const contained = new Set(
      doc.relationships.filter((r) => r.spdxElementId === root && r.relationshipType === 'CONTAINS').map((r) => r.relatedSpdxElement),
    );
    for (const p of doc.packages) if (p.SPDXID !== root) expect(contained.has(p.SPDXID), p.SPDXID).toBe(true);
    for (const r of doc.relationships) {
      expect(r.spdxElementId === 'SPDXRef-DOCUMENT' || byId.has(r.spdxElementId)).toBe(true);
      expect(byId.has(r.relatedSpdxElement)).toBe(true);
    }
    expect(doc.packages).toContainEqual(expect.objectContaining({ name: 'debian', versionInfo: '12', primaryPackagePurpose: 'OPERATING-SYSTEM' }));
  });

  test('package fields', () => {
    const ssl = doc.packages.find((p) => p.name === 'libssl3')!;
    expect(ssl).toMatchObject({
      versionInfo: '3.0.20-1~deb12u2',
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: 'Apache-2.0 OR OpenSSL',
    });
    expect(ssl.sourceInfo).toContain('/var/lib/dpkg/status');
    for (const p of doc.packages) {
      expect(p.licenseDeclared === 'NOASSERTION' || isSpdxExpression(p.licenseDeclared), p.licenseDeclared).toBe(true);
    }
  });
});

describe('toSpdxExpression', () => {
  test.each`
    licenses                                   | expected
    ${undefined}                               | ${undefined}
    ${['MIT']}                                 | ${'MIT'}
    ${['Apache-2.0 OR OpenSSL']}               | ${'Apache-2.0 OR OpenSSL'}
    ${['GPL-3.0-or-later', 'BSD-4-Clause-UC']} | ${'GPL-3.0-or-later AND BSD-4-Clause-UC'}
    ${['MIT', 'Apache-2.0 OR MIT']}            | ${'MIT AND (Apache-2.0 OR MIT)'}
    ${['GPL-2+']}                              | ${undefined}
    ${['MIT', 'Artistic']}                     | ${undefined}
    ${['LicenseRef-custom']}                   | ${'LicenseRef-custom'}
  `('$licenses → $expected', ({ licenses, expected }) => {
    expect(toSpdxExpression(licenses)).toBe(expected);
  });
});
