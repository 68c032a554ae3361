import { createRequire } from 'node:module';

// spdx-expression-parse is CommonJS without bundled types; it throws on anything that is not a
// valid SPDX license expression (unknown ids, Debian shorthands like "GPL-2+", free text).
const parseSpdx = createRequire(import.meta.url)('spdx-expression-parse') as (source: string) => unknown;

export function isSpdxExpression(s: string): boolean {
  try {
    parseSpdx(s);
    return true;
  } catch {
    return false;
  }
}

/** True for one license id (with optional `+`), as opposed to a compound expression. */
export function isSimpleSpdxId(s: string): boolean {
  return /^[A-Za-z0-9.+-]+$/.test(s) && isSpdxExpression(s);
}

/**
 * The licenses a cataloger found, as one SPDX expression, or undefined when any of them is not
 * SPDX. Several declared licenses all apply to the package (Debian copyright files list the
 * licenses of different files), so they are joined with AND.
 */
export function toSpdxExpression(licenses: readonly string[] | undefined): string | undefined {
  const list = [...new Set((licenses ?? []).map((l) => l.trim()).filter(Boolean))];
  if (list.length === 0 || !list.every(isSpdxExpression)) return undefined;
  if (list.length === 1) return list[0];
  const joined = list.map((l) => (isSimpleSpdxId(l) ? l : `(${l})`)).join(' AND ');
  return isSpdxExpression(joined) ? joined : undefined;
}
