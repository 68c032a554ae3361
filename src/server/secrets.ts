/**
 * Secrets at rest (registry passwords): AES-256-GCM under a random 32-byte key kept in
 * `<data-dir>/secret.key` (mode 0600), made on first start. The database alone does not give
 * the secrets away; the data dir plus the database does, so back them up apart.
 * Ciphertext format: `v1:<iv>:<tag>:<ciphertext>` (base64url), with the row id as associated
 * data so a ciphertext copied to another row does not decrypt.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VigilError } from '../core/errors.js';

export const SECRET_KEY_FILE = 'secret.key';
const KEY_BYTES = 32;

/** Reads `<dataDir>/secret.key`, or makes it (0600) when missing. */
export function loadOrCreateSecretKey(dataDir: string): Buffer {
  const file = join(dataDir, SECRET_KEY_FILE);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  let key: Buffer;
  try {
    // `wx`: never overwrite a key another process made at the same moment.
    writeFileSync(file, randomBytes(KEY_BYTES).toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new VigilError('secret-key', `cannot write the secret key ${file}: ${(e as Error).message}`, { kind: 'usage', cause: e });
  }
  try {
    key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  } catch (e) {
    throw new VigilError('secret-key', `cannot read the secret key ${file}: ${(e as Error).message}`, { kind: 'usage', cause: e });
  }
  if (key.length !== KEY_BYTES) throw new VigilError('secret-key', `${file} does not hold a ${KEY_BYTES}-byte base64 key; restore it from a backup (registry passwords cannot be read without it)`, { kind: 'usage' });
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return key;
}

export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error(`SecretBox wants a ${KEY_BYTES}-byte key`);
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    c.setAAD(Buffer.from(context, 'utf8'));
    const ct = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
    return ['v1', iv.toString('base64url'), c.getAuthTag().toString('base64url'), ct.toString('base64url')].join(':');
  }

  open(sealed: string, context: string): string {
    const [v, iv, tag, ct] = sealed.split(':');
    if (v !== 'v1' || iv === undefined || tag === undefined || ct === undefined) throw new VigilError('secret-format', 'a stored secret has an unknown format', { kind: 'internal' });
    try {
      const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      d.setAAD(Buffer.from(context, 'utf8'));
      d.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8');
    } catch (e) {
      throw new VigilError('secret-key-mismatch', `a stored secret does not decrypt with ${SECRET_KEY_FILE}; was the data dir's key replaced? Re-enter the registry's password`, { kind: 'usage', cause: e });
    }
  }
}
