/**
 * NuGet versions, ordered as NuGet.Versioning's `VersionComparer.Default` orders them:
 * `Major.Minor.Patch[.Revision][-label.label…][+metadata]`, one to four numeric parts (missing
 * ones are 0), a release above its pre-releases, labels compared one by one (numbers
 * numerically and below words, words case-insensitively), metadata ignored.
 * Hand-written port (no maintained JavaScript port of NuGet.Versioning exists):
 * https://learn.microsoft.com/nuget/concepts/package-versioning
 * https://github.com/NuGet/NuGet.Client/blob/dev/src/NuGet.Core/NuGet.Versioning/VersionComparer.cs
 */
import { compareDigits, compareStrings } from '../scheme-base.js';

export interface NuGetVersion {
  parts: [string, string, string, string];
  labels: string[];
}

const PATTERN = /^(\d+(?:\.\d+){0,3})(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;
const INT_MAX = '2147483647'; // NuGet parses each part as a .NET int

export function parseNuGet(input: string): NuGetVersion | null {
  const m = PATTERN.exec(input.trim());
  if (!m) return null;
  const nums = m[1]!.split('.');
  if (nums.some((n) => compareDigits(n, INT_MAX) > 0)) return null;
  while (nums.length < 4) nums.push('0');
  return { parts: nums as NuGetVersion['parts'], labels: m[2] ? m[2].split('.') : [] };
}

const isNumeric = (s: string): boolean => /^\d+$/.test(s);

function compareLabel(a: string, b: string): number {
  const an = isNumeric(a);
  const bn = isNumeric(b);
  if (an && bn) return compareDigits(a, b);
  if (an !== bn) return an ? -1 : 1;
  return compareStrings(a.toUpperCase(), b.toUpperCase());
}

export function compareNuGet(a: NuGetVersion, b: NuGetVersion): number {
  for (let i = 0; i < 4; i++) {
    const d = compareDigits(a.parts[i]!, b.parts[i]!);
    if (d !== 0) return d;
  }
  const aPre = a.labels.length > 0;
  const bPre = b.labels.length > 0;
  if (aPre !== bPre) return aPre ? -1 : 1;
  for (let i = 0; i < Math.max(a.labels.length, b.labels.length); i++) {
    const l = a.labels[i];
    const r = b.labels[i];
    if (l === undefined) return -1;
    if (r === undefined) return 1;
    const d = compareLabel(l, r);
    if (d !== 0) return d;
  }
  return 0;
}
