/** CVSS base scores from vectors, by a maintained library (all of v2, v3.0, v3.1, v4.0). */
import cvssLib from 'ae-cvss-calculator';
import type { CvssEntry } from './types.js';

const { Cvss2, Cvss3P0, Cvss3P1, Cvss4P0 } = cvssLib;

export function cvssVersionOf(vector: string): CvssEntry['version'] | undefined {
  if (vector.startsWith('CVSS:4.0/')) return '4.0';
  if (vector.startsWith('CVSS:3.1/')) return '3.1';
  if (vector.startsWith('CVSS:3.0/')) return '3.0';
  if (/^(\()?AV:[LAN]\/AC:[HML]\/Au:/.test(vector)) return '2.0';
  return undefined;
}

/** The base score of a vector, or undefined when the vector is not one the library can read. */
export function cvssBaseScore(vector: string): number | undefined {
  const version = cvssVersionOf(vector);
  try {
    let scores: { base?: number; overall?: number };
    switch (version) {
      case '4.0':
        scores = new Cvss4P0(vector).calculateScores();
        break;
      case '3.1':
        scores = new Cvss3P1(vector).calculateScores();
        break;
      case '3.0':
        scores = new Cvss3P0(vector).calculateScores();
        break;
      case '2.0':
        scores = new Cvss2(vector.replace(/^\(|\)$/g, '')).calculateScores();
        break;
      default:
        return undefined;
    }
    const s = scores.base ?? scores.overall;
    return typeof s === 'number' && Number.isFinite(s) ? s : undefined;
  } catch {
    // An unreadable vector is not an error for the build: the record keeps its other data.
    return undefined;
  }
}

/** One CvssEntry from a vector (score computed), or undefined for an unreadable vector. */
export function cvssEntry(vector: string, source?: string, givenScore?: number): CvssEntry | undefined {
  const version = cvssVersionOf(vector);
  if (!version) return undefined;
  const score = givenScore ?? cvssBaseScore(vector);
  if (score === undefined) return undefined;
  return source ? { version, vector, score, source } : { version, vector, score };
}
