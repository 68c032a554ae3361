/**
 * `vigil bench` through commander, with main.ts's error handling (one line, exit 2 for bad input).
 */
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, describe, expect, test, vi } from 'vitest';
import { exitCodeFor, formatError } from '../errors.js';
import { registerBenchCommands } from './bench.js';
import { FIXTURES, makeRoot } from '../../compliance/engine/__fixtures__/test-roots.js';

async function vigil(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const result = { code: 0 };
  const program = new Command('vigil').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerBenchCommands(program, result);
  let stdout = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation(((s: string, cb?: (e?: Error) => void) => {
    stdout += s;
    cb?.();
    return true;
  }) as typeof process.stdout.write);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return { code: result.code, stdout, stderr: '' };
  } catch (e) {
    if (e instanceof CommanderError) return { code: 2, stdout, stderr: `vigil: usage: ${e.message}` };
    return { code: exitCodeFor(e), stdout, stderr: formatError(e, false) };
  } finally {
    spy.mockRestore();
  }
}

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

describe('vigil bench', () => {
  test('bench host --root / on this machine: no ERROR', async () => {
    const r = await vigil(['bench', 'host', '--root', '/', '--format', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ schemaVersion: 1, benchmark: 'cis-docker-1.6.0', target: { type: 'host', root: '/' } });
    expect(report.results.every((x: { type: string }) => x.type === 'host' || x.type === 'daemon')).toBe(true);
    expect(report.summary.ERROR).toBe(0);
  });

  test('bench docker --inspect on a misconfigured root, --fail-on warn → exit 1; junit output', async () => {
    const { root, cleanup } = await makeRoot('misconfigured', { owner: 'alice' });
    cleanups.push(cleanup);
    const r = await vigil(['bench', 'docker', '--root', root, '--inspect', path.join(FIXTURES, 'containers.inspect.json'), '--format', 'junit', '--check', '5.*', '--fail-on', 'warn']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^<\?xml/);
    expect(r.stdout).toContain('<testcase classname=');
    expect(r.stdout).toMatch(/<failure message="legacy-admin: privileged = true/);
  });

  test('a malformed inspect file: the container checks are ERROR, the host checks run', async () => {
    const { root, cleanup } = await makeRoot('compliant');
    cleanups.push(cleanup);
    const bad = path.join(root, 'inspect.json');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(bad, '[{"Id": "x",');
    const r = await vigil(['bench', 'docker', '--root', root, '--inspect', bad, '--format', 'json', '--check', '2.2,5.5', '--fail-on', 'error']);
    expect(r.code).toBe(1);
    const results = JSON.parse(r.stdout).results;
    expect(results.map((x: { id: string; level: string }) => `${x.id} ${x.level}`)).toEqual(['2.2 PASS', '5.5 ERROR']);
    expect(results[1].evidence[0]).toMatch(/malformed JSON/);
  });

  test.each`
    argv                                                       | message
    ${['bench', 'docker', '--check', '9.*']}                   | ${/^vigil: bad-option: --check: 9\.\* matches no check/}
    ${['bench', 'docker', '--check', '2.1;ls']}                | ${/^vigil: bad-option: --check: "2.1;ls" is not a check id/}
    ${['bench', 'host', '--root', '/no/such/root']}            | ${/^vigil: bad-root: --root \/no\/such\/root: no such directory$/}
    ${['bench', 'host', '--format', 'pdf']}                    | ${/^vigil: bad-format: unknown format "pdf"/}
    ${['bench', 'host', '--fail-on', 'high']}                  | ${/^vigil: bad-option: --fail-on for bench takes warn or error/}
    ${['bench', 'host', '--profile', 'level9']}                | ${/^vigil: bad-option: --profile must be level1 or level2/}
    ${['bench', 'custom', '/no/such/script.sh']}               | ${/^vigil: bad-script: cannot read script/}
  `('$argv → exit 2, one line', async ({ argv, message }) => {
    const r = await vigil(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.split('\n')).toHaveLength(1);
  });

  test('every format renders', async () => {
    for (const f of ['table', 'json', 'csv', 'junit', 'sarif']) {
      const r = await vigil(['bench', 'host', '--check', '3.5,3.6', '--format', f]);
      expect(r.code, f).toBe(0);
      expect(r.stdout.length, f).toBeGreaterThan(50);
    }
    const sarif = JSON.parse((await vigil(['bench', 'host', '--check', '1.1.3', '--format', 'sarif'])).stdout);
    expect(sarif.runs[0].tool.driver.rules[0].id).toBe('1.1.3');
  });
});
