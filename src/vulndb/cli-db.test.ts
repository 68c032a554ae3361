/**
 * `vigil db build|import|info` through the built CLI (`npm run build` first). Until main.ts wires
 * `registerDbCommands`, the same commands run under a two-line runner with main.ts's error path.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '../..');
const VULNDATA = resolve(REPO, '../shared/vulndata');
let dir: string;
let runner: string[];

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [...runner, ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: '1', VIGIL_DB: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', rej);
    child.on('close', (code) => res({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  if (!existsSync(join(REPO, 'dist/cli/commands/db.js'))) throw new Error('run `npm run build` first');
  dir = mkdtempSync(join(tmpdir(), 'vigil-cli-db-'));
  runner = [join(REPO, 'bin/vigil.js')];
  const probe = await run(['db', 'info', '--db', join(dir, 'probe.db')]);
  if (/unknown command/.test(probe.stderr)) {
    const script = join(dir, 'run.mjs');
    writeFileSync(
      script,
      `import { Command, CommanderError } from 'commander';
import { registerDbCommands } from ${JSON.stringify(join(REPO, 'dist/cli/commands/db.js'))};
import { exitCodeFor, formatError } from ${JSON.stringify(join(REPO, 'dist/cli/errors.js'))};
const result = { code: 0 };
const program = new Command('vigil').exitOverride().configureOutput({ writeErr: () => {} });
registerDbCommands(program, result);
try { await program.parseAsync(process.argv.slice(2), { from: 'user' }); process.exitCode = result.code; }
catch (e) { if (e instanceof CommanderError) { process.stderr.write('vigil: usage: ' + e.message.replace(/^error: /, '') + '\\n'); process.exitCode = 2; } else { process.stderr.write(formatError(e, false) + '\\n'); process.exitCode = exitCodeFor(e); } }
`,
    );
    runner = [script];
  }
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('vigil db', () => {
  it('builds, imports into $VIGIL_HOME and reports info as JSON', async () => {
    const out = join(dir, 'built.db');
    const b = await run(['db', 'build', '--out', out, join(VULNDATA, 'kev'), join(VULNDATA, 'alpine')]);
    expect(b.code).toBe(0);
    expect(b.stdout).toMatch(/kev\s+1404 records/);
    const home = join(dir, 'home');
    const i = await run(['db', 'import', out], { VIGIL_HOME: home });
    expect(i.code).toBe(0);
    expect(existsSync(join(home, 'db', 'vigil.db'))).toBe(true);
    const info = await run(['db', 'info', '--format', 'json'], { VIGIL_HOME: home });
    expect(info.code).toBe(0);
    const j = JSON.parse(info.stdout) as { schemaVersion: number; stale: boolean; sizeBytes: number; sources: { name: string; records: number }[] };
    expect(j.schemaVersion).toBe(1);
    expect(j.stale).toBe(false);
    expect(j.sizeBytes).toBeGreaterThan(0);
    expect(j.sources.find((s) => s.name === 'kev')?.records).toBe(1404);
    const viaDb = await run(['db', 'info', '--db', out]);
    expect(viaDb.stdout).toMatch(/Schema version: 1/);
  });

  it('refuses to import a bad file: exit 2, one line, the installed DB untouched', async () => {
    const bad = join(dir, 'bad.db');
    writeFileSync(bad, 'not a database at all'.repeat(10));
    const home = join(dir, 'home2');
    const r = await run(['db', 'import', bad], { VIGIL_HOME: home });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^vigil: db-corrupt: /);
    expect(existsSync(join(home, 'db', 'vigil.db'))).toBe(false);
  });

  it('info without a DB: exit 2 with db-missing', async () => {
    const r = await run(['db', 'info'], { VIGIL_HOME: join(dir, 'empty') });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^vigil: db-missing: no vulnerability DB at .*vigil db import/);
  });
});
