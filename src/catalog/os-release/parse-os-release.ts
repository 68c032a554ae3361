import type { OsInfo } from '../../core/types.js';

/**
 * Parse the os-release format (https://www.freedesktop.org/software/systemd/man/os-release.html):
 * newline-separated `KEY=value` assignments in a shell-compatible subset. Values may be
 * unquoted, "double-quoted" (where \" \\ \$ \` escape) or 'single-quoted' (literal); pieces
 * may be concatenated (`A="x"'y'z`). Lines starting with `#` are comments; an unquoted `#`
 * after whitespace starts a trailing comment. Lines that are not assignments are skipped, like
 * systemd does, so one bad line never loses the others. /etc/lsb-release uses the same format.
 */
export function parseShellAssignments(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (const raw of src.split(/\r?\n/)) {
    const line = raw.trimStart();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=/.exec(line);
    if (!m) continue;
    const value = parseShellValue(line.slice(m[0].length));
    if (value !== undefined) out.set(m[1]!, value);
  }
  return out;
}

/** One shell word; `undefined` when a quote is left open (the line is then ignored). */
function parseShellValue(s: string): string | undefined {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t') break; // end of the word; anything after is a comment or junk
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) return undefined;
      out += s.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      let closed = false;
      while (i < s.length) {
        const d = s[i]!;
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === '\\' && i + 1 < s.length && '"\\$`'.includes(s[i + 1]!)) {
          out += s[i + 1];
          i += 2;
        } else {
          out += d;
          i++;
        }
      }
      if (!closed) return undefined;
    } else if (c === '\\') {
      if (i + 1 < s.length) out += s[i + 1];
      i += 2;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/**
 * The OS identity from an os-release file. `family` is ID lowercased; `version` is VERSION_ID.
 * Debian testing/sid has no VERSION_ID, so the codename (VERSION_CODENAME, or the word before
 * "/sid" in PRETTY_NAME) stands in for it. Returns undefined without an ID.
 */
export function osFromOsRelease(text: string): OsInfo | undefined {
  const kv = parseShellAssignments(text);
  const family = kv.get('ID')?.trim().toLowerCase();
  if (!family) return undefined;
  const prettyName = kv.get('PRETTY_NAME') || kv.get('NAME') || undefined;
  let codename = kv.get('VERSION_CODENAME') || undefined;
  if (!codename && family === 'debian') {
    // Debian testing: PRETTY_NAME="Debian GNU/Linux trixie/sid"
    codename = /\b([a-z]+)\/sid\b/.exec(prettyName ?? '')?.[1];
  }
  if (!codename && family === 'ubuntu') codename = kv.get('UBUNTU_CODENAME') || undefined;
  // Rolling distributions (Arch: BUILD_ID=rolling) have no version at all: the family alone is
  // still worth reporting, with an empty version.
  const version = kv.get('VERSION_ID')?.trim() || codename || kv.get('BUILD_ID')?.trim() || '';
  const os: OsInfo = { family, version };
  if (codename) os.codename = codename;
  if (prettyName) os.prettyName = prettyName;
  return os;
}
