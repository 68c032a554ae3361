import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { FileSource } from '../types.js';
import { osReleaseCataloger } from './index.js';
import { osFromOsRelease, parseShellAssignments } from './parse-os-release.js';
import {
  parseAlpineRelease,
  parseDebianVersion,
  parseLsbRelease,
  parsePhotonRelease,
  parseRedHatRelease,
  parseSuseRelease,
} from './parse-release-files.js';

const fixture = (p: string): string => readFileSync(new URL(`./__fixtures__/${p}`, import.meta.url), 'utf8');

function source(path: string, content: string | Buffer): FileSource {
  const buf = Buffer.isBuffer(content) ? content : Buffer.from(content);
  return {
    path,
    mode: 0o644,
    size: buf.length,
    buffer: async () => buf,
    read: async (o, l) => buf.subarray(o, o + l),
  };
}

describe('parseShellAssignments', () => {
  test.each`
    line                                  | key       | expected
    ${'ID=debian'}                        | ${'ID'}   | ${'debian'}
    ${'NAME="Debian GNU/Linux"'}          | ${'NAME'} | ${'Debian GNU/Linux'}
    ${"NAME='single $quoted'"}            | ${'NAME'} | ${'single $quoted'}
    ${'NAME="a \\"b\\" \\\\ \\$c \\`d"'}  | ${'NAME'} | ${'a "b" \\ $c `d'}
    ${'NAME="keep \\n as is"'}            | ${'NAME'} | ${'keep \\n as is'}
    ${'NAME=un\\ quoted'}                 | ${'NAME'} | ${'un quoted'}
    ${'NAME="con"\'cat\'enated'}          | ${'NAME'} | ${'concatenated'}
    ${'NAME=value # trailing comment'}    | ${'NAME'} | ${'value'}
    ${'export NAME=exported'}             | ${'NAME'} | ${'exported'}
    ${'  NAME=indented'}                  | ${'NAME'} | ${'indented'}
    ${'NAME=""'}                          | ${'NAME'} | ${''}
    ${'NAME="unterminated'}               | ${'NAME'} | ${undefined}
    ${'# NAME=commented'}                 | ${'NAME'} | ${undefined}
    ${'NAME = spaced'}                    | ${'NAME'} | ${undefined}
    ${'\uFEFFNAME=bom'}                   | ${'NAME'} | ${'bom'}
  `('$line → $key=$expected', ({ line, key, expected }) => {
    expect(parseShellAssignments(`${line}\r\nOTHER=1\n`).get(key)).toBe(expected);
  });

  test('a bad line does not lose the others', () => {
    const kv = parseShellAssignments('garbage line\nID="x\nVERSION_ID=1\n\0\0\0\nID=ok');
    expect(kv.get('ID')).toBe('ok');
    expect(kv.get('VERSION_ID')).toBe('1');
  });
});

describe('osFromOsRelease', () => {
  test('real Debian 12 os-release (debian12 image)', () => {
    expect(osFromOsRelease(fixture('debian12/usr/lib/os-release'))).toEqual({
      family: 'debian',
      version: '12',
      codename: 'bookworm',
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
    });
  });

  test('real Alpine os-release (alpine-fake image)', () => {
    expect(osFromOsRelease(fixture('alpine-fake/etc/os-release'))).toEqual({
      family: 'alpine',
      version: '3.15.4',
      prettyName: 'Alpine Linux v3.15',
    });
  });

  test.each`
    name                      | text                                                                                                   | family             | version       | codename
    ${'debian sid'}           | ${'PRETTY_NAME="Debian GNU/Linux trixie/sid"\nNAME="Debian GNU/Linux"\nID=debian'}                     | ${'debian'}        | ${'trixie'}   | ${'trixie'}
    ${'debian testing'}       | ${'PRETTY_NAME="Debian GNU/Linux forky/sid"\nVERSION_CODENAME=forky\nID=debian'}                       | ${'debian'}        | ${'forky'}    | ${'forky'}
    ${'ubuntu'}               | ${'NAME="Ubuntu"\nVERSION_ID="22.04"\nID=ubuntu\nID_LIKE=debian\nVERSION_CODENAME=jammy'}              | ${'ubuntu'}        | ${'22.04'}    | ${'jammy'}
    ${'rhel 9'}               | ${'NAME="Red Hat Enterprise Linux"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="9.3"'}                     | ${'rhel'}          | ${'9.3'}      | ${undefined}
    ${'amazon linux 2'}       | ${'NAME="Amazon Linux"\nVERSION="2"\nID="amzn"\nVERSION_ID="2"'}                                       | ${'amzn'}          | ${'2'}        | ${undefined}
    ${'oracle'}               | ${'NAME="Oracle Linux Server"\nID="ol"\nVERSION_ID="8.9"'}                                             | ${'ol'}            | ${'8.9'}      | ${undefined}
    ${'sles'}                 | ${'NAME="SLES"\nVERSION="15-SP5"\nVERSION_ID="15.5"\nID="sles"'}                                      | ${'sles'}          | ${'15.5'}     | ${undefined}
    ${'opensuse leap'}        | ${'NAME="openSUSE Leap"\nVERSION="15.5"\nID="opensuse-leap"\nVERSION_ID="15.5"'}                      | ${'opensuse-leap'} | ${'15.5'}     | ${undefined}
    ${'upper-case ID'}        | ${'ID=CentOS\nVERSION_ID="7"'}                                                                         | ${'centos'}        | ${'7'}        | ${undefined}
    ${'arch (rolling)'}       | ${'NAME="Arch Linux"\nID=arch\nBUILD_ID=rolling'}                                                      | ${'arch'}          | ${'rolling'}  | ${undefined}
    ${'ubuntu codename only'} | ${'ID=ubuntu\nUBUNTU_CODENAME=noble\nVERSION_ID=24.04'}                                                 | ${'ubuntu'}        | ${'24.04'}    | ${'noble'}
  `('$name', ({ text, family, version, codename }) => {
    const os = osFromOsRelease(text);
    expect(os?.family).toBe(family);
    expect(os?.version).toBe(version);
    expect(os?.codename).toBe(codename);
  });

  test.each([[''], ['NAME=foo'], ['\0\x01\x02garbage'], ['ID=']])('no ID → undefined (%j)', (text) => {
    expect(osFromOsRelease(text)).toBeUndefined();
  });
});

describe('release files', () => {
  test.each`
    parser                 | text                                                                        | family             | version          | codename
    ${parseDebianVersion}  | ${'12.4\n'}                                                                 | ${'debian'}        | ${'12'}          | ${'bookworm'}
    ${parseDebianVersion}  | ${fixture('debian12/etc/debian_version')}                                   | ${'debian'}        | ${'12'}          | ${'bookworm'}
    ${parseDebianVersion}  | ${'9.13'}                                                                   | ${'debian'}        | ${'9'}           | ${'stretch'}
    ${parseDebianVersion}  | ${'6.0.10'}                                                                 | ${'debian'}        | ${'6'}           | ${'squeeze'}
    ${parseDebianVersion}  | ${'bookworm/sid\n'}                                                         | ${'debian'}        | ${'bookworm'}    | ${'bookworm'}
    ${parseDebianVersion}  | ${'trixie/sid'}                                                             | ${'debian'}        | ${'trixie'}      | ${'trixie'}
    ${parseAlpineRelease}  | ${fixture('alpine-fake/etc/alpine-release')}                                | ${'alpine'}        | ${'3.15.4'}      | ${undefined}
    ${parseAlpineRelease}  | ${'3.20.0_alpha20240329\n'}                                                 | ${'alpine'}        | ${'3.20.0_alpha20240329'} | ${undefined}
    ${parseRedHatRelease}  | ${'Red Hat Enterprise Linux Server release 7.9 (Maipo)\n'}                 | ${'rhel'}          | ${'7.9'}         | ${'Maipo'}
    ${parseRedHatRelease}  | ${'Red Hat Enterprise Linux release 8.9 (Ootpa)'}                          | ${'rhel'}          | ${'8.9'}         | ${'Ootpa'}
    ${parseRedHatRelease}  | ${'CentOS Linux release 7.9.2009 (Core)'}                                  | ${'centos'}        | ${'7'}           | ${'Core'}
    ${parseRedHatRelease}  | ${'CentOS release 6.10 (Final)'}                                           | ${'centos'}        | ${'6'}           | ${'Final'}
    ${parseRedHatRelease}  | ${'CentOS Stream release 9'}                                               | ${'centos'}        | ${'9'}           | ${undefined}
    ${parseRedHatRelease}  | ${'Rocky Linux release 8.9 (Green Obsidian)'}                              | ${'rocky'}         | ${'8.9'}         | ${'Green Obsidian'}
    ${parseRedHatRelease}  | ${'AlmaLinux release 9.3 (Shamrock Pampas Cat)'}                           | ${'almalinux'}     | ${'9.3'}         | ${'Shamrock Pampas Cat'}
    ${parseRedHatRelease}  | ${'Fedora release 39 (Thirty Nine)'}                                       | ${'fedora'}        | ${'39'}          | ${'Thirty Nine'}
    ${parseRedHatRelease}  | ${'Oracle Linux Server release 7.9'}                                       | ${'ol'}            | ${'7.9'}         | ${undefined}
    ${parseRedHatRelease}  | ${'Amazon Linux release 2 (Karoo)'}                                        | ${'amzn'}          | ${'2'}           | ${undefined}
    ${parseRedHatRelease}  | ${'Amazon Linux release 2023.3.20240108 (Amazon Linux)'}                   | ${'amzn'}          | ${'2023'}        | ${undefined}
    ${parseRedHatRelease}  | ${'Amazon Linux AMI release 2018.03'}                                      | ${'amzn'}          | ${'2018.03'}     | ${undefined}
    ${parseSuseRelease}    | ${'SUSE Linux Enterprise Server 12 (x86_64)\nVERSION = 12\nPATCHLEVEL = 3\n'} | ${'sles'}       | ${'12.3'}        | ${undefined}
    ${parseSuseRelease}    | ${'SUSE Linux Enterprise Server 11 (x86_64)\nVERSION = 11\nPATCHLEVEL = 0\n'} | ${'sles'}       | ${'11'}          | ${undefined}
    ${parseSuseRelease}    | ${'openSUSE 42.3 (x86_64)\nVERSION = 42.3\nCODENAME = Malachite\n'}        | ${'opensuse-leap'} | ${'42.3'}        | ${'Malachite'}
    ${parseSuseRelease}    | ${'openSUSE 13.2 (x86_64)\nVERSION = 13.2\nCODENAME = Harlequin\n'}        | ${'opensuse'}      | ${'13.2'}        | ${'Harlequin'}
    ${parseLsbRelease}     | ${'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy\nDISTRIB_DESCRIPTION="Ubuntu 22.04.3 LTS"\n'} | ${'ubuntu'} | ${'22.04'} | ${'jammy'}
    ${parsePhotonRelease}  | ${'VMware Photon OS 4.0\nPHOTON_BUILD_NUMBER=2f5aad892\n'}                 | ${'photon'}        | ${'4.0'}         | ${undefined}
    ${parsePhotonRelease}  | ${'VMware Photon Linux 1.0\nPHOTON_BUILD_NUMBER=62c543d\n'}                | ${'photon'}        | ${'1.0'}         | ${undefined}
  `('$text → $family $version', ({ parser, text, family, version, codename }) => {
    const os = (parser as (t: string) => { family: string; version: string; codename?: string } | undefined)(text);
    expect(os?.family).toBe(family);
    expect(os?.version).toBe(version);
    expect(os?.codename).toBe(codename);
  });

  test.each`
    parser                | text
    ${parseDebianVersion} | ${'\0\xff garbage'}
    ${parseDebianVersion} | ${''}
    ${parseAlpineRelease} | ${'edge'}
    ${parseRedHatRelease} | ${'Some Unknown Linux release 1.0'}
    ${parseRedHatRelease} | ${'no version here'}
    ${parseSuseRelease}   | ${'Windows 95'}
    ${parseLsbRelease}    | ${'DISTRIB_ID=Ubuntu'}
    ${parsePhotonRelease} | ${'Photon'}
  `('unrecognised $text → undefined', ({ parser, text }) => {
    expect((parser as (t: string) => unknown)(text)).toBeUndefined();
  });
});

describe('osReleaseCataloger', () => {
  const ctx = { mode: 'image' as const };

  test.each`
    path                        | wanted
    ${'/etc/os-release'}        | ${true}
    ${'/usr/lib/os-release'}    | ${true}
    ${'/etc/debian_version'}    | ${true}
    ${'/etc/alpine-release'}    | ${true}
    ${'/etc/system-release'}    | ${true}
    ${'/etc/SuSE-release'}      | ${true}
    ${'/etc/lsb-release'}       | ${true}
    ${'/etc/photon-release'}    | ${true}
    ${'/etc/os-release.bak'}    | ${false}
    ${'/app/etc/os-release'}    | ${false}
    ${'/etc/suse-release'}      | ${false}
  `('matches($path) === $wanted', ({ path, wanted }) => {
    expect(osReleaseCataloger.matches({ path, mode: 0o644, size: 10 }, ctx)).toBe(wanted);
  });

  test('os-release outranks the distro release files; /etc outranks /usr/lib', async () => {
    const prio = async (path: string, text: string) =>
      (await osReleaseCataloger.parse(source(path, text), ctx)).os?.priority ?? -1;
    const etc = await prio('/etc/os-release', 'ID=debian\nVERSION_ID=12');
    const usr = await prio('/usr/lib/os-release', 'ID=debian\nVERSION_ID=12');
    const lsb = await prio('/etc/lsb-release', 'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04');
    const debv = await prio('/etc/debian_version', 'bookworm/sid');
    const rocky = await prio('/etc/rocky-release', 'Rocky Linux release 8.9 (Green Obsidian)');
    const redhat = await prio('/etc/redhat-release', 'Rocky Linux release 8.9 (Green Obsidian)');
    expect(etc).toBeGreaterThan(usr);
    expect(usr).toBeGreaterThan(lsb);
    expect(lsb).toBeGreaterThan(debv);
    expect(rocky).toBeGreaterThan(redhat);
    // An os-release without any version must let a release file fill in.
    expect(await prio('/etc/os-release', 'ID=debian')).toBeLessThan(debv);
  });

  test('real debian12 file through the cataloger', async () => {
    const facts = await osReleaseCataloger.parse(source('/usr/lib/os-release', fixture('debian12/usr/lib/os-release')), ctx);
    expect(facts.os).toMatchObject({ family: 'debian', version: '12', codename: 'bookworm' });
    expect(facts.warnings).toBeUndefined();
  });

  test('garbage gives a warning, not a throw', async () => {
    const facts = await osReleaseCataloger.parse(source('/etc/os-release', Buffer.from([0xff, 0xfe, 0, 1, 2, 0x80])), ctx);
    expect(facts.os).toBeUndefined();
    expect(facts.warnings?.[0]).toMatchObject({ code: 'os-release-unrecognised', location: '/etc/os-release' });
  });
});
