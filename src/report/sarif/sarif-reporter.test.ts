import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { describe, expect, test } from 'vitest';
import { appReport, findingsReport, smallReport } from '../json/__fixtures__/app-report.js';
import type { ScanReport } from '../types.js';
import { FINGERPRINT_KEY, relativeUri, sarifReporter, SARIF_SCHEMA_URI } from './sarif-reporter.js';

/**
 * The official SARIF 2.1.0 JSON schema (OASIS, final "rtm.5" text, draft-04), as shipped in
 * Microsoft's `@microsoft/jest-sarif`; only the schema file is used from that package.
 */
const require = createRequire(import.meta.url);
const schemaPath = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;
// unicodeRegExp off: the schema's language pattern is not valid with the `u` flag.
const ajv = new AjvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats.default(ajv);
const validateSchema = ajv.compile(schema);

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: Array<{
    physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
    logicalLocations: Array<{ name: string; fullyQualifiedName: string }>;
  }>;
  partialFingerprints: Record<string, string>;
  properties: Record<string, unknown>;
}
interface SarifRule {
  id: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  helpUri: string;
  help: { text: string; markdown: string };
  properties: { 'security-severity'?: string; tags: string[] };
}
interface SarifLog {
  $schema: string;
  version: string;
  runs: Array<{
    tool: { driver: { name: string; version: string; informationUri: string; rules: SarifRule[] } };
    results: SarifResult[];
    properties: Record<string, unknown>;
  }>;
}

function render(report: ScanReport): SarifLog {
  return JSON.parse(sarifReporter.render(report, { toolVersion: '1.2.3' })) as SarifLog;
}

/**
 * What GitHub code scanning needs beyond the schema ("SARIF support for code scanning"): a
 * driver name, every result with a rule id, a message, and a physical location with a relative
 * uri and a start line; rules' security-severity a number in a string.
 */
function checkGitHub(log: SarifLog): string[] {
  const errors: string[] = [];
  if (log.version !== '2.1.0') errors.push('version');
  for (const run of log.runs) {
    if (!run.tool.driver.name) errors.push('driver.name');
    const ids = new Set(run.tool.driver.rules.map((r) => r.id));
    for (const r of run.tool.driver.rules) {
      const s = r.properties['security-severity'];
      if (s !== undefined && !/^\d+(\.\d+)?$/.test(s)) errors.push(`rule ${r.id}: security-severity ${s}`);
    }
    for (const res of run.results) {
      if (!ids.has(res.ruleId)) errors.push(`result ${res.ruleId}: no rule`);
      if (run.tool.driver.rules[res.ruleIndex]?.id !== res.ruleId) errors.push(`result ${res.ruleId}: ruleIndex`);
      if (!res.message.text) errors.push(`result ${res.ruleId}: message`);
      const loc = res.locations[0]?.physicalLocation;
      if (!loc?.artifactLocation.uri || loc.artifactLocation.uri.startsWith('/')) errors.push(`result ${res.ruleId}: uri`);
      if (!(loc!.region.startLine >= 1)) errors.push(`result ${res.ruleId}: startLine`);
    }
  }
  return errors;
}

function validate(log: unknown): void {
  if (!validateSchema(log)) throw new Error(JSON.stringify(validateSchema.errors, null, 2));
  expect(checkGitHub(log as SarifLog)).toEqual([]);
}

describe('sarif reporter', () => {
  test.each([
    ['no findings', () => ({ ...smallReport(), vulnerabilities: [] })],
    ['an inventory', () => appReport({ withFindings: false })],
    ['one finding', smallReport],
    ['several findings', findingsReport],
    ['the app image', appReport],
  ])('validates against the SARIF 2.1.0 schema: %s', (_name, make) => {
    validate(render(make()));
  });

  test('the schema check is not a rubber stamp', () => {
    const log = render(smallReport());
    expect(validateSchema({ ...log, version: '2.0.0' })).toBe(false);
    const bad = structuredClone(log);
    (bad.runs[0]!.results[0] as unknown as Record<string, unknown>).level = 'fatal';
    expect(validateSchema(bad)).toBe(false);
  });

  const report = findingsReport();
  const log = render(report);
  const run = log.runs[0]!;

  test('tool and run metadata', () => {
    expect(log.$schema).toBe(SARIF_SCHEMA_URI);
    expect(run.tool.driver).toMatchObject({ name: 'vigil', version: '1.2.3', informationUri: expect.stringMatching(/^https:\/\//) });
    expect(run.properties).toMatchObject({ imageName: report.artifact.name, imageDigest: report.artifact.digest, suppressedFindings: 1 });
  });

  test('one rule per vulnerability id, with CVSS as security-severity and severity tags', () => {
    const ids = [...new Set(report.vulnerabilities.map((f) => f.id))].sort();
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(ids);
    const cve = run.tool.driver.rules.find((r) => r.id === 'CVE-2024-0727')!;
    expect(cve.shortDescription.text).toBe('openssl: denial of service via null dereference in PKCS12 parsing');
    expect(cve.fullDescription.text).toContain('Also known as GHSA-9v9h-cgj8-h64p');
    expect(cve.helpUri).toBe('https://security-tracker.debian.org/tracker/CVE-2024-0727');
    expect(cve.properties).toEqual({ precision: 'very-high', 'security-severity': '5.5', tags: ['security', 'vulnerability', 'medium'] });
    // both affected packages are in the help table
    expect(cve.help.markdown).toContain('| MEDIUM | libssl3 |');
    expect(cve.help.markdown).toContain('| MEDIUM | openssl |');
    // no CVSS: a score in the vendor severity's band, or none for negligible/unknown
    expect(run.tool.driver.rules.find((r) => r.id === 'CVE-2025-9230')!.properties['security-severity']).toBe('2.0');
    expect(run.tool.driver.rules.find((r) => r.id === 'GHSA-vh95-rmgr-6w4m')!.properties).not.toHaveProperty('security-severity');
    // no link: the id's home page
    expect(run.tool.driver.rules.find((r) => r.id === 'CVE-2021-44906')!.helpUri).toBe('https://nvd.nist.gov/vuln/detail/CVE-2021-44906');
  });

  test.each`
    id                       | pkg           | level
    ${'CVE-2023-45853'}      | ${'zlib1g'}   | ${'error'}
    ${'CVE-2020-8203'}       | ${'lodash'}   | ${'error'}
    ${'CVE-2024-0727'}       | ${'libssl3'}  | ${'warning'}
    ${'CVE-2025-9230'}       | ${'libssl3'}  | ${'note'}
    ${'CVE-2018-25032'}      | ${'zlib1g'}   | ${'note'}
    ${'GHSA-vh95-rmgr-6w4m'} | ${'minimist'} | ${'note'}
  `('$id in $pkg is level $level', ({ id, pkg, level }) => {
    const r = run.results.find((x) => x.ruleId === id && x.message.text.includes(` ${pkg} `))!;
    expect(r.level).toBe(level);
  });

  test('one result per finding: message, relative location, image as logical location', () => {
    expect(run.results).toHaveLength(report.vulnerabilities.length);
    const r = run.results.find((x) => x.ruleId === 'CVE-2020-8203')!;
    expect(r.message.text).toBe('CVE-2020-8203 (high) in npm package lodash 4.17.15: fixed in 4.17.19. Prototype Pollution in lodash');
    expect(r.locations[0]!.physicalLocation.artifactLocation.uri).toBe('app/node_modules/lodash/package.json');
    expect(r.locations[0]!.logicalLocations[0]!.name).toBe(report.artifact.name);
    expect(r.properties).toMatchObject({ kev: true, epss: 0.5, purl: 'pkg:npm/lodash@4.17.15', fixedVersion: '4.17.19' });
    const z = run.results.find((x) => x.ruleId === 'CVE-2023-45853')!;
    expect(z.message.text).toContain('no fix available');
  });

  test('fingerprints are stable per (id, package, version), unique per finding', () => {
    const fps = run.results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]);
    expect(new Set(fps).size).toBe(fps.length);
    // another image, other layers and locations: same findings, same fingerprints
    const other = findingsReport();
    other.artifact.name = 'registry.example.com/team/web:2.2';
    for (const p of other.packages) p.locations = ['/elsewhere' + p.locations[0]];
    const again = render(other).runs[0]!.results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]);
    expect(again).toEqual(fps);
  });

  test.each`
    path                               | uri
    ${'/var/lib/dpkg/status'}          | ${'var/lib/dpkg/status'}
    ${'/app/my dir/package.json'}      | ${'app/my%20dir/package.json'}
    ${'/a/b#c?d'}                      | ${'a/b%23c%3Fd'}
    ${'oci:fixtures/app'}              | ${'./oci:fixtures/app'}
    ${''}                              | ${'.'}
  `('relativeUri($path) → $uri', ({ path, uri }) => {
    expect(relativeUri(path)).toBe(uri);
  });
});
