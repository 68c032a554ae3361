import type { Artifact, Inventory, OsInfo, Package, PackageType } from '../core/types.js';
import { PACKAGE_TYPES } from '../core/types.js';
import { Collector, normaliseOs } from './common.js';

type Json = Record<string, unknown>;

function obj(v: unknown): Json | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}
function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function properties(c: Json): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const p of arr(c.properties)) {
    const o = obj(p);
    const name = str(o?.name);
    const value = str(o?.value);
    if (name && value !== undefined) out.push([name, value]);
  }
  return out;
}

function licenses(c: Json): string[] | undefined {
  const out: string[] = [];
  for (const l of arr(c.licenses)) {
    const o = obj(l);
    const expr = str(o?.expression);
    const lic = obj(o?.license);
    const v = expr ?? str(lic?.id) ?? str(lic?.name);
    if (v) out.push(v);
  }
  return out.length ? out : undefined;
}

/** Vigil's own properties first (exact round trip), then Trivy's and syft's spellings. */
function applyProperties(pkg: Package, props: Array<[string, string]>): void {
  const get = (name: string) => props.find(([n]) => n === name)?.[1];
  const all = (name: string) => props.filter(([n]) => n === name).map(([, v]) => v);

  const type = get('vigil:package:type');
  if (type && (PACKAGE_TYPES as readonly string[]).includes(type) && type !== pkg.type) pkg.type = type as PackageType;

  const srcName = get('vigil:sourceName') ?? get('aquasecurity:trivy:SrcName');
  let srcVersion = get('vigil:sourceVersion');
  if (!srcVersion && pkg.type === 'deb') {
    const v = get('aquasecurity:trivy:SrcVersion');
    const rel = get('aquasecurity:trivy:SrcRelease');
    const epoch = get('aquasecurity:trivy:SrcEpoch');
    if (v) srcVersion = `${epoch && epoch !== '0' ? `${epoch}:` : ''}${v}${rel ? `-${rel}` : ''}`;
  }
  if (srcName) pkg.sourceName = srcName;
  if (srcVersion) pkg.sourceVersion = srcVersion;

  const layer = get('vigil:layer:diffId') ?? get('aquasecurity:trivy:LayerDiffID');
  if (layer) pkg.layer = layer;
  const locations = all('vigil:location');
  if (locations.length) pkg.locations = locations;
  else {
    const syft = props.filter(([n]) => /^syft:location:\d+:path$/.test(n)).map(([, v]) => v);
    const trivy = all('aquasecurity:trivy:FilePath');
    pkg.locations = [...syft, ...trivy];
  }
  const owned = get('vigil:ownedBy');
  if (owned) {
    const i = owned.indexOf(':');
    const t = owned.slice(0, i);
    if (i > 0 && (PACKAGE_TYPES as readonly string[]).includes(t)) pkg.ownedBy = { type: t as PackageType, name: owned.slice(i + 1) };
  }
  const arch = get('vigil:arch');
  if (arch) pkg.arch = arch;
}

/** A CycloneDX 1.4–1.6 JSON BOM → inventory (components, nested components, metadata.component). */
export function readCycloneDx(doc: Json, fallbackName: string): Inventory {
  const col = new Collector();
  let os: OsInfo | undefined;
  const metadata = obj(doc.metadata);
  const root = obj(metadata?.component);

  const visit = (list: unknown, depth: number): void => {
    if (depth > 64) return;
    for (const item of arr(list)) {
      const c = obj(item);
      if (!c) continue;
      const type = str(c.type);
      const name = str(c.name) ?? '(unnamed)';
      if (type === 'operating-system') {
        os ??= normaliseOs(name, str(c.version));
        if (os && str(c.description)) os.prettyName = str(c.description);
      } else if (type === 'container' || type === 'file' || (type === 'application' && !str(c.purl) && arr(c.components).length)) {
        // Structural components (an image, a lock file) hold packages but are none themselves.
      } else {
        const pkg = col.add(str(c.purl), `${name}${str(c.version) ? `@${str(c.version)}` : ''}`);
        if (pkg) {
          const lic = licenses(c);
          if (lic) pkg.licenses = lic;
          applyProperties(pkg, properties(c));
        }
      }
      visit(c.components, depth + 1);
    }
  };
  visit(doc.components, 0);
  // Some tools nest the packages under metadata.component (e.g. a container's layers).
  if (root) visit(root.components, 1);

  os ??= col.distroOs();
  const artifact: Artifact = { type: 'sbom', name: str(root?.name) ?? fallbackName };
  const digest = str(root?.version);
  if (digest && /^sha256:[0-9a-f]{64}$/.test(digest)) artifact.digest = digest;
  if (os) artifact.os = os;
  if (root) {
    const layers = properties(root)
      .filter(([n]) => n === 'vigil:layer:diffId' || n === 'aquasecurity:trivy:DiffID')
      .map(([, v]) => ({ diffId: v }));
    if (layers.length) artifact.layers = layers;
  }
  return { artifact, packages: col.packages, warnings: col.finish() };
}
