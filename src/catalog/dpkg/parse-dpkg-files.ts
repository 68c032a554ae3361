/**
 * File ownership from dpkg's per-package lists. Both list every path the package installed;
 * directories are included in `.list` (dpkg cannot tell them apart there), so callers must match
 * exact paths, not prefixes.
 */

/** /var/lib/dpkg/info/<pkg>[:arch].list: one absolute path per line; "/." is the root itself. */
export function parseDpkgList(text: string): string[] {
  const out: string[] = [];
  for (let line of text.split('\n')) {
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line === '' || line === '/.' || line.includes('\0')) continue;
    out.push(line.startsWith('/') ? line : `/${line}`);
  }
  return out;
}

/** /var/lib/dpkg/status.d/<pkg>.md5sums: "<md5>  <path relative to />" (md5sum's text format). */
export function parseMd5sums(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^[0-9a-fA-F]{32} [ *](.+?)\r?$/.exec(line);
    if (!m || m[1]!.includes('\0')) continue;
    const p = m[1]!.replace(/^(?:\.\/)+/, '');
    out.push(p.startsWith('/') ? p : `/${p}`);
  }
  return out;
}

/** "libc6:amd64.list" → "libc6"; "base-files.md5sums" → "base-files". */
export function ownerFromFileName(base: string, suffix: string): string {
  const stem = base.endsWith(suffix) ? base.slice(0, -suffix.length) : base;
  const colon = stem.indexOf(':');
  return colon >= 0 ? stem.slice(0, colon) : stem;
}
