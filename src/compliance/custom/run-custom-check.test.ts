import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCustomCheck } from './run-custom-check.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'vigil-custom-'));
  await writeFile(path.join(dir, 'etc-motd'), 'Authorized use only\n', { mode: 0o644 });
  // A host root is world-searchable; the script may run as nobody.
  await chmod(dir, 0o755);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function script(name: string, body: string): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, body, { mode: 0o600 }); // not readable by nobody: fed on stdin
  return p;
}

describe('vigil bench custom', () => {
  test('exit 0 is PASS; the script sees ROOT and runs in it', async () => {
    const s = await script('ok.sh', 'test "$ROOT" = "$(pwd)" && grep -q Authorized etc-motd && echo banner ok\n');
    const r = await runCustomCheck(s, { root: dir });
    expect(r.benchmark).toBe('custom');
    expect(r.results[0]).toMatchObject({ id: 'ok.sh', level: 'PASS', evidence: ['exit status 0', 'banner ok'] });
  });

  test('non-zero exit is WARN with the output as evidence', async () => {
    const s = await script('fail.sh', 'echo "PermitRootLogin yes found" >&2; exit 3\n');
    const r = await runCustomCheck(s, { root: dir });
    expect(r.results[0]).toMatchObject({ level: 'WARN', evidence: ['exit status 3', 'PermitRootLogin yes found'] });
  });

  test.runIf(process.getuid?.() === 0)('as root, the script runs as nobody', async () => {
    const s = await script('who.sh', 'id -u\n');
    const r = await runCustomCheck(s, { root: dir });
    expect(r.results[0]?.evidence[1]).not.toBe('0');
  });

  test('a script that hangs is killed with its process group at the time limit (ERROR)', async () => {
    const s = await script('hang.sh', 'sleep 1000 &\nwhile true; do sleep 1; done\n');
    const t0 = Date.now();
    const r = await runCustomCheck(s, { root: dir, timeoutMs: 500 });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.results[0]?.level).toBe('ERROR');
    expect(r.results[0]?.evidence[0]).toMatch(/timed out after 0.5 s; the script's process group was killed/);
  });

  test('a script that prints 10 MB is stopped; 64 KiB kept', async () => {
    const s = await script('flood.sh', 'head -c 10485760 /dev/zero | tr "\\0" "x"\necho done\n');
    const r = await runCustomCheck(s, { root: dir });
    expect(r.results[0]?.level).toBe('ERROR');
    expect(r.results[0]?.evidence[0]).toMatch(/output flood/);
    expect(r.results[0]?.evidence[1]?.length).toBe(64 * 1024);
    expect(r.results[0]?.evidence[2]).toMatch(/output capped at 65536 bytes; \d+ more bytes dropped/);
  });

  test('output over the cap but under the flood limit: kept capped, verdict from the exit status', async () => {
    const s = await script('chatty.sh', 'head -c 100000 /dev/zero | tr "\\0" "y"\nexit 0\n');
    const r = await runCustomCheck(s, { root: dir });
    expect(r.results[0]?.level).toBe('PASS');
    expect(r.results[0]?.evidence.at(-1)).toBe('[output capped at 65536 bytes; 34464 more bytes dropped]');
  });

  test('a missing script or root is a usage error', async () => {
    await expect(runCustomCheck(path.join(dir, 'nope.sh'))).rejects.toThrow(/cannot read script/);
    const s = await script('x.sh', 'true\n');
    await expect(runCustomCheck(s, { root: path.join(dir, 'missing') })).rejects.toThrow(/is not a directory/);
  });
});
