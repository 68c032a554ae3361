import type { OsInfo, Package, Warning } from '../core/types.js';
import { packageFromPurl } from './purl.js';

/** Collects packages and the warnings that go with reading them (one per kind where there could be many). */
export class Collector {
  readonly packages: Package[] = [];
  readonly warnings: Warning[] = [];
  /** The OS the purls' `distro` qualifiers name, most frequent first. */
  private readonly distros = new Map<string, { os: OsInfo; n: number }>();
  private readonly unknownTypes = new Map<string, number>();
  private noPurl = 0;
  private readonly noPurlNames: string[] = [];
  private invalid = 0;

  /** Adds the package a purl names; undefined when the purl is missing, invalid or of an unknown type. */
  add(purl: string | undefined, label: string): Package | undefined {
    if (!purl) {
      this.noPurl++;
      if (this.noPurlNames.length < 3) this.noPurlNames.push(label);
      return undefined;
    }
    const r = packageFromPurl(purl);
    if ('unknownType' in r) {
      this.unknownTypes.set(r.unknownType, (this.unknownTypes.get(r.unknownType) ?? 0) + 1);
      return undefined;
    }
    if ('invalid' in r) {
      this.invalid++;
      this.warnings.push({ code: 'sbom-bad-purl', message: `${label}: invalid purl ${JSON.stringify(purl)} (${r.invalid}); skipped` });
      return undefined;
    }
    if (r.ok.os) {
      const key = `${r.ok.os.family}\u0000${r.ok.os.version}`;
      const e = this.distros.get(key) ?? { os: r.ok.os, n: 0 };
      e.n++;
      this.distros.set(key, e);
    }
    this.packages.push(r.ok.pkg);
    return r.ok.pkg;
  }

  distroOs(): OsInfo | undefined {
    return [...this.distros.values()].sort((a, b) => b.n - a.n)[0]?.os;
  }

  finish(): Warning[] {
    if (this.noPurl) {
      const more = this.noPurl > this.noPurlNames.length ? ', …' : '';
      this.warnings.push({ code: 'sbom-no-purl', message: `${this.noPurl} component(s) without a purl skipped (${this.noPurlNames.join(', ')}${more})` });
    }
    if (this.unknownTypes.size) {
      const n = [...this.unknownTypes.values()].reduce((a, b) => a + b, 0);
      const types = [...this.unknownTypes.keys()].sort().join(', ');
      this.warnings.push({ code: 'sbom-unsupported-purl', message: `${n} package(s) of purl types Vigil does not match skipped (${types})` });
    }
    return this.warnings;
  }
}

/** An OS family/version as other tools name it: "Debian GNU/Linux" → debian, "12.4" kept. */
export function normaliseOs(name: string, version: string | undefined): OsInfo | undefined {
  if (!version) return undefined;
  const n = name.trim().toLowerCase();
  const known: Array<[RegExp, string]> = [
    [/^debian/, 'debian'],
    [/^ubuntu/, 'ubuntu'],
    [/^alpine/, 'alpine'],
    [/^(red hat|redhat|rhel)/, 'rhel'],
    [/^centos/, 'centos'],
    [/^rocky/, 'rocky'],
    [/^alma/, 'almalinux'],
    [/^fedora/, 'fedora'],
    [/^(amazon|amzn)/, 'amzn'],
    [/^(oracle|ol$)/, 'ol'],
  ];
  const family = known.find(([re]) => re.test(n))?.[1] ?? n.replace(/\s+/g, '-');
  return family ? { family, version } : undefined;
}
