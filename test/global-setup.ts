/**
 * Builds one vulnerability DB from ../shared/vulndata for the whole test run (a few seconds)
 * and points every test, and every CLI the tests spawn, at it through VIGIL_DB. Tests that
 * need their own DB (errors, staleness) pass --db explicitly.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildVulnDb } from '../src/vulndb/build.js';
import { SHARED_DIR } from './helpers/registry.js';

let dir: string | undefined;

export async function setup(): Promise<void> {
  dir = await mkdtemp(path.join(tmpdir(), 'vigil-testdb-'));
  const out = path.join(dir, 'vigil.db');
  await buildVulnDb({ out, inputs: [path.join(SHARED_DIR, 'vulndata')] });
  process.env.VIGIL_DB = out;
  // A fresh home so no developer's ~/.vigil leaks into tests.
  process.env.VIGIL_HOME = path.join(dir, 'home');
}

export async function teardown(): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}
