import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { dotnetDepsCataloger } from './index.js';
import { fixtureSource, sourceOf } from '../shared/__fixtures__/file-sources.js';

/** Written in the documented format (no .NET SDK or package on the build host ships one). */
const ROOT = fileURLToPath(new URL('./__fixtures__', import.meta.url));
const ctx = { mode: 'image' } as const;

describe('dotnetDepsCataloger', () => {
  test.each`
    path                          | expected
    ${'/app/WebApp.deps.json'}    | ${true}
    ${'/app/WebApp.runtimeconfig.json'} | ${false}
    ${'/app/deps.json.bak'}       | ${false}
  `('matches($path) === $expected', ({ path, expected }) => {
    expect(dotnetDepsCataloger.matches({ path, mode: 0o644, size: 1 }, ctx)).toBe(expected);
  });

  test('packages only: the project and the reference are not NuGet packages', async () => {
    const facts = await dotnetDepsCataloger.parse(fixtureSource(ROOT, '/app/WebApp.deps.json'), ctx);
    expect(facts.packages).toEqual([
      { name: 'Newtonsoft.Json', version: '13.0.1', type: 'nuget' },
      { name: 'System.Text.Encodings.Web', version: '4.7.1', type: 'nuget' },
    ]);
  });

  test.each`
    why                        | content                                                              | expected
    ${'no libraries'}          | ${'{"targets":{}}'}                                                  | ${[]}
    ${'libraries an array'}    | ${'{"libraries":[1]}'}                                               | ${[]}
    ${'key without a slash'}   | ${'{"libraries":{"A":{"type":"package"}}}'}                          | ${[]}
    ${'empty version'}         | ${'{"libraries":{"A/":{"type":"package"}}}'}                         | ${[]}
    ${'entry not an object'}   | ${'{"libraries":{"A/1.0":"package"}}'}                               | ${[]}
    ${'type missing'}          | ${'{"libraries":{"A/1.0":{}}}'}                                      | ${[]}
    ${'runtimepack skipped'}   | ${'{"libraries":{"A/1.0":{"type":"runtimepack"},"B/2.0":{"type":"package"}}}'} | ${['B@2.0']}
  `('$why', async ({ content, expected }) => {
    const facts = await dotnetDepsCataloger.parse(sourceOf('/a/x.deps.json', content), ctx);
    expect((facts.packages ?? []).map((p) => `${p.name}@${p.version}`)).toEqual(expected);
  });

  test.each`
    why              | content
    ${'broken JSON'} | ${'{"libraries":'}
    ${'an array'}    | ${'[]'}
    ${'non-UTF-8'}   | ${Buffer.from([0xff, 0xfe, 0x7b])}
  `('$why: one catalog-bad-file error', async ({ content }) => {
    await expect(dotnetDepsCataloger.parse(sourceOf('/a/x.deps.json', content), ctx)).rejects.toMatchObject({ code: 'catalog-bad-file' });
  });

  test('a large deps.json (20 000 libraries) parses', async () => {
    const libraries: Record<string, unknown> = {};
    for (let i = 0; i < 20_000; i++) libraries[`P${i}/1.0.${i}`] = { type: 'package' };
    const facts = await dotnetDepsCataloger.parse(sourceOf('/a/x.deps.json', JSON.stringify({ libraries })), ctx);
    expect(facts.packages).toHaveLength(20_000);
  });
});
