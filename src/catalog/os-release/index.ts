import type { OsInfo } from '../../core/types.js';
import type { Cataloger, FileFacts } from '../types.js';
import { osFromOsRelease } from './parse-os-release.js';
import {
  parseAlpineRelease,
  parseDebianVersion,
  parseLsbRelease,
  parsePhotonRelease,
  parseRedHatRelease,
  parseSuseRelease,
} from './parse-release-files.js';

interface ReleaseFile {
  parse(text: string): OsInfo | undefined;
  /** Higher wins when several files give an identity (see FileFacts.os). */
  priority: number;
}

/**
 * The files that say which distribution this is, with their priority. os-release is the
 * standard (systemd); /etc/os-release overrides /usr/lib/os-release as os-release(5) says.
 * The release files only matter when there is no os-release; among them the vendor-specific
 * ones beat the generic ones (redhat-release, system-release), and /etc/lsb-release beats
 * /etc/debian_version, which on Ubuntu names the Debian base ("bookworm/sid").
 */
const RELEASE_FILES: ReadonlyMap<string, ReleaseFile> = new Map<string, ReleaseFile>([
  ['/etc/os-release', { parse: osFromOsRelease, priority: 100 }],
  ['/usr/lib/os-release', { parse: osFromOsRelease, priority: 99 }],
  ['/etc/lsb-release', { parse: parseLsbRelease, priority: 60 }],
  ['/etc/alpine-release', { parse: parseAlpineRelease, priority: 50 }],
  ['/etc/centos-release', { parse: parseRedHatRelease, priority: 50 }],
  ['/etc/rocky-release', { parse: parseRedHatRelease, priority: 50 }],
  ['/etc/almalinux-release', { parse: parseRedHatRelease, priority: 50 }],
  ['/etc/fedora-release', { parse: parseRedHatRelease, priority: 50 }],
  ['/etc/oracle-release', { parse: parseRedHatRelease, priority: 50 }],
  ['/etc/SuSE-release', { parse: parseSuseRelease, priority: 50 }],
  ['/etc/photon-release', { parse: parsePhotonRelease, priority: 50 }],
  ['/etc/redhat-release', { parse: parseRedHatRelease, priority: 40 }],
  ['/etc/system-release', { parse: parseRedHatRelease, priority: 40 }],
  ['/etc/debian_version', { parse: parseDebianVersion, priority: 30 }],
]);

/** An os-release with no version at all (rolling distros) must not beat a release file that has one. */
const VERSIONLESS_PRIORITY = 20;

export const osReleaseCataloger = {
  name: 'os-release',
  ecosystems: ['os'],
  maxSize: 64 * 1024,
  matches(file, _ctx) {
    return RELEASE_FILES.has(file.path);
  },
  async parse(file, _ctx): Promise<FileFacts> {
    const kind = RELEASE_FILES.get(file.path);
    if (!kind) return {};
    const text = new TextDecoder('utf-8').decode(await file.buffer());
    const os = kind.parse(text);
    if (!os) {
      return {
        warnings: [
          { code: 'os-release-unrecognised', message: 'no OS identity could be read from this file', location: file.path },
        ],
      };
    }
    return { os: { ...os, priority: os.version ? kind.priority : VERSIONLESS_PRIORITY } };
  },
} satisfies Cataloger;
