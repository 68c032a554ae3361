/**
 * The test operators (after kube-bench's). Pure functions of (actual, expected). `undefined`
 * is "not set": only `unset`, `noteq` and `nothave` hold for it.
 */
import type { Operator } from './types.js';

type OpFn = (actual: unknown, expected: unknown) => boolean;

function scalar(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Strings, numbers and booleans compare as text ("false" from a flag equals false from JSON). */
function same(a: unknown, b: unknown): boolean {
  if (a === undefined || a === null) return b === undefined || b === null;
  if (typeof a === 'object' || typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return String(a).toLowerCase() === String(b).toLowerCase();
}

function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

function compare(test: (a: number, b: number) => boolean): OpFn {
  return (a, b) => {
    const x = num(a);
    const y = num(b);
    return x !== undefined && y !== undefined && test(x, y);
  };
}

/** A list from an array, or a comma-separated string (`--tls-cipher-suites=a,b`). */
export function elements(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map(scalar);
  if (typeof v === 'object') return Object.keys(v);
  return String(v).split(',').map((x) => x.trim()).filter(Boolean);
}

function has(a: unknown, b: unknown): boolean {
  if (a === undefined || a === null) return false;
  if (Array.isArray(a) || (typeof a === 'object')) {
    const want = Array.isArray(b) ? b.map(scalar) : [scalar(b)];
    const got = elements(a);
    return want.some((w) => got.some((g) => g === w));
  }
  const s = String(a);
  return (Array.isArray(b) ? b : [b]).some((x) => s.includes(scalar(x)));
}

/** A mode as the CIS texts give it ("644") or as stat gives it (number). */
export function parseMode(v: unknown): number | undefined {
  if (typeof v === 'number') return v & 0o7777;
  if (typeof v === 'string' && /^[0-7]{3,4}$/.test(v)) return parseInt(v, 8);
  return undefined;
}

export const OPERATOR_FNS: Record<Operator, OpFn> = {
  eq: (a, b) => (Array.isArray(b) ? b.some((x) => same(a, x)) : same(a, b)),
  noteq: (a, b) => !(Array.isArray(b) ? b.some((x) => same(a, x)) : same(a, b)),
  gt: compare((a, b) => a > b),
  gte: compare((a, b) => a >= b),
  lt: compare((a, b) => a < b),
  lte: compare((a, b) => a <= b),
  has,
  nothave: (a, b) => !has(a, b),
  regex: (a, b) => a !== undefined && a !== null && new RegExp(String(b)).test(typeof a === 'string' ? a : JSON.stringify(a)),
  // "644 or more restrictive": no permission bit outside the allowed mask.
  bitmask: (a, b) => {
    const x = parseMode(a);
    const y = parseMode(b);
    return x !== undefined && y !== undefined && (x & ~y) === 0;
  },
  // Every element is one of the allowed ones (an empty list passes).
  valid_elements: (a, b) => {
    const allowed = new Set(elements(b));
    return elements(a).every((e) => allowed.has(e));
  },
  set: (a) => a !== undefined && a !== null && a !== '' && !(Array.isArray(a) && a.length === 0),
  unset: (a) => a === undefined || a === null || a === '' || (Array.isArray(a) && a.length === 0),
};

export function describeExpected(op: Operator, value: unknown): string {
  switch (op) {
    case 'set':
      return 'set';
    case 'unset':
      return 'not set';
    case 'bitmask':
      return `${typeof value === 'string' ? value : (value as number).toString(8)} or more restrictive`;
    default:
      return `${op} ${typeof value === 'string' ? value : JSON.stringify(value)}`;
  }
}
