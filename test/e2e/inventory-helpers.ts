import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Inventory } from '../../src/core/types.js';
import { SHARED_DIR } from '../helpers/registry.js';

export const FIXTURE_TAGS = ['debian12', 'app', 'distroless', 'alpine-fake', 'app-insecure'] as const;
export type FixtureTag = (typeof FIXTURE_TAGS)[number];

interface ExpectedPackage {
  type: string;
  name: string;
  version: string;
  layerIndex: number;
  dpkgOwned?: boolean;
  paths: string[];
  arch?: string;
  sourceName?: string;
  sourceVersion?: string;
}

export interface ExpectedInventory {
  osFamily: string;
  osVersion: string;
  packages: ExpectedPackage[];
  mustNotBeReported: Array<{ type: string; name: string; version: string }>;
  applications: Array<{ type: string; name: string; version: string }>;
}

/** The fixture README's exact inventory of an image (read from ../shared at test time). */
export function expectedInventory(tag: FixtureTag): ExpectedInventory {
  return JSON.parse(readFileSync(path.join(SHARED_DIR, 'fixtures/images/inventory', `${tag}.json`), 'utf8')) as ExpectedInventory;
}

/** One comparable line per package: what the fixture README promises, nothing more. */
export function expectedRows(exp: ExpectedInventory, withLayers: boolean): string[] {
  return exp.packages
    .map((p) =>
      [
        p.type,
        p.name,
        p.version,
        withLayers ? `L${p.layerIndex}` : '',
        p.dpkgOwned ? 'owned' : '',
        p.sourceName ?? '',
        p.sourceVersion ?? '',
        [...p.paths].sort().join(','),
      ].join(' | '),
    )
    .sort();
}

export function actualRows(inv: Inventory, withLayers: boolean): string[] {
  const layerIndex = new Map((inv.artifact.layers ?? []).map((l, i) => [l.diffId, i]));
  return inv.packages
    .map((p) =>
      [
        p.type,
        p.name,
        p.version,
        withLayers ? `L${p.layer ? layerIndex.get(p.layer) : '?'}` : '',
        p.ownedBy ? 'owned' : '',
        p.type === 'deb' || p.type === 'apk' ? (p.sourceName ?? '') : '',
        p.type === 'deb' ? (p.sourceVersion ?? '') : '',
        [...p.locations].sort().join(','),
      ].join(' | '),
    )
    .sort();
}

/** Checks an inventory against the fixture: same packages, layers, ownership, OS; nothing it must not have. */
export function checkInventory(inv: Inventory, tag: FixtureTag, opts: { withLayers: boolean }): { missing: string[]; extra: string[]; problems: string[] } {
  const exp = expectedInventory(tag);
  const want = expectedRows(exp, opts.withLayers);
  const got = actualRows(inv, opts.withLayers);
  const problems: string[] = [];
  if (inv.artifact.os?.family !== exp.osFamily || inv.artifact.os?.version !== exp.osVersion) {
    problems.push(`os ${inv.artifact.os?.family} ${inv.artifact.os?.version} != ${exp.osFamily} ${exp.osVersion}`);
  }
  for (const bad of [...exp.mustNotBeReported, ...exp.applications]) {
    if (inv.packages.some((p) => p.type === bad.type && p.name === bad.name && p.version === bad.version)) {
      problems.push(`reported ${bad.type} ${bad.name} ${bad.version}, which the image does not have installed`);
    }
  }
  for (const p of inv.packages) if (!p.purl.startsWith(`pkg:${p.type === 'pypi' ? 'pypi' : p.type}/`)) problems.push(`bad purl ${p.purl}`);
  return { missing: want.filter((r) => !got.includes(r)), extra: got.filter((r) => !want.includes(r)), problems };
}
