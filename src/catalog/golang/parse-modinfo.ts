/**
 * Parses the module text that cmd/go embeds in binaries, as runtime/debug.ParseBuildInfo does
 * (src/runtime/debug/mod.go):
 *
 *   path\t<main package path>
 *   mod\t<main module>\t<version>\t<sum>
 *   dep\t<module>\t<version>\t<sum>
 *   =>\t<replacement path>\t<version>\t<sum>     (replaces the line above)
 *   build\t<key>=<value>                          (Go >= 1.18; key/value quoted when needed)
 */

export interface GoModule {
  path: string;
  version: string;
  sum?: string;
  replace?: GoModule;
}

export interface GoModInfo {
  /** The main package's import path ("filippo.io/age/cmd/age"). */
  path?: string;
  main?: GoModule;
  deps: GoModule[];
  settings: { key: string; value: string }[];
  /** Lines we could not understand (kept short, for a warning). */
  bad: string[];
}

const MAX_DEPS = 100_000;
const MAX_SETTINGS = 1_000;

function parseModule(fields: string[]): GoModule | undefined {
  const [path, version = '', sum] = fields;
  if (!path) return undefined;
  const m: GoModule = { path, version };
  if (sum) m.sum = sum;
  return m;
}

/** Go's strconv.Quote output is JSON-compatible except for \x, \a, \v and \u{…}-free escapes. */
function unquote(s: string): string {
  if (!s.startsWith('"')) return s;
  try {
    const json = s.replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1').replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b');
    const v: unknown = JSON.parse(json);
    return typeof v === 'string' ? v : s;
  } catch {
    return s;
  }
}

/** Splits `key=value`, honouring a quoted key (which may contain '='). */
function parseSetting(text: string): { key: string; value: string } | undefined {
  let key: string;
  let rest: string;
  if (text.startsWith('"')) {
    const m = /^"(?:[^"\\]|\\.)*"/.exec(text);
    if (!m) return undefined;
    key = unquote(m[0]);
    rest = text.slice(m[0].length);
    if (!rest.startsWith('=')) return undefined;
    rest = rest.slice(1);
  } else {
    const eq = text.indexOf('=');
    if (eq <= 0) return undefined;
    key = text.slice(0, eq);
    rest = text.slice(eq + 1);
  }
  return { key, value: unquote(rest) };
}

export function parseModinfo(text: string): GoModInfo {
  const info: GoModInfo = { deps: [], settings: [], bad: [] };
  let last: GoModule | undefined;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/\r$/, '');
    if (line === '') continue;
    const tab = line.indexOf('\t');
    const kind = tab < 0 ? line : line.slice(0, tab);
    const rest = tab < 0 ? '' : line.slice(tab + 1);
    switch (kind) {
      case 'go':
        // Go >= 1.21 may repeat the toolchain version here; the header string is authoritative.
        break;
      case 'path':
        info.path = rest;
        break;
      case 'mod': {
        const m = parseModule(rest.split('\t'));
        if (m) info.main = last = m;
        else info.bad.push(line);
        break;
      }
      case 'dep': {
        const m = parseModule(rest.split('\t'));
        if (m && info.deps.length < MAX_DEPS) {
          info.deps.push(m);
          last = m;
        } else if (!m) info.bad.push(line);
        break;
      }
      case '=>': {
        const m = parseModule(rest.split('\t'));
        if (m && last && !last.replace) last.replace = m;
        else info.bad.push(line);
        last = undefined;
        break;
      }
      case 'build': {
        const s = parseSetting(rest);
        if (s && info.settings.length < MAX_SETTINGS) info.settings.push(s);
        else if (!s) info.bad.push(line);
        break;
      }
      default:
        info.bad.push(line);
    }
    if (info.bad.length > 20) info.bad.length = 20;
  }
  return info;
}

/**
 * The standard library's version from the toolchain string: "go1.19.8" → "1.19.8",
 * "go1.20.3 X:boringcrypto" → "1.20.3", "go1.21rc2" → "1.21rc2"; development toolchains
 * ("devel go1.23-abcdef …") have no release version and give undefined.
 */
export function stdlibVersion(goVersion: string): string | undefined {
  const m = /^go(\d+(?:\.\d+){0,2}(?:(?:rc|beta)\d+)?)(?:$|[\s+-])/.exec(goVersion.trim());
  return m?.[1];
}
