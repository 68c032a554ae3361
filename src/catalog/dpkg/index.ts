import type { Cataloger, FileFacts, FileSource } from '../types.js';
import { ownerFromFileName, parseDpkgList, parseMd5sums } from './parse-dpkg-files.js';
import { parseDpkgStatus } from './parse-dpkg-status.js';

const STATUS = '/var/lib/dpkg/status';
/** Distroless images: one control file per package, plus `<pkg>.md5sums`, and no Status lines. */
const STATUS_D = '/var/lib/dpkg/status.d/';
const INFO = '/var/lib/dpkg/info/';

/** Other control members that may sit beside the control files in status.d; they are not packages. */
const NOT_A_CONTROL_FILE = /\.(?:conffiles|list|preinst|postinst|prerm|postrm|config|templates|triggers|shlibs|symbols)$/;

type Kind = 'status' | 'status.d' | 'md5sums' | 'list';

function kindOf(path: string): Kind | undefined {
  if (path === STATUS) return 'status';
  if (path.startsWith(STATUS_D)) {
    const base = path.slice(STATUS_D.length);
    if (base === '' || base.includes('/') || base.startsWith('.')) return undefined;
    if (base.endsWith('.md5sums')) return 'md5sums';
    return NOT_A_CONTROL_FILE.test(base) ? undefined : 'status.d';
  }
  if (path.startsWith(INFO) && path.endsWith('.list')) {
    const base = path.slice(INFO.length);
    return base.includes('/') || base.startsWith('.') ? undefined : 'list';
  }
  return undefined;
}

async function text(file: FileSource): Promise<string> {
  // Non-UTF-8 bytes become U+FFFD: names holding them fail validation and are warned about.
  return new TextDecoder('utf-8').decode(await file.buffer());
}

function owned(file: FileSource, base: string, suffix: string, paths: string[]): FileFacts {
  const name = ownerFromFileName(base, suffix);
  if (!/^[A-Za-z0-9][A-Za-z0-9+.\-_]*$/.test(name)) {
    return { warnings: [{ code: 'dpkg-malformed', message: 'file list of an invalid package name', location: file.path }] };
  }
  return paths.length ? { owned: [{ owner: { type: 'deb', name }, paths }] } : {};
}

/**
 * Debian packages: /var/lib/dpkg/status (installed ones only), distroless status.d control files,
 * and which files they own (info/*.list, status.d/*.md5sums).
 */
export const dpkgCataloger = {
  name: 'dpkg',
  ecosystems: ['deb'],
  matches(file, _ctx) {
    return kindOf(file.path) !== undefined;
  },
  async parse(file, _ctx): Promise<FileFacts> {
    const kind = kindOf(file.path);
    const base = file.path.slice(file.path.lastIndexOf('/') + 1);
    switch (kind) {
      case 'status':
      case 'status.d': {
        const { packages, warnings } = parseDpkgStatus(await text(file), {
          location: file.path,
          requireStatus: kind === 'status',
        });
        const facts: FileFacts = { packages };
        if (warnings.length) facts.warnings = warnings;
        return facts;
      }
      case 'list':
        return owned(file, base, '.list', parseDpkgList(await text(file)));
      case 'md5sums':
        return owned(file, base, '.md5sums', parseMd5sums(await text(file)));
      default:
        return {};
    }
  },
} satisfies Cataloger;
