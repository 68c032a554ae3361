// Vigil's `--format json` packages vs Trivy's CycloneDX components, by purl: type, namespace,
// name, version and the `epoch` qualifier (Trivy and Vigil both put deb epochs there). Other
// qualifiers (arch, distro) are compared separately: they do not make a different package.
import { createRequire } from 'node:module';

const { PackageURL } = createRequire(import.meta.url)('packageurl-js');

function identity(purl) {
  const p = PackageURL.fromString(purl);
  const epoch = p.qualifiers?.epoch;
  return {
    key: `${p.type}:${p.namespace ? `${p.namespace}/` : ''}${p.name}@${p.version}${epoch ? ` (epoch ${epoch})` : ''}`,
    qualifiers: Object.fromEntries(Object.entries(p.qualifiers ?? {}).filter(([k]) => k !== 'epoch')),
  };
}

export function vigilPackages(report) {
  const map = new Map();
  for (const p of report.packages ?? []) {
    if (!p.purl) continue;
    const id = identity(p.purl);
    map.set(id.key, { ...id, locations: p.locations ?? [], ownedBy: p.ownedBy, type: p.type });
  }
  return map;
}

export function trivyPackages(bom) {
  const map = new Map();
  const walk = (components) => {
    for (const c of components ?? []) {
      if (c.purl) {
        const id = identity(c.purl);
        const prop = (n) => c.properties?.find((x) => x.name === n)?.value;
        const prev = map.get(id.key);
        const filePath = prop('aquasecurity:trivy:FilePath');
        map.set(id.key, { ...id, locations: [...(prev?.locations ?? []), ...(filePath ? [`/${filePath}`] : [])] });
      }
      walk(c.components);
    }
  };
  walk(bom.components);
  return map;
}

/**
 * Known, explained differences. Each returns a reason id (documented in docs/benchmarks.md,
 * "Vigil and Trivy: package list differences") or undefined.
 */
const RULES = [
  // Vigil lists language packages whose files a deb owns (marked ownedBy; SPEC: matched through
  // the OS data). Trivy drops them: its language analysers skip files in dpkg's file lists.
  (side, p) => (side === 'vigil-only' && p.ownedBy?.type === 'deb' ? 'os-owned-language-package' : undefined),
  // Trivy reports the project's own package.json (a root, not an installed dependency).
  (side, p) =>
    side === 'trivy-only' && p.key.startsWith('npm:') && p.locations.length > 0 && p.locations.every((l) => !l.includes('/node_modules/'))
      ? 'npm-project-root'
      : undefined,
  // Vigil reports the Go toolchain of every Go binary as `stdlib`; this Trivy build does not.
  (side, p) => (side === 'vigil-only' && p.key.startsWith('golang:stdlib@') ? 'go-stdlib' : undefined),
];

export function comparePackages(vigil, trivy) {
  const differences = [];
  for (const [side, a, b] of [['vigil-only', vigil, trivy], ['trivy-only', trivy, vigil]]) {
    for (const [key, p] of a) {
      if (b.has(key)) continue;
      const reason = RULES.map((r) => r(side, p)).find(Boolean) ?? 'UNEXPLAINED';
      differences.push({ side, package: key, reason, locations: p.locations.slice(0, 3), ...(p.ownedBy ? { ownedBy: `${p.ownedBy.type}:${p.ownedBy.name}` } : {}) });
    }
  }
  // Same package, different qualifiers (e.g. distro=debian-12 vs debian-12.15): counted, not listed.
  const qualifierDiffs = {};
  for (const [key, p] of vigil) {
    const t = trivy.get(key);
    if (!t) continue;
    for (const q of new Set([...Object.keys(p.qualifiers), ...Object.keys(t.qualifiers)])) {
      if (p.qualifiers[q] === t.qualifiers[q]) continue;
      const k = `${q}: vigil ${p.qualifiers[q] ?? '(none)'} / trivy ${t.qualifiers[q] ?? '(none)'}`;
      qualifierDiffs[k] = (qualifierDiffs[k] ?? 0) + 1;
    }
  }
  const common = [...vigil.keys()].filter((k) => trivy.has(k)).length;
  return { vigil: vigil.size, trivy: trivy.size, common, differences, qualifierDiffs };
}
