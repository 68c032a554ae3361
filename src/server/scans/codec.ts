/** JSON kept compressed in text columns (portable between SQLite and PostgreSQL): gzip, then base64. */
import { gunzipSync, gzipSync } from 'node:zlib';

export function packJson(value: unknown): string {
  return gzipSync(JSON.stringify(value), { level: 6 }).toString('base64');
}

export function unpackJson<T>(text: string): T {
  return JSON.parse(gunzipSync(Buffer.from(text, 'base64')).toString('utf8')) as T;
}
