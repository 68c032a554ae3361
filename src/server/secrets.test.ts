import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { SECRET_KEY_FILE, SecretBox, loadOrCreateSecretKey } from './secrets.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('first start makes a 32-byte key, mode 0600; later starts read the same key', () => {
  const home = join(dir, 'home');
  const a = loadOrCreateSecretKey(home);
  expect(a).toHaveLength(32);
  expect(statSync(join(home, SECRET_KEY_FILE)).mode & 0o777).toBe(0o600);
  expect(statSync(home).mode & 0o077).toBe(0);
  expect(loadOrCreateSecretKey(home).equals(a)).toBe(true);
});

test('a damaged key file is refused with a message, not replaced', () => {
  const home = join(dir, 'bad');
  loadOrCreateSecretKey(home);
  writeFileSync(join(home, SECRET_KEY_FILE), 'c2hvcnQ=\n');
  expect(() => loadOrCreateSecretKey(home)).toThrow(/does not hold a 32-byte base64 key/);
  expect(readFileSync(join(home, SECRET_KEY_FILE), 'utf8')).toBe('c2hvcnQ=\n');
});

test('AES-256-GCM: round trip, fresh IV each time, bound to its row, refused under another key', () => {
  const box = new SecretBox(Buffer.alloc(32, 1));
  const a = box.seal('hunter2-password', 'row-1');
  const b = box.seal('hunter2-password', 'row-1');
  expect(a).not.toBe(b);
  expect(a).not.toContain('hunter2');
  expect(box.open(a, 'row-1')).toBe('hunter2-password');
  expect(() => box.open(a, 'row-2')).toThrow(/does not decrypt/);
  expect(() => new SecretBox(Buffer.alloc(32, 2)).open(a, 'row-1')).toThrow(/does not decrypt/);
  const [v, iv, tag, ct] = a.split(':');
  const flipped = [v, iv, tag, Buffer.from(Buffer.from(ct!, 'base64url').map((x, i) => (i === 0 ? x ^ 1 : x))).toString('base64url')].join(':');
  expect(() => box.open(flipped, 'row-1')).toThrow(/does not decrypt/);
});
