/**
 * A version scheme: how one ecosystem orders its versions. Each scheme lives in its own folder
 * (src/versioning/<id>/index.ts), follows the ecosystem's reference algorithm, and is registered
 * in src/versioning/index.ts. Comparators are pure functions.
 */
export interface VersionScheme {
  readonly id: string;
  readonly displayName: string;
  /** The reference algorithm this follows (spec or source file). */
  readonly urls: readonly string[];
  isValid(version: string): boolean;
  /**
   * Negative when a < b, 0 when equal, positive when a > b. Throws
   * `VigilError('invalid-version')` for a string the scheme cannot read.
   */
  compare(a: string, b: string): number;
}
