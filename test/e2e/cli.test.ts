/** The CLI as users and CI pipelines call it (SPEC "CLI" and "JSON scan report"). */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { FIXTURE_OCI, startRegistry, type StartedRegistry } from '../helpers/registry.js';
import { runVigil as vigil } from '../helpers/cli.js';
import { expectedInventory } from './inventory-helpers.js';

const run = promisify(execFile);
const APP = `oci:${FIXTURE_OCI}:app`;
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'vigil-cli-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const ERROR_LINE = /^vigil: [a-z0-9-]+: \S.*\n$/;

describe('vigil scan', () => {
  test('--format json emits the SPEC report: packages, layers and findings from the DB', async () => {
    const r = await vigil(['scan', 'image', APP, '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report)).toEqual(['schemaVersion', 'artifact', 'db', 'packages', 'vulnerabilities', 'summary', 'warnings']);
    expect(report.schemaVersion).toBe(1);
    expect(report.artifact).toMatchObject({ type: 'image', digest: 'sha256:4d79cde1375a14cf3071ad4b104fe4ca8ec5cc6a3e94299280af0ff645653b9e', os: { family: 'debian', version: '12' } });
    expect(report.artifact.layers).toHaveLength(4);
    expect(report.artifact.layers[3].createdBy).toMatch(/rm -rf \/app\/node_modules\/qs/);
    expect(report.packages).toHaveLength(expectedInventory('app').packages.length);
    expect(report.db.schemaVersion).toBe(1);
    expect(report.db.sources.map((x: { name: string }) => x.name)).toEqual(expect.arrayContaining(['debian', 'ghsa', 'nvd', 'kev', 'epss']));
    // openssl 3.0.20-1~deb12u2 in layer 2: the 12 CVEs bookworm-security fixed after it.
    const ssl = report.vulnerabilities.filter((v: { package: { name: string } }) => v.package.name === 'libssl3');
    expect(ssl).toHaveLength(12);
    expect(ssl.every((v: { layer: string; source: string }) => v.layer === report.artifact.layers[2].diffId && v.source === 'debian')).toBe(true);
    const counted = report.vulnerabilities.reduce((acc: Record<string, number>, v: { severity: string }) => ({ ...acc, [v.severity]: (acc[v.severity] ?? 0) + 1 }), {});
    for (const [sev, n] of Object.entries(report.summary)) expect(n).toBe(counted[sev] ?? 0);
    const expat = report.packages.find((p: { name: string }) => p.name === 'libexpat1');
    expect(expat).toMatchObject({ version: '2.5.0-1+deb12u5', type: 'deb', sourceName: 'expat', layer: report.artifact.layers[3].diffId, locations: ['/var/lib/dpkg/status'] });
    expect(expat.purl).toBe('pkg:deb/debian/libexpat1@2.5.0-1+deb12u5?arch=amd64&distro=debian-12');
  });

  test('the table is for people: header, findings per package, no colour when piped', async () => {
    const r = await vigil(['scan', 'image', APP]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/OS\s+debian 12/);
    expect(r.stdout).toMatch(/^Packages {2}158 \(deb 121, /m);
    expect(r.stdout).toMatch(/^libssl3 3\.0\.20-1~deb12u2 \(deb\)/m);
    // the inventory view (no DB) lists every package
    const sbom = await vigil(['sbom', APP, '--format', 'table']);
    expect(sbom.stdout).toMatch(/libexpat1\s+2\.5\.0-1\+deb12u5/);
    expect(r.stdout).not.toContain("\u001b[");
    expect(r.stderr).toBe(''); // no progress display when stderr is not a terminal
  });

  test('--output writes a file and nothing to stdout', async () => {
    const out = path.join(tmp, 'report.json');
    const r = await vigil(['scan', 'image', `oci:${FIXTURE_OCI}:distroless`, '--format', 'json', '--output', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(JSON.parse(await readFile(out, 'utf8')).packages).toHaveLength(5);
  });

  test('scan rootfs and scan host --root read a directory', async () => {
    const bundle = path.join(tmp, 'distroless');
    await run('umoci', ['raw', 'unpack', '--image', `${FIXTURE_OCI}:distroless`, bundle]);
    for (const args of [['scan', 'rootfs', bundle], ['scan', 'host', '--root', bundle]]) {
      const r = await vigil([...args, '--format', 'json']);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.artifact.type).toBe(args[1] === 'rootfs' ? 'rootfs' : 'host');
      expect(report.packages.map((p: { name: string }) => p.name)).toEqual(['base-files', 'libc6', 'libssl3', 'netbase', 'tzdata']);
    }
  });

  test('--fail-on: exit 1 at or above the threshold, 0 below it', async () => {
    // app has critical findings (handlebars 4.7.6, minimist 1.2.5); debian12's worst is high.
    expect((await vigil(['scan', 'image', APP, '--format', 'json', '--fail-on', 'critical'])).code).toBe(1);
    expect((await vigil(['scan', 'image', `oci:${FIXTURE_OCI}:debian12`, '--format', 'json', '--fail-on', 'critical'])).code).toBe(0);
    expect((await vigil(['scan', 'image', `oci:${FIXTURE_OCI}:debian12`, '--format', 'json', '--fail-on', 'high'])).code).toBe(1);
  });

  test('--severity and --ignore-unfixed filter the findings and the summary', async () => {
    const r = await vigil(['scan', 'image', APP, '--format', 'json', '--severity', 'critical,high']);
    const report = JSON.parse(r.stdout);
    expect(report.vulnerabilities.length).toBeGreaterThan(0);
    expect(report.vulnerabilities.every((v: { severity: string }) => v.severity === 'critical' || v.severity === 'high')).toBe(true);
    expect(report.summary.unknown).toBe(0);
  });

  test('a missing DB is one clear line and exit 2, before any image is read', async () => {
    const r = await vigil(['scan', 'image', APP, '--db', path.join(tmp, 'nope.db')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^vigil: db-missing: .*vigil db (build|import)/);
  });

  test('an OpenVEX not_affected statement and the ignore file suppress findings', async () => {
    const vex = path.join(tmp, 'app.vex.json');
    await writeFile(vex, JSON.stringify({
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://example.com/vex/1',
      author: 'test',
      timestamp: '2026-01-01T00:00:00Z',
      version: 1,
      statements: [{ vulnerability: { name: 'CVE-2021-44906' }, products: [{ '@id': 'pkg:npm/minimist@1.2.5' }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' }],
    }));
    const ignore = path.join(tmp, 'ignore.yaml');
    await writeFile(ignore, 'ignore:\n  - id: CVE-2021-23369\n    package: handlebars\n    reason: templates are not user input\n');
    const plain = JSON.parse((await vigil(['scan', 'image', APP, '--format', 'json'])).stdout);
    const r = await vigil(['scan', 'image', APP, '--format', 'json', '--vex', vex, '--ignore-file', ignore]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    const ids = report.vulnerabilities.map((v: { id: string }) => v.id);
    expect(plain.vulnerabilities.map((v: { id: string }) => v.id)).toEqual(expect.arrayContaining(['CVE-2021-44906', 'CVE-2021-23369']));
    expect(ids).not.toContain('CVE-2021-44906');
    expect(ids).not.toContain('CVE-2021-23369');
    expect(report.suppressed.map((x: { reason: string }) => x.reason).sort()).toEqual(['ignore-file', 'vex']);
    // Nothing critical is left, so --fail-on critical passes once both are suppressed.
    expect((await vigil(['scan', 'image', APP, '--format', 'json', '--vex', vex, '--ignore-file', ignore, '--fail-on', 'critical'])).code).toBe(0);
  });

  test('SARIF output for code scanning', async () => {
    const r = await vigil(['scan', 'image', APP, '--format', 'sarif']);
    expect(r.code).toBe(0);
    const sarif = JSON.parse(r.stdout);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results.length).toBeGreaterThan(0);
  });
});

describe('vigil sbom', () => {
  test('needs no vulnerability DB', async () => {
    const r = await vigil(['sbom', `oci:${FIXTURE_OCI}:distroless`], { env: { VIGIL_DB: path.join(tmp, 'none.db') } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).bomFormat).toBe('CycloneDX');
  });

  test('CycloneDX 1.6 JSON that validates against the schema, one component per package', async () => {
    const r = await vigil(['sbom', APP]);
    expect(r.code).toBe(0);
    const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);
    expect(await validator.validate(r.stdout)).toBeNull();
    const bom = JSON.parse(r.stdout);
    expect(bom.specVersion).toBe('1.6');
    const purls = bom.components.map((c: { purl?: string }) => c.purl).filter(Boolean);
    expect(purls).toContain('pkg:maven/org.yaml/snakeyaml@1.33');
    expect(purls).toContain('pkg:golang/stdlib@1.19.8');
    expect(purls).toContain('pkg:deb/debian/bsdutils@2.38.1-5+deb12u3?arch=amd64&distro=debian-12&epoch=1');
    expect(purls.filter((p: string) => !p.startsWith('pkg:oci/'))).toHaveLength(expectedInventory('app').packages.length);
  });

  test('SPDX 2.3 JSON with a purl for every package', async () => {
    const r = await vigil(['sbom', APP, '--format', 'spdx-json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.spdxVersion).toBe('SPDX-2.3');
    const pkgs = doc.packages.filter((p: { externalRefs?: Array<{ referenceType: string }> }) => p.externalRefs?.some((e) => e.referenceType === 'purl'));
    expect(pkgs.length).toBeGreaterThanOrEqual(expectedInventory('app').packages.length);
  });

  test('refuses a format that is not an SBOM', async () => {
    const r = await vigil(['sbom', APP, '--format', 'csv']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(ERROR_LINE);
  });
});

describe('registry credentials from the command line', () => {
  let reg: StartedRegistry;
  beforeAll(async () => {
    reg = await startRegistry({ auth: 'basic', tls: true });
    await reg.push('distroless', 'demo/distroless:1');
  });
  afterAll(async () => {
    await reg?.stop();
  });

  test('--username with --password-stdin and --ca-file', async () => {
    const r = await vigil(['scan', 'image', `${reg.host}/demo/distroless:1`, '--format', 'json', '--username', reg.username!, '--password-stdin', '--ca-file', reg.caFile!], { input: `${reg.password}\n` });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).packages).toHaveLength(5);
  });

  test('VIGIL_REGISTRY_USERNAME/_PASSWORD', async () => {
    const r = await vigil(['scan', 'image', `${reg.host}/demo/distroless:1`, '--format', 'json', '--ca-file', reg.caFile!], { env: { VIGIL_REGISTRY_USERNAME: reg.username, VIGIL_REGISTRY_PASSWORD: reg.password } });
    expect(r.code).toBe(0);
  });

  test('a wrong password is one clear line and exit 2', async () => {
    const r = await vigil(['scan', 'image', `${reg.host}/demo/distroless:1`, '--username', reg.username!, '--password-stdin', '--ca-file', reg.caFile!, '--timeout', '10'], { input: 'wrong\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(ERROR_LINE);
    expect(r.stderr).toMatch(/unauthorized/);
  });

  test('without the CA the TLS failure is a clear error', async () => {
    const r = await vigil(['scan', 'image', `${reg.host}/demo/distroless:1`, '--timeout', '10'], { env: { VIGIL_REGISTRY_USERNAME: reg.username, VIGIL_REGISTRY_PASSWORD: reg.password } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(ERROR_LINE);
  });
});

describe('usage errors: exit 2 and one line', () => {
  test.each([
    [['scan', 'image']],
    [['scan', 'image', APP, '--bogus']],
    [['scan', 'image', APP, '--format', 'xml']],
    [['scan', 'image', APP, '--severity', 'urgent']],
    [['scan', 'image', APP, '--platform', 'linux']],
    [['scan', 'image', APP, '--timeout', 'soon']],
    [['scan', 'image', 'UPPER/Case:tag']],
    [['frobnicate']],
    [['scan', 'rootfs', '/nonexistent/dir']],
    [['scan', 'image', 'docker-archive:/nonexistent.tar']],
    [['scan', 'image', `oci:${FIXTURE_OCI}`]],
  ])('vigil %j', async (args) => {
    const r = await vigil(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(ERROR_LINE);
    expect(r.stdout).toBe('');
  });

  test('--help and --version exit 0', async () => {
    expect((await vigil(['--help'])).code).toBe(0);
    const v = await vigil(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
