import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { BENCHMARK_FILES, loadBenchmark, parseBenchmark } from './load-benchmark.js';
import { selectChecks } from './filters.js';

const DIR = fileURLToPath(new URL('../benchmarks/', import.meta.url));

describe('benchmark definitions', () => {
  test('every definition file is registered', async () => {
    const files = (await readdir(DIR)).filter((f) => f.endsWith('.yaml')).sort();
    expect(files).toEqual([...BENCHMARK_FILES.values()].sort());
  });

  test.each([...BENCHMARK_FILES.keys()])('%s loads and validates', async (id) => {
    const def = await loadBenchmark(id);
    expect(def.id).toBe(id);
    expect(def.checks.length).toBeGreaterThan(0);
    for (const c of def.checks) {
      expect(c.remediation.length, c.id).toBeGreaterThan(20);
      if (c.manual === undefined) expect(c.audit?.length, c.id).toBeGreaterThan(0);
    }
  });

  test('CIS Docker 1.6.0 has every section number of the document', async () => {
    const ids = (await loadBenchmark('cis-docker-1.6.0')).checks.map((c) => c.id);
    const expected = [
      ...Array.from({ length: 18 }, (_, i) => `1.1.${i + 1}`), '1.2.1', '1.2.2',
      ...Array.from({ length: 18 }, (_, i) => `2.${i + 1}`),
      ...Array.from({ length: 24 }, (_, i) => `3.${i + 1}`),
      ...Array.from({ length: 12 }, (_, i) => `4.${i + 1}`),
      ...Array.from({ length: 32 }, (_, i) => `5.${i + 1}`),
      '6.1', '6.2',
      ...Array.from({ length: 9 }, (_, i) => `7.${i + 1}`),
    ];
    expect(ids).toEqual(expected);
  });

  const base = `id: t\ntitle: T\ntarget: host\nprocesses: { d: { names: [d] } }\nsections: { '1': S }\nchecks:\n`;
  const check = (body: string) => `  - id: "1.1"\n    title: x\n    type: host\n    profile: Level 1\n    scored: true\n    automated: true\n    remediation: do it\n    tags: [NIST]\n${body}`;
  test.each`
    why                           | body                                                                                 | message
    ${'unknown probe kind'}       | ${'    audit: [{ kind: nope }]\n    test: { op: set }\n'}                            | ${'/checks/0/audit/0'}
    ${'unknown operator'}         | ${'    audit: [{ kind: sysctl, key: a.b }]\n    test: { op: equals, value: 1 }\n'} | ${'/checks/0/test'}
    ${'test names no probe'}      | ${'    audit: [{ kind: sysctl, key: a.b }]\n    test: { probe: x, op: set }\n'}  | ${'unknown probe x'}
    ${'unknown process'}          | ${'    audit: [{ kind: setting, process: e, key: k }]\n    test: { op: set }\n'} | ${'unknown process e'}
    ${'no test'}                  | ${'    audit: [{ kind: sysctl, key: a.b }]\n'}                                   | ${'needs a test'}
    ${'bad regex'}                | ${'    audit: [{ kind: sysctl, key: a.b }]\n    test: { op: regex, value: "(" }\n'} | ${'bad regex'}
    ${'eq without value'}         | ${'    audit: [{ kind: sysctl, key: a.b }]\n    test: { op: eq }\n'}             | ${'eq needs a value'}
  `('a schema error is caught at load: $why', ({ body, message }) => {
    expect(() => parseBenchmark(base + check(body), 't.yaml')).toThrow(message);
  });

  test('an id written as a YAML number is refused (2.10 would read as 2.1)', () => {
    expect(() => parseBenchmark(base + check('    manual: why\n').replace('"1.1"', '1.10'), 't.yaml')).toThrow('/checks/0/id');
  });
});

describe('--check, --skip, --profile', () => {
  test.each`
    check           | skip      | profile     | first       | count
    ${'2.1,2.2'}    | ${''}     | ${''}       | ${'2.1'}    | ${2}
    ${'5.*'}        | ${''}     | ${''}       | ${'5.1'}    | ${32}
    ${'1.1'}        | ${''}     | ${''}       | ${'1.1.1'}  | ${18}
    ${''}           | ${'5.*'}  | ${''}       | ${'1.1.1'}  | ${85}
    ${'2.*'}        | ${''}     | ${'level1'} | ${'2.1'}    | ${14}
    ${'2.*'}        | ${''}     | ${'level2'} | ${'2.1'}    | ${18}
  `('check=$check skip=$skip profile=$profile', async ({ check, skip, profile, first, count }) => {
    const def = await loadBenchmark('cis-docker-1.6.0');
    const out = selectChecks(def.checks, { ...(check ? { check } : {}), ...(skip ? { skip } : {}), ...(profile ? { profile } : {}) });
    expect(out[0]?.id).toBe(first);
    expect(out.length).toBe(count);
  });

  test.each`
    f                        | message
    ${{ check: '9.9' }}      | ${'matches no check'}
    ${{ check: '2.1;rm' }}   | ${'is not a check id or pattern'}
    ${{ skip: 'abc' }}       | ${'is not a check id or pattern'}
    ${{ profile: 'level3' }} | ${'--profile must be level1 or level2'}
  `('$f is a usage error', async ({ f, message }) => {
    const def = await loadBenchmark('cis-docker-1.6.0');
    expect(() => selectChecks(def.checks, f)).toThrow(message);
  });
});
