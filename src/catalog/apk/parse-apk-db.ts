import type { Warning } from '../../core/types.js';
import type { FoundPackage, OwnedFiles } from '../types.js';

/**
 * The apk-tools v2 installed database (/lib/apk/db/installed), documented at
 * https://wiki.alpinelinux.org/wiki/Apk_spec: one paragraph per package, blank-line separated,
 * each line "<letter>:<value>". Used here: P name, V version, A arch, o origin (the source
 * package, which Alpine's secdb is keyed by), L license, F directory and R file (an R belongs
 * to the last F before it, or to the root when there is none).
 */
export interface ApkParseResult {
  packages: FoundPackage[];
  owned: OwnedFiles[];
  warnings: Warning[];
}

/** apk package names and versions never hold whitespace, control characters or U+FFFD. */
const TOKEN = /^[^\s\p{Cc}\uFFFD]+$/u;
const MAX_WARNINGS = 20;

interface Draft {
  line: number;
  name?: string;
  version?: string;
  arch?: string;
  origin?: string;
  license?: string;
  dir: string;
  files: string[];
}

export function parseApkDb(text: string, location: string): ApkParseResult {
  const packages: FoundPackage[] = [];
  const owned: OwnedFiles[] = [];
  const warnings: Warning[] = [];
  let dropped = 0;
  const warn = (message: string): void => {
    if (warnings.length < MAX_WARNINGS) warnings.push({ code: 'apk-malformed', message, location });
    else dropped++;
  };

  let draft: Draft | undefined;
  const flush = (): void => {
    const d = draft;
    draft = undefined;
    if (!d) return;
    const at = `package at line ${d.line}`;
    if (d.name === undefined || !TOKEN.test(d.name)) {
      warn(`${at}: ${d.name === undefined ? 'no P: (name) line' : 'invalid package name'}`);
      return;
    }
    if (d.version === undefined || !TOKEN.test(d.version)) {
      warn(`${at}: package ${d.name} has ${d.version === undefined ? 'no V: (version) line' : 'an invalid version'}`);
      return;
    }
    const pkg: FoundPackage = {
      name: d.name,
      version: d.version,
      type: 'apk',
      sourceName: d.origin && TOKEN.test(d.origin) ? d.origin : d.name,
      licenses: d.license ? [d.license] : [],
    };
    if (d.arch) pkg.arch = d.arch;
    packages.push(pkg);
    if (d.files.length) owned.push({ owner: { type: 'apk', name: d.name }, paths: d.files });
  };

  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line === '') {
      flush();
      continue;
    }
    if (line.length < 2 || line[1] !== ':') {
      warn(`line ${i + 1}: not a "<letter>:<value>" line`);
      continue;
    }
    draft ??= { line: i + 1, dir: '', files: [] };
    const value = line.slice(2);
    switch (line[0]) {
      case 'P':
        draft.name = value;
        break;
      case 'V':
        draft.version = value;
        break;
      case 'A':
        draft.arch = value;
        break;
      case 'o':
        draft.origin = value;
        break;
      case 'L':
        draft.license = value.trim();
        break;
      case 'F':
        draft.dir = value.replace(/^\/+|\/+$/g, '');
        break;
      case 'R':
        if (value && !value.includes('/') && !value.includes('\0')) {
          draft.files.push(draft.dir ? `/${draft.dir}/${value}` : `/${value}`);
        }
        break;
      default:
        break; // checksums, sizes, dependencies, ACLs: not needed for an inventory
    }
  }
  flush();
  if (dropped) warnings.push({ code: 'apk-malformed', message: `${dropped} more problems not shown`, location });
  return { packages, owned, warnings };
}
