import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { parseControlParagraphs } from './parse-control.js';
import { MAX_WARNINGS_PER_FILE, parseDpkgStatus } from './parse-dpkg-status.js';

const FIXTURES = fileURLToPath(new URL('./__fixtures__/', import.meta.url));
const read = (p: string): string => readFileSync(FIXTURES + p, 'utf8');
const status = (text: string) => parseDpkgStatus(text, { location: '/var/lib/dpkg/status', requireStatus: true });

function dpkgQuery(admindir: string): string[] | undefined {
  try {
    const out = execFileSync(
      'dpkg-query',
      ['--admindir', admindir, '-W', '-f', '${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\n'],
      { encoding: 'utf8', timeout: 10_000 },
    );
    return out.trim().split('\n').sort();
  } catch {
    return undefined; // not a Debian machine
  }
}

describe('parseControlParagraphs', () => {
  test('continuation lines join the previous field; blank lines split paragraphs', () => {
    const paras = parseControlParagraphs(
      'Package: a\nDescription: short\n long line\n .\n more\nversion: 1\n\n \t\nPackage: b\r\nVersion: 2\r\n',
    );
    expect(paras).toHaveLength(2);
    expect(paras[0]!.fields.get('description')).toBe('short\nlong line\n.\nmore');
    expect(paras[0]!.fields.get('version')).toBe('1');
    expect(paras[1]!.fields.get('package')).toBe('b');
    expect(paras[1]!.line).toBe(9);
  });

  test('unreadable lines are counted, not fatal', () => {
    const [p] = parseControlParagraphs('Package: a\nthis is not a field\nVersion: 1\n');
    expect(p!.badLines).toBe(1);
    expect(p!.fields.get('version')).toBe('1');
  });
});

describe('parseDpkgStatus', () => {
  test('real status excerpt of this machine: same answer as dpkg-query', () => {
    const { packages, warnings } = status(read('host/var/lib/dpkg/status'));
    expect(warnings).toEqual([]);
    const ours = packages
      .map((p) => [p.name, p.version, p.arch, p.sourceName, p.sourceVersion].join('\t'))
      .sort();
    expect(ours).toHaveLength(8);
    const theirs = dpkgQuery(FIXTURES + 'host/var/lib/dpkg');
    if (theirs) expect(ours).toEqual(theirs);
    expect(ours).toContain('bsdutils\t1:2.38.1-5+deb12u3\tamd64\tutil-linux\t2.38.1-5+deb12u3');
    expect(ours).toContain('bash\t5.2.15-2+b8\tamd64\tbash\t5.2.15-2');
  });

  test('every package is a deb with empty licenses (dpkg status has none)', () => {
    for (const p of status(read('host/var/lib/dpkg/status')).packages) {
      expect(p.type).toBe('deb');
      expect(p.licenses).toEqual([]);
    }
  });

  const para = (status: string, extra = '') =>
    `Package: pkg\nStatus: ${status}\nVersion: 1.0-1\nArchitecture: amd64\n${extra}`;

  test.each`
    statusLine                        | counted
    ${'install ok installed'}         | ${true}
    ${'hold ok installed'}            | ${true}
    ${'deinstall ok config-files'}    | ${false}
    ${'purge ok not-installed'}       | ${false}
    ${'install ok half-installed'}    | ${false}
    ${'install reinstreq installed'}  | ${false}
    ${'install ok unpacked'}          | ${false}
    ${'deinstall ok installed'}       | ${false}
  `('Status: $statusLine → counted $counted', ({ statusLine, counted }) => {
    expect(status(para(statusLine)).packages.length).toBe(counted ? 1 : 0);
  });

  test('a paragraph without Status is not installed in /var/lib/dpkg/status', () => {
    expect(status('Package: a\nVersion: 1\n').packages).toEqual([]);
  });

  test.each`
    source                      | sourceName      | sourceVersion
    ${undefined}                | ${'pkg'}        | ${'1.0-1'}
    ${'glibc'}                  | ${'glibc'}      | ${'1.0-1'}
    ${'util-linux (2.38.1-5)'}  | ${'util-linux'} | ${'2.38.1-5'}
    ${'gcc-12 (1:12.2.0-14)'}   | ${'gcc-12'}     | ${'1:12.2.0-14'}
    ${'bad source (x'}          | ${'pkg'}        | ${'1.0-1'}
  `('Source: $source → $sourceName $sourceVersion', ({ source, sourceName, sourceVersion }) => {
    const extra = source === undefined ? '' : `Source: ${source}\n`;
    const [p] = status(para('install ok installed', extra)).packages;
    expect(p).toMatchObject({ sourceName, sourceVersion });
  });

  test.each`
    name                    | text                                                                                        | problem
    ${'missing Version'}    | ${'Package: a\nStatus: install ok installed\n'}                                            | ${/no Version/}
    ${'bad Version'}        | ${'Package: a\nStatus: install ok installed\nVersion: 1 2\n'}                              | ${/invalid Version/}
    ${'missing Package'}    | ${'Status: install ok installed\nVersion: 1\n'}                                            | ${/no Package/}
    ${'non-UTF-8 name'}     | ${Buffer.from('Package: a\xff\xfeb\nStatus: install ok installed\nVersion: 1\n', 'latin1')} | ${/invalid package name/}
    ${'space in name'}      | ${'Package: a b\nStatus: install ok installed\nVersion: 1\n'}                              | ${/invalid package name/}
  `('$name: warning, and the good package next to it survives', ({ text, problem }) => {
    const bad = Buffer.isBuffer(text) ? new TextDecoder().decode(text) : text;
    const { packages, warnings } = status(`${bad}\n${para('install ok installed')}`);
    expect(packages.map((p) => p.name)).toEqual(['pkg']);
    expect(warnings[0]?.message).toMatch(problem);
    expect(warnings[0]).toMatchObject({ code: 'dpkg-malformed', location: '/var/lib/dpkg/status' });
  });

  test('a 1 MB line and binary garbage do not lose the other packages', () => {
    const huge = `Package: big\nStatus: install ok installed\nVersion: 1\nDescription: ${'x'.repeat(1 << 20)}\n`;
    const garbage = new TextDecoder().decode(Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
    const text = `${huge}\n${garbage}\n\n${'y'.repeat(1 << 20)}\n\n${para('install ok installed')}`;
    const { packages } = status(text);
    expect(packages.map((p) => p.name)).toEqual(['big', 'pkg']);
  });

  test('warnings are capped per file', () => {
    const text = Array.from({ length: 100 }, (_, i) => `Package: p${i}\nStatus: install ok installed\n`).join('\n');
    const { warnings } = status(text);
    expect(warnings).toHaveLength(MAX_WARNINGS_PER_FILE + 1);
    expect(warnings.at(-1)?.message).toMatch(/80 more/);
  });
});

describe('distroless status.d control files', () => {
  const statusD = (name: string) =>
    parseDpkgStatus(read(`distroless/var/lib/dpkg/status.d/${name}`), {
      location: `/var/lib/dpkg/status.d/${name}`,
      requireStatus: false,
    });

  test.each`
    file            | name            | version               | arch       | sourceName      | sourceVersion
    ${'base-files'} | ${'base-files'} | ${'12.4+deb12u15'}    | ${'amd64'} | ${'base-files'} | ${'12.4+deb12u15'}
    ${'libc6'}      | ${'libc6'}      | ${'2.36-9+deb12u14'}  | ${'amd64'} | ${'glibc'}      | ${'2.36-9+deb12u14'}
    ${'libssl3'}    | ${'libssl3'}    | ${'3.0.20-1~deb12u2'} | ${'amd64'} | ${'openssl'}    | ${'3.0.20-1~deb12u2'}
    ${'netbase'}    | ${'netbase'}    | ${'6.4'}              | ${'all'}   | ${'netbase'}    | ${'6.4'}
    ${'tzdata'}     | ${'tzdata'}     | ${'2026b-0+deb12u1'}  | ${'all'}   | ${'tzdata'}     | ${'2026b-0+deb12u1'}
  `('$file → $name $version (source $sourceName $sourceVersion)', ({ file, ...expected }) => {
    const { packages, warnings } = statusD(file);
    expect(warnings).toEqual([]);
    expect(packages).toEqual([{ type: 'deb', licenses: [], ...expected }]);
  });

  test('agrees with the image inventory (inventory/distroless.json)', () => {
    // name version arch source sourceVersion, from /work/shared/fixtures/images/inventory/distroless.json
    const inventory = [
      'base-files 12.4+deb12u15 amd64 base-files 12.4+deb12u15',
      'libc6 2.36-9+deb12u14 amd64 glibc 2.36-9+deb12u14',
      'libssl3 3.0.20-1~deb12u2 amd64 openssl 3.0.20-1~deb12u2',
      'netbase 6.4 all netbase 6.4',
      'tzdata 2026b-0+deb12u1 all tzdata 2026b-0+deb12u1',
    ];
    const ours = ['base-files', 'libc6', 'libssl3', 'netbase', 'tzdata']
      .flatMap((f) => statusD(f).packages)
      .map((p) => [p.name, p.version, p.arch, p.sourceName, p.sourceVersion].join(' '));
    expect(ours).toEqual(inventory);
  });

  test('a status.d file that does carry a Status line is honoured', () => {
    const { packages } = parseDpkgStatus('Package: a\nVersion: 1\nStatus: deinstall ok config-files\n', {
      location: 'x',
      requireStatus: false,
    });
    expect(packages).toEqual([]);
  });
});
