// One timed run of a command: wall time from our clock, peak RSS from GNU time (`%M`, from
// wait4's rusage: the largest resident set of the process or any child it waited for; neither
// Vigil nor Trivy spawns helpers, so this is the tool's own peak).
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { clearTimeout, setTimeout } from 'node:timers';

/**
 * @param {string[]} argv command and arguments
 * @param {{env?: object, stdout?: string, timeoutMs?: number, timeFile: string, cwd?: string}} o
 *   stdout: a file for the tool's standard output (default /dev/null)
 */
export async function timeRun(argv, o) {
  const out = openSync(o.stdout ?? '/dev/null', 'w');
  let stderr = '';
  const started = process.hrtime.bigint();
  try {
    const child = spawn('/usr/bin/time', ['-f', '%M', '-o', o.timeFile, ...argv], {
      env: o.env,
      cwd: o.cwd,
      stdio: ['ignore', out, 'pipe'],
    });
    child.stderr.on('data', (b) => {
      stderr = (stderr + b.toString()).slice(-4000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 300_000);
    const code = await new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c, sig) => resolve(sig ? `signal ${sig}` : c));
    });
    clearTimeout(timer);
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    const timeOut = await readFile(o.timeFile, 'utf8').catch(() => '');
    await rm(o.timeFile, { force: true });
    // With a non-zero exit, GNU time writes "Command exited with non-zero status N" first.
    const rssKb = Number(timeOut.trim().split('\n').pop());
    if (code !== 0) throw new Error(`${argv.join(' ')}: exit ${code}\n${stderr}`);
    return { wallMs, rssMb: rssKb / 1024 };
  } finally {
    closeSync(out);
  }
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
