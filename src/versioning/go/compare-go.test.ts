import { describe, expect, test } from 'vitest';
import { expectOrder, type Row } from '../test-support.js';
import { go } from './index.js';

// golang.org/x/mod semver/semver_test.go `tests`: in order, with "" for invalid; equal
// canonical forms compare equal, otherwise the earlier one is lower.
const X_MOD: [string, string][] = [
  ['bad', ''], ['v1-alpha.beta.gamma', ''], ['v1-pre', ''], ['v1+meta', ''], ['v1-pre+meta', ''], ['v1.2-pre', ''],
  ['v1.2+meta', ''], ['v1.2-pre+meta', ''], ['v1.0.0-alpha', 'v1.0.0-alpha'], ['v1.0.0-alpha.1', 'v1.0.0-alpha.1'],
  ['v1.0.0-alpha.beta', 'v1.0.0-alpha.beta'], ['v1.0.0-beta', 'v1.0.0-beta'], ['v1.0.0-beta.2', 'v1.0.0-beta.2'],
  ['v1.0.0-beta.11', 'v1.0.0-beta.11'], ['v1.0.0-rc.1', 'v1.0.0-rc.1'], ['v1', 'v1.0.0'], ['v1.0', 'v1.0.0'],
  ['v1.0.0', 'v1.0.0'], ['v1.2', 'v1.2.0'], ['v1.2.0', 'v1.2.0'], ['v1.2.3-456', 'v1.2.3-456'],
  ['v1.2.3-456.789', 'v1.2.3-456.789'], ['v1.2.3-456-789', 'v1.2.3-456-789'], ['v1.2.3-456a', 'v1.2.3-456a'],
  ['v1.2.3-pre', 'v1.2.3-pre'], ['v1.2.3-pre+meta', 'v1.2.3-pre'], ['v1.2.3-pre.1', 'v1.2.3-pre.1'],
  ['v1.2.3-zzz', 'v1.2.3-zzz'], ['v1.2.3', 'v1.2.3'], ['v1.2.3+meta', 'v1.2.3'], ['v1.2.3+meta-pre', 'v1.2.3'],
  ['v1.2.3+meta-pre.sha.256a', 'v1.2.3'],
];
const VALID = X_MOD.filter(([, out]) => out !== '');
const X_MOD_ROWS: Row[] = [];
VALID.forEach(([a, ca], i) =>
  VALID.slice(i + 1).forEach(([b, cb]) => X_MOD_ROWS.push([a, ca === cb ? '=' : '<', b])),
);

const MORE: Row[] = [
  ['v1', '=', 'v1'], ['v2', '>', 'v1'], ['v1', '<', 'v2'], ['v1.19', '>', 'v1.2'], ['v1.2', '<', 'v1.19'],
  // "v" optional; +incompatible ignored for ordering
  ['1.2.3', '=', 'v1.2.3'], ['v2.0.0+incompatible', '=', 'v2.0.0'], ['v2.0.1+incompatible', '>', 'v2.0.0+incompatible'],
  // pseudo-versions: below the next release, ordered by base version then timestamp
  ['v0.0.0-20220314234659-1baeb1ce4c0b', '<', 'v0.0.0-20220315000000-aaaaaaaaaaaa'],
  ['v0.0.0-20220314234659-1baeb1ce4c0b', '<', 'v0.0.1'], ['v1.2.3', '<', 'v1.2.4-0.20220314234659-1baeb1ce4c0b'],
  ['v1.2.4-0.20220314234659-1baeb1ce4c0b', '<', 'v1.2.4'], ['v1.2.4-pre.0.20220314234659-1baeb1ce4c0b', '<', 'v1.2.4-pre.1'],
  ['v1.2.4-pre', '<', 'v1.2.4-pre.0.20220314234659-1baeb1ce4c0b'],
  // Go toolchain versions (stdlib): go1.20 is 1.20.0, rc/beta are pre-releases
  ['1.20', '=', 'v1.20.0'], ['go1.20', '=', '1.20.0'], ['1.19.8', '<', '1.20'], ['1.21rc2', '<', '1.21.0'],
  ['1.21rc1', '<', '1.21rc2'], ['1.21beta1', '<', '1.21rc1'], ['go1.21.0', '>', 'go1.21rc2'], ['1.20.14', '<', '1.21rc1'],
];

describe('go', () => {
  test.each([...X_MOD_ROWS, ...MORE])('compare("%s" %s "%s")', (a, op, b) => expectOrder(go, [a, op, b]));
  test.each(X_MOD.filter(([, out]) => out === '').map(([v]) => v))('!isValid(%j)', (v) => expect(go.isValid(v)).toBe(false));
  test.each(['v01.2.3', 'v1.2.3-01', '1.2.3.4', ''])('!isValid(%j)', (v) => expect(go.isValid(v)).toBe(false));
});
