import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { VigilError } from '../core/errors.js';
import { findingsReport } from '../report/json/__fixtures__/app-report.js';
import type { ScanReport, VexSuppression } from '../report/types.js';
import { failOn } from './filters.js';
import { productMatchesImage } from './image-match.js';
import { applyVex, loadVex, parseVex, type VexDocument } from './vex.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__', 'vex');
const IMAGE_DIGEST = 'sha256:' + 'd'.repeat(64);

/** A one-statement OpenVEX 0.2.0 document. */
function vex(statement: Record<string, unknown>, timestamp = '2025-01-10T09:00:00Z'): VexDocument {
  return parseVex(
    JSON.stringify({
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://example.com/vex/test',
      author: 'test',
      timestamp,
      version: 1,
      statements: [statement],
    }),
    'test.openvex.json',
  );
}

const ids = (r: ScanReport): string[] => r.vulnerabilities.map((f) => `${f.id}/${f.package.name}`);
const suppressedIds = (r: ScanReport): string[] => (r.suppressed ?? []).map((s) => `${s.finding.id}/${s.finding.package.name}`);

describe('loadVex / parseVex', () => {
  test('reads the spec\'s minimal example (products as purls with qualifiers)', async () => {
    const doc = await loadVex(join(fixtures, 'spec-minimal.openvex.json'));
    expect(doc['@id']).toBe('https://openvex.dev/docs/example/vex-9fb3463de1b57');
    expect(doc.statements).toEqual([
      {
        vulnerability: { name: 'CVE-2023-12345' },
        products: [{ '@id': 'pkg:apk/wolfi/git@2.39.0-r1?arch=armv7' }, { '@id': 'pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64' }],
        status: 'fixed',
        // inherited from the document
        timestamp: '2023-01-08T18:02:03.647787998-06:00',
      },
    ]);
  });

  const base = { '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'x', author: 'a', timestamp: '2025-01-01T00:00:00Z', version: 1 };
  const st = { vulnerability: { name: 'CVE-1' }, products: [{ '@id': 'pkg:npm/a@1' }], status: 'fixed' };
  test.each`
    name                                  | text                                                                                                    | message
    ${'not JSON'}                         | ${'{"@context": '}                                                                                      | ${/^bad\.json: not JSON/}
    ${'not an object'}                    | ${'[]'}                                                                                                 | ${/the top level must be an object/}
    ${'another format (CycloneDX)'}       | ${JSON.stringify({ bomFormat: 'CycloneDX', statements: [] })}                                           | ${/@context must be an OpenVEX context/}
    ${'no statements'}                    | ${JSON.stringify(base)}                                                                                 | ${/statements must be a list/}
    ${'unknown status'}                   | ${JSON.stringify({ ...base, statements: [{ ...st, status: 'resolved' }] })}                             | ${/statements\[0\]\.status must be one of not_affected, affected, fixed, under_investigation \(got "resolved"\)/}
    ${'not_affected without a why'}       | ${JSON.stringify({ ...base, statements: [{ ...st, status: 'not_affected' }] })}                         | ${/statements\[0\]: a not_affected statement needs a justification or an impact_statement/}
    ${'unknown justification'}            | ${JSON.stringify({ ...base, statements: [{ ...st, status: 'not_affected', justification: 'nope' }] })}  | ${/statements\[0\]\.justification must be one of/}
    ${'no vulnerability name'}            | ${JSON.stringify({ ...base, statements: [{ ...st, vulnerability: {} }] })}                              | ${/statements\[0\]\.vulnerability\.name is missing/}
    ${'a broken purl'}                    | ${JSON.stringify({ ...base, statements: [{ ...st, products: [{ '@id': 'pkg:' }] }] })}                  | ${/statements\[0\]\.products\[0\]\.@id is not a valid package URL/}
    ${'a bad timestamp'}                  | ${JSON.stringify({ ...base, statements: [{ ...st, timestamp: 'yesterday' }] })}                         | ${/statements\[0\]\.timestamp is not a date-time/}
  `('malformed: $name → bad-vex (usage) naming the file and the problem', ({ text, message }) => {
    let err: unknown;
    try {
      parseVex(text, 'bad.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VigilError);
    expect(err).toMatchObject({ code: 'bad-vex', kind: 'usage' });
    expect((err as Error).message).toMatch(/^bad\.json: /);
    expect((err as Error).message).toMatch(message);
  });

  test('an unreadable file is bad-vex too', async () => {
    await expect(loadVex(join(fixtures, 'missing.json'))).rejects.toMatchObject({ code: 'bad-vex', kind: 'usage' });
  });
});

describe('applyVex', () => {
  test('the web image document: package purls, the image with subcomponents, statuses, another image', async () => {
    const report = findingsReport();
    const doc = await loadVex(join(fixtures, 'web-image.openvex.json'));
    const out = applyVex(report, [doc]);
    // suppressed: lodash (image + subcomponent, not_affected), libssl3 (package purl without qualifiers, fixed)
    expect(suppressedIds(out).sort()).toEqual(['CVE-2020-8203/lodash', 'CVE-2024-0727/libssl3', 'CVE-2024-35195/requests']);
    // kept: openssl (the statement named libssl3 only), requests (under_investigation),
    // zlib1g (the statement is about web:2.2, not this web:2.1)
    expect(ids(out)).toContain('CVE-2024-0727/openssl');
    expect(ids(out)).toContain('CVE-2023-32681/requests');
    expect(ids(out)).toContain('CVE-2023-45853/zlib1g');
    expect(out.vulnerabilities).toHaveLength(report.vulnerabilities.length - 2);
    expect(out.summary).toEqual({ critical: 2, high: 0, medium: 2, low: 1, negligible: 1, unknown: 1 });
    const lodash = out.suppressed!.find((s) => s.finding.package.name === 'lodash') as VexSuppression;
    expect(lodash.statement).toEqual({
      file: join(fixtures, 'web-image.openvex.json'),
      document: 'https://openvex.dev/docs/example/vex-web-2.1',
      vulnerability: 'CVE-2020-8203',
      product: 'pkg:npm/lodash@4.17.15',
      status: 'not_affected',
      justification: 'vulnerable_code_not_in_execute_path',
      impactStatement: 'zipObjectDeep is never called',
      timestamp: '2025-01-10T09:00:00Z',
    });
    // pure: the input is untouched
    expect(report.vulnerabilities).toHaveLength(9);
  });

  test.each`
    case                                                  | statement                                                                                                                                     | suppressed
    ${'package purl, VEX omits qualifiers'}               | ${{ products: [{ '@id': 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1' }] }}                                                                        | ${true}
    ${'package purl with the same qualifier'}             | ${{ products: [{ '@id': 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64' }] }}                                                             | ${true}
    ${'package purl with another arch'}                   | ${{ products: [{ '@id': 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=arm64' }] }}                                                             | ${false}
    ${'package purl, other version'}                      | ${{ products: [{ '@id': 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-2' }] }}                                                                        | ${false}
    ${'package purl, other epoch'}                        | ${{ products: [{ '@id': 'pkg:deb/debian/zlib1g@2:1.2.13.dfsg-1' }] }}                                                                        | ${false}
    ${'package purl, epoch as purl-spec qualifier'}       | ${{ products: [{ '@id': 'pkg:deb/debian/zlib1g@1.2.13.dfsg-1?epoch=1' }] }}                                                                  | ${true}
    ${'package purl without a version'}                   | ${{ products: [{ '@id': 'pkg:deb/debian/zlib1g' }] }}                                                                                        | ${true}
    ${'purl in identifiers'}                              | ${{ products: [{ identifiers: { purl: 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1' } }] }}                                                        | ${true}
    ${'the image by reference, whole image'}              | ${{ products: [{ '@id': 'registry.example.com/team/web:2.1' }] }}                                                                            | ${true}
    ${'the image by digest, package as subcomponent'}     | ${{ products: [{ '@id': `registry.example.com/team/web@${IMAGE_DIGEST}`, subcomponents: [{ '@id': 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1' }] }] }} | ${true}
    ${'the image, another package as subcomponent'}       | ${{ products: [{ '@id': 'registry.example.com/team/web:2.1', subcomponents: [{ '@id': 'pkg:deb/debian/libssl3' }] }] }}                      | ${false}
    ${'another image'}                                    | ${{ products: [{ '@id': 'registry.example.com/team/api:2.1' }] }}                                                                            | ${false}
    ${'a package as product of another package'}          | ${{ products: [{ '@id': 'pkg:npm/zlib1g@1:1.2.13.dfsg-1' }] }}                                                                               | ${false}
    ${'no products'}                                      | ${{ products: [] }}                                                                                                                          | ${false}
    ${'status affected'}                                  | ${{ products: [{ '@id': 'pkg:deb/debian/zlib1g' }], status: 'affected', action_statement: 'upgrade' }}                                       | ${false}
    ${'status under_investigation'}                       | ${{ products: [{ '@id': 'pkg:deb/debian/zlib1g' }], status: 'under_investigation' }}                                                         | ${false}
    ${'vulnerability named by an alias'}                  | ${{ vulnerability: { name: 'GHSA-0000-zlib', aliases: ['CVE-2023-45853'] }, products: [{ '@id': 'pkg:deb/debian/zlib1g' }] }}                 | ${true}
    ${'another vulnerability'}                            | ${{ vulnerability: { name: 'CVE-2023-45854' }, products: [{ '@id': 'pkg:deb/debian/zlib1g' }] }}                                             | ${false}
  `('$case → suppressed: $suppressed', ({ statement, suppressed }) => {
    const doc = vex({ vulnerability: { name: 'CVE-2023-45853' }, status: 'not_affected', justification: 'vulnerable_code_not_present', ...statement });
    const out = applyVex(findingsReport(), [doc]);
    expect(suppressedIds(out).includes('CVE-2023-45853/zlib1g')).toBe(suppressed);
    expect(ids(out).includes('CVE-2023-45853/zlib1g')).toBe(!suppressed);
  });

  test('a finding known by its GHSA id is matched by a statement naming its CVE alias', () => {
    const out = applyVex(findingsReport(), [vex({ vulnerability: { name: 'GHSA-xvch-5gv4-984h' }, products: [{ '@id': 'pkg:npm/minimist@1.2.5' }], status: 'fixed' })]);
    expect(suppressedIds(out)).toContain('CVE-2021-44906/minimist');
  });

  test('statements are a timeline: the newest one for the finding decides', () => {
    const product = [{ '@id': 'pkg:npm/lodash@4.17.15' }];
    const notAffected = (t: string) => vex({ vulnerability: { name: 'CVE-2020-8203' }, products: product, status: 'not_affected', justification: 'component_not_present' }, t);
    const affected = (t: string) => vex({ vulnerability: { name: 'CVE-2020-8203' }, products: product, status: 'affected', action_statement: 'upgrade' }, t);
    const hidden = (docs: VexDocument[]) => suppressedIds(applyVex(findingsReport(), docs)).includes('CVE-2020-8203/lodash');
    expect(hidden([notAffected('2025-01-01T00:00:00Z'), affected('2025-02-01T00:00:00Z')])).toBe(false);
    expect(hidden([affected('2025-02-01T00:00:00Z'), notAffected('2025-01-01T00:00:00Z')])).toBe(false);
    expect(hidden([affected('2025-01-01T00:00:00Z'), notAffected('2025-02-01T00:00:00Z')])).toBe(true);
  });

  test('--fail-on looks only at what VEX left', () => {
    const report = findingsReport();
    expect(failOn(report, 'critical')).toBe(true);
    const doc = vex({
      vulnerability: { name: 'CVE-2021-44906' },
      products: [{ '@id': 'registry.example.com/team/web:2.1', subcomponents: [{ '@id': 'pkg:npm/minimist' }, { '@id': 'pkg:deb/debian/zlib1g' }] }],
      status: 'not_affected',
      impact_statement: 'not reachable',
    });
    const zlib = vex({ vulnerability: { name: 'CVE-2023-45853' }, products: [{ '@id': 'pkg:deb/debian/zlib1g' }], status: 'fixed' });
    const out = applyVex(report, [doc, zlib]);
    expect(out.suppressed!.map((s) => s.finding.severity)).toContain('critical');
    expect(failOn(out, 'critical')).toBe(false);
    expect(failOn(out, 'high')).toBe(true);
  });
});

describe('productMatchesImage', () => {
  const artifact = {
    ...findingsReport().artifact,
    repoTags: ['registry.example.com/team/web:latest'],
    repoDigests: [`registry.example.com/team/web@sha256:${'9'.repeat(64)}`],
  };
  test.each`
    id                                                                                       | matches
    ${'registry.example.com/team/web:2.1'}                                                   | ${true}
    ${'registry.example.com/team/web'}                                                       | ${true}
    ${'registry.example.com/team/web:latest'}                                                | ${true}
    ${'registry.example.com/team/web:2.0'}                                                   | ${false}
    ${'registry.example.com/team/api:2.1'}                                                   | ${false}
    ${'docker.io/team/web:2.1'}                                                              | ${false}
    ${IMAGE_DIGEST}                                                                          | ${true}
    ${`sha256:${'9'.repeat(64)}`}                                                            | ${true}
    ${`anything/else@${IMAGE_DIGEST}`}                                                       | ${true}
    ${`pkg:oci/web@sha256%3A${'d'.repeat(64)}`}                                              | ${true}
    ${`pkg:oci/web@sha256%3A${'e'.repeat(64)}`}                                              | ${false}
    ${'pkg:oci/web?tag=2.1'}                                                                 | ${true}
    ${'pkg:oci/web?tag=2.0'}                                                                 | ${false}
    ${'pkg:oci/web?repository_url=registry.example.com/team/web'}                            | ${true}
    ${'pkg:docker/team/web@2.1?repository_url=registry.example.com'}                         | ${true}
    ${'pkg:docker/team/web@2.1'}                                                             | ${false}
    ${'pkg:npm/web@2.1'}                                                                     | ${false}
    ${'a free-form product name'}                                                            | ${false}
  `('$id → $matches', ({ id, matches }) => {
    expect(productMatchesImage(id, artifact)).toBe(matches);
  });

  test('Docker Hub shorthand and library/ images', () => {
    const debian = { type: 'image' as const, name: 'debian:12', digest: IMAGE_DIGEST };
    expect(productMatchesImage('pkg:docker/debian@12', debian)).toBe(true);
    expect(productMatchesImage('pkg:docker/library/debian@12', debian)).toBe(true);
    expect(productMatchesImage('docker.io/library/debian:12', debian)).toBe(true);
    expect(productMatchesImage('debian:11', debian)).toBe(false);
    // a rootfs is not an image
    expect(productMatchesImage('debian:12', { ...debian, type: 'rootfs' })).toBe(false);
  });
});
