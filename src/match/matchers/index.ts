import type { Package } from '../../core/types.js';
import type { Matcher } from '../types.js';
import { distroMatcher } from './distro.js';
import { goStdlibMatcher } from './go-stdlib.js';
import { languageMatcher } from './language.js';

/**
 * Every matcher, most specific first: the first whose `handles` accepts a package matches it
 * (Go's `stdlib` before the generic language matcher). A new kind of package adds a file in
 * this folder and a line here.
 */
export const MATCHERS: readonly Matcher[] = [distroMatcher, goStdlibMatcher, languageMatcher];

export function matcherFor(pkg: Package): Matcher | undefined {
  return MATCHERS.find((m) => m.handles(pkg));
}

export { distroMatcher, goStdlibMatcher, languageMatcher };
