/** JSON kept compressed in text columns (portable between SQLite and PostgreSQL): gzip, then base64. */
import { gunzipSync, gzipSync } from 'node:zlib';

export function packJson(value: unknown): string {
  return packText(JSON.stringify(value));
}

/** For JSON text already serialised (to hash it too). */
export function packText(json: string): string {
  return gzipSync(json, { level: 6 }).toString('base64');
}

export function unpackJson<T>(text: string): T {
  return JSON.parse(gunzipSync(Buffer.from(text, 'base64')).toString('utf8')) as T;
}
