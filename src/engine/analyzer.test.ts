import { describe, expect, test } from 'vitest';
import type { AnalyzedRecord } from './analyzer.js';
import { emptyLayerFacts, type LayerFacts } from './collect.js';
import { mergeLayers } from './merge.js';

const rec = (path: string, layer: number): AnalyzedRecord => ({ path, layer, meta: { path, mode: 0o4755, size: 1, uid: 0, gid: 0, uname: '', gname: '' }, values: { a: true } });

function layer(index: number, f: (l: LayerFacts) => void): LayerFacts {
  const l = emptyLayerFacts(index);
  f(l);
  return l;
}

describe('mergeLayers: analyzed entries follow the overlay rules', () => {
  test('whiteouts, opaque directories, symlinks and upper versions replace lower entries', () => {
    const view = mergeLayers([
      layer(0, (l) => {
        for (const p of ['/a/x', '/b/y', '/c', '/d', '/e']) l.analyzed.set(p, rec(p, 0));
      }),
      layer(1, (l) => {
        l.whiteouts.push('/a');
        l.opaqueDirs.push('/b');
        l.symlinks.set('/c', '/bin/true');
        l.analyzed.set('/d', { ...rec('/d', 1), values: {} });
        // A file a cataloger read in this layer: the lower analysis of it is stale.
        l.records.set('/e', { path: '/e', layer: 1, results: [] });
      }),
    ]);
    expect([...view.analyzed.keys()]).toEqual(['/d']);
    expect(view.analyzed.get('/d')).toMatchObject({ layer: 1, values: {} });
  });

  test('layers merge in index order whatever order they were read in', () => {
    const view = mergeLayers([layer(1, (l) => l.analyzed.set('/x', rec('/x', 1))), layer(0, (l) => l.analyzed.set('/x', rec('/x', 0)))]);
    expect(view.analyzed.get('/x')?.layer).toBe(1);
  });
});
