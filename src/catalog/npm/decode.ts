import { VigilError } from '../../core/errors.js';

/** Text of a file: UTF-8 with invalid bytes replaced, without a byte-order mark. */
export function decodeText(buf: Buffer): string {
  const text = buf.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Parse a JSON document that must be an object; anything else is a `catalog-bad-file` error. */
export function parseJsonObject(buf: Buffer, what: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(decodeText(buf));
  } catch (e) {
    throw new VigilError('catalog-bad-file', `${what}: invalid JSON`, { cause: e });
  }
  if (!isRecord(doc)) throw new VigilError('catalog-bad-file', `${what}: not a JSON object`);
  return doc;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}
