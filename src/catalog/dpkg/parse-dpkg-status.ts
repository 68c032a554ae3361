import type { Warning } from '../../core/types.js';
import type { FoundPackage } from '../types.js';
import { parseControlParagraphs } from './parse-control.js';

export interface DpkgParseResult {
  packages: FoundPackage[];
  warnings: Warning[];
}

export interface DpkgParseOptions {
  /** Where the text came from, for warnings. */
  location: string;
  /**
   * /var/lib/dpkg/status: a paragraph counts only when its Status says installed.
   * Distroless status.d files have no Status line: every paragraph is installed.
   */
  requireStatus: boolean;
}

/** dpkg's own rule for package names (lib/dpkg/parsehelp.c pkg_name_is_illegal), case-tolerant. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9+.\-_]*$/;
/** Debian policy 5.6.12: [epoch:]upstream[-revision]; characters only, the comparator judges the rest. */
const VERSION = /^(?:\d+:)?[A-Za-z0-9][A-Za-z0-9.+~:_-]*$/;
/** "glibc" or "bash (5.2.15-2)" when the source version differs from the binary's. */
const SOURCE = /^(\S+)(?:\s+\(([^()\s]+)\))?$/;

/** Enough to show a pattern without letting a hostile file flood the report. */
export const MAX_WARNINGS_PER_FILE = 20;

/** Collects warnings for one file, keeping the first MAX_WARNINGS_PER_FILE and counting the rest. */
export class WarningSink {
  readonly list: Warning[] = [];
  private dropped = 0;
  constructor(
    private readonly code: string,
    private readonly location: string,
  ) {}
  add(message: string): void {
    if (this.list.length < MAX_WARNINGS_PER_FILE) this.list.push({ code: this.code, message, location: this.location });
    else this.dropped++;
  }
  done(): Warning[] {
    if (this.dropped > 0) {
      this.list.push({ code: this.code, message: `${this.dropped} more problems not shown`, location: this.location });
      this.dropped = 0;
    }
    return this.list;
  }
}

function isInstalled(status: string | undefined): boolean {
  // "want flag state": install/hold, ok, installed. Anything else (deinstall, config-files,
  // half-installed, reinst-required) is not a package whose files can be trusted to be there.
  const [want, flag, state] = (status ?? '').split(/\s+/);
  return (want === 'install' || want === 'hold') && flag === 'ok' && state === 'installed';
}

const show = (s: string): string => JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);

/**
 * Installed packages from a dpkg status database (/var/lib/dpkg/status) or a distroless
 * status.d control file. One bad paragraph is a warning; the others are still reported.
 */
export function parseDpkgStatus(text: string, opts: DpkgParseOptions): DpkgParseResult {
  const sink = new WarningSink('dpkg-malformed', opts.location);
  const packages: FoundPackage[] = [];
  for (const para of parseControlParagraphs(text)) {
    const f = para.fields;
    const name = f.get('package');
    const at = `paragraph at line ${para.line}`;
    if (para.badLines > 0) sink.add(`${at}: ${para.badLines} unreadable line(s) ignored`);
    if (name === undefined) {
      sink.add(`${at}: no Package field`);
      continue;
    }
    const status = f.get('status');
    if ((opts.requireStatus || status !== undefined) && !isInstalled(status)) continue;
    if (!NAME.test(name)) {
      sink.add(`${at}: invalid package name ${show(name)}`);
      continue;
    }
    const version = f.get('version');
    if (!version || !VERSION.test(version)) {
      sink.add(`${at}: package ${name} has ${version ? `an invalid Version ${show(version)}` : 'no Version'}`);
      continue;
    }
    const pkg: FoundPackage = { name, version, type: 'deb', sourceName: name, sourceVersion: version, licenses: [] };
    const source = f.get('source');
    if (source) {
      const m = SOURCE.exec(source);
      if (m && NAME.test(m[1]!) && (m[2] === undefined || VERSION.test(m[2]))) {
        pkg.sourceName = m[1]!;
        if (m[2]) pkg.sourceVersion = m[2];
      } else {
        sink.add(`${at}: package ${name} has an unreadable Source ${show(source)}; using the binary name`);
      }
    }
    const arch = f.get('architecture');
    if (arch) pkg.arch = arch;
    packages.push(pkg);
  }
  return { packages, warnings: sink.done() };
}
