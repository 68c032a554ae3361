import type { OsInfo } from '../../core/types.js';
import { parseShellAssignments } from './parse-os-release.js';

/**
 * Distro release files, for images that have no os-release (old CentOS 6, Debian < 7, Amazon
 * Linux AMI, SLES 11, ...). Each returns an OsInfo normalised to what that distro's os-release
 * would say (same family IDs, same VERSION_ID precision), so that the matcher sees one shape.
 */

/** Debian release numbers to codenames (https://www.debian.org/releases/). */
const DEBIAN_CODENAMES: Record<string, string> = {
  '4': 'etch',
  '5': 'lenny',
  '6': 'squeeze',
  '7': 'wheezy',
  '8': 'jessie',
  '9': 'stretch',
  '10': 'buster',
  '11': 'bullseye',
  '12': 'bookworm',
  '13': 'trixie',
  '14': 'forky',
  '15': 'duke',
};

function firstLine(text: string): string {
  return (text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '').trim();
}

/** `/etc/debian_version`: "12.4" → debian 12 (bookworm); "trixie/sid" → debian trixie. */
export function parseDebianVersion(text: string): OsInfo | undefined {
  const line = firstLine(text);
  const num = /^(\d+)(?:\.\d+)*$/.exec(line);
  if (num) {
    const version = num[1]!;
    const codename = DEBIAN_CODENAMES[version];
    return codename ? { family: 'debian', version, codename } : { family: 'debian', version };
  }
  const named = /^([a-z]+)(?:\/sid)?$/.exec(line);
  if (named) return { family: 'debian', version: named[1]!, codename: named[1]! };
  return undefined;
}

/** `/etc/alpine-release`: "3.15.4" (VERSION_ID in Alpine's os-release is the same string). */
export function parseAlpineRelease(text: string): OsInfo | undefined {
  const line = firstLine(text);
  return /^\d+\.\d+[\w.+-]*$/.test(line) ? { family: 'alpine', version: line } : undefined;
}

/** Name patterns of the Red Hat family, most specific first, to os-release IDs. */
const REDHAT_NAMES: ReadonlyArray<[RegExp, string]> = [
  [/^Red Hat Enterprise Linux/i, 'rhel'],
  [/^CentOS/i, 'centos'],
  [/^Rocky Linux/i, 'rocky'],
  [/^AlmaLinux/i, 'almalinux'],
  [/^Fedora/i, 'fedora'],
  [/^Oracle Linux/i, 'ol'],
  [/^Amazon Linux/i, 'amzn'],
  [/^Scientific Linux/i, 'scientific'],
];

/**
 * `/etc/redhat-release` and friends: "<Name> release <version> (<codename>)". The name decides
 * the family whatever the file is called (Rocky's redhat-release names Rocky). VERSION_ID
 * precision differs per distro: CentOS and Fedora give the major only, RHEL/Rocky/Alma/Oracle
 * major.minor, Amazon Linux the major (2, 2023) except the old AMI (2018.03).
 */
export function parseRedHatRelease(text: string): OsInfo | undefined {
  const line = firstLine(text);
  const m = /^(.*?)\s+release\s+(\d+(?:\.\d+)*)(?:\s*\(([^)]*)\))?/i.exec(line);
  if (!m) return undefined;
  const name = m[1]!.trim();
  const full = m[2]!;
  const family = REDHAT_NAMES.find(([re]) => re.test(name))?.[1];
  if (!family) return undefined;
  const parts = full.split('.');
  let version: string;
  switch (family) {
    case 'centos':
    case 'fedora':
      version = parts[0]!;
      break;
    case 'amzn':
      version = /\bAMI\b/.test(name) ? full : parts[0]!;
      break;
    default:
      version = parts.slice(0, 2).join('.');
  }
  const os: OsInfo = { family, version, prettyName: line };
  const codename = m[3]?.trim();
  if (codename && family !== 'amzn') os.codename = codename;
  return os;
}

/**
 * `/etc/SuSE-release` (SLE 11/12, openSUSE ≤ 42.3):
 *   SUSE Linux Enterprise Server 12 (x86_64)
 *   VERSION = 12
 *   PATCHLEVEL = 3
 * SLES → "sles" "12.3" (like VERSION_ID); openSUSE Leap (42.x) → "opensuse-leap".
 */
export function parseSuseRelease(text: string): OsInfo | undefined {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const name = (lines[0] ?? '').trim();
  const field = (key: string): string | undefined => {
    for (const l of lines) {
      const m = /^\s*([A-Z_]+)\s*=\s*(.*?)\s*$/.exec(l);
      if (m && m[1] === key) return m[2];
    }
    return undefined;
  };
  const ver = field('VERSION') ?? /\b(\d+(?:\.\d+)?)\b/.exec(name)?.[1];
  if (!ver) return undefined;
  let family: string;
  let version = ver;
  if (/^SUSE Linux Enterprise Server/i.test(name)) family = 'sles';
  else if (/^SUSE Linux Enterprise Desktop/i.test(name)) family = 'sled';
  else if (/^openSUSE/i.test(name)) family = Number.parseFloat(ver) >= 42 ? 'opensuse-leap' : 'opensuse';
  else return undefined;
  const patch = field('PATCHLEVEL');
  if ((family === 'sles' || family === 'sled') && patch && patch !== '0' && !ver.includes('.')) {
    version = `${ver}.${patch}`;
  }
  const os: OsInfo = { family, version, prettyName: name.replace(/\s*\([^)]*\)\s*$/, '') };
  const codename = field('CODENAME');
  if (codename) os.codename = codename;
  return os;
}

/** `/etc/lsb-release` (Ubuntu): DISTRIB_ID, DISTRIB_RELEASE, DISTRIB_CODENAME, DISTRIB_DESCRIPTION. */
export function parseLsbRelease(text: string): OsInfo | undefined {
  const kv = parseShellAssignments(text);
  const family = kv.get('DISTRIB_ID')?.trim().toLowerCase();
  const version = kv.get('DISTRIB_RELEASE')?.trim();
  if (!family || !version) return undefined;
  const os: OsInfo = { family, version };
  const codename = kv.get('DISTRIB_CODENAME')?.trim();
  if (codename) os.codename = codename;
  const pretty = kv.get('DISTRIB_DESCRIPTION');
  if (pretty) os.prettyName = pretty;
  return os;
}

/** `/etc/photon-release`: "VMware Photon OS 4.0" (VERSION_ID "4.0"). */
export function parsePhotonRelease(text: string): OsInfo | undefined {
  const m = /^VMware Photon(?: OS| Linux)?\s+(\d+\.\d+)/i.exec(firstLine(text));
  return m ? { family: 'photon', version: m[1]! } : undefined;
}
