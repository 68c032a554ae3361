import { describe, expect, test } from 'vitest';
import { EMPTY_FILTERS, countFilters, filterParams, filtersFromParams, type RiskFilters } from './risk-filters';

const withAssets = (a: Partial<RiskFilters['assets']>): RiskFilters => ({ ...EMPTY_FILTERS, assets: { ...EMPTY_FILTERS.assets, ...a } });

describe('filterParams: the console filters as the risks API query', () => {
  test.each`
    name                                  | filters                                                                                     | expected
    ${'nothing'}                          | ${EMPTY_FILTERS}                                                                            | ${{}}
    ${'severities, comma-separated'}      | ${{ ...EMPTY_FILTERS, severity: ['critical', 'high'] }}                                     | ${{ severity: 'critical,high' }}
    ${'tri-states'}                       | ${{ ...EMPTY_FILTERS, fixable: 'true', kev: 'false', accepted: 'true' }}                    | ${{ fixable: 'true', kev: 'false', accepted: 'true' }}
    ${'score range, version only if set'} | ${{ ...EMPTY_FILTERS, scoreMin: '7', scoreVersion: 'v3' }}                                  | ${{ scoreMin: '7', scoreVersion: 'v3' }}
    ${'version without a range'}          | ${{ ...EMPTY_FILTERS, scoreVersion: 'v2' }}                                                 | ${{}}
    ${'dates'}                            | ${{ ...EMPTY_FILTERS, publishedAfter: '2024-01-01', publishedBefore: '2025-01-01' }}        | ${{ publishedAfter: '2024-01-01', publishedBefore: '2025-01-01' }}
    ${'view all is the default'}          | ${{ ...EMPTY_FILTERS, view: 'all' }}                                                        | ${{}}
    ${'view'}                             | ${{ ...EMPTY_FILTERS, view: 'containers' }}                                                 | ${{ view: 'containers' }}
    ${'namespace equals, trimmed list'}   | ${withAssets({ namespace: { value: ' prod , dev ,', match: 'equals' } })}                   | ${{ namespace: 'prod,dev' }}
    ${'image contains'}                   | ${withAssets({ image: { value: 'nginx', match: 'contains' } })}                             | ${{ image: 'nginx', imageMatch: 'contains' }}
    ${'a blank asset filter is none'}     | ${withAssets({ node: { value: '  ', match: 'contains' } })}                                 | ${{}}
  `('$name', ({ filters, expected }) => {
    expect(filterParams(filters)).toEqual(expected);
  });

  test('fields limit what a view sends (compliance has no severity or os)', () => {
    const f: RiskFilters = { ...withAssets({ os: { value: 'debian 12', match: 'equals' }, service: { value: 'web', match: 'equals' } }), severity: ['low'] };
    expect(filterParams(f, ['view', 'namespace', 'service', 'container', 'node', 'image'])).toEqual({ service: 'web' });
  });

  test.each`
    name                     | filters
    ${'nothing'}             | ${EMPTY_FILTERS}
    ${'everything'}          | ${{ ...withAssets({ namespace: { value: 'prod, dev', match: 'equals' }, image: { value: 'nginx', match: 'contains' } }), severity: ['critical', 'low'], fixable: 'true', kev: 'false', accepted: 'true', scoreMin: '4', scoreMax: '9.5', scoreVersion: 'v2', publishedAfter: '2024-01-01', publishedBefore: '2025-06-30', view: 'infrastructure' }}
    ${'one asset, contains'} | ${withAssets({ container: { value: 'web', match: 'contains' } })}
  `('filtersFromParams(filterParams(f)) keeps $name', ({ filters }) => {
    const params = new URLSearchParams(filterParams(filters) as Record<string, string>);
    expect(filterParams(filtersFromParams(params))).toEqual(filterParams(filters));
  });

  test('filtersFromParams ignores what it does not know', () => {
    const f = filtersFromParams(new URLSearchParams('severity=critical,bogus&fixable=maybe&view=everything&nodeMatch=contains&q=x'));
    expect(filterParams(f)).toEqual({ severity: 'critical' });
  });

  test('countFilters counts what the chips show', () => {
    expect(countFilters(EMPTY_FILTERS)).toBe(0);
    expect(countFilters({ ...withAssets({ namespace: { value: 'prod', match: 'equals' } }), severity: ['high'], scoreMin: '5', scoreMax: '9' })).toBe(3);
  });
});
