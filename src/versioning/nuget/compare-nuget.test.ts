import { describe, expect, test } from 'vitest';
import { expectOrder, type Row } from '../test-support.js';
import { nuget } from './index.js';

// NuGet.Client test/NuGet.Core.Tests/NuGet.Versioning.Test/VersionComparerTests.cs:
// VersionComparisonDefaultEqual and VersionComparisonDefaultLess.
const EQUAL: [string, string][] = [
  ['1.0.0', '1.0.0'], ['1.0.0-BETA', '1.0.0-beta'], ['1.0.0-BETA+AA', '1.0.0-beta+aa'],
  ['1.0.0-BETA.X.y.5.77.0+AA', '1.0.0-beta.x.y.5.77.0+aa'],
];
const LESS: [string, string][] = [
  ['0.0.0', '1.0.0'], ['1.0.0', '1.1.0'], ['1.0.0', '1.0.1'], ['1.999.9999', '2.1.1'], ['1.0.0-BETA', '1.0.0-beta2'],
  ['1.0.0-beta+AA', '1.0.0+aa'], ['1.0.0-BETA', '1.0.0-beta.1+AA'], ['1.0.0-BETA.X.y.5.77.0+AA', '1.0.0-beta.x.y.5.79.0+aa'],
  ['1.0.0-BETA.X.y.5.79.0+AA', '1.0.0-beta.x.y.5.790.0+abc'],
];
const MORE: Row[] = [
  ['1.0', '=', '1.0.0.0'], ['1.0.0.1', '>', '1.0.0'], ['4.7.0.1', '<', '4.7.1'], ['1.0.0-1', '<', '1.0.0-alpha'],
  ['1.0.0-alpha.2', '<', '1.0.0-alpha.10'], ['01.02.03', '=', '1.2.3'], ['6.0.0-preview.1', '<', '6.0.0-rc.1'],
];

describe('nuget', () => {
  const rows: Row[] = [...EQUAL.map(([a, b]) => [a, '=', b] as Row), ...LESS.map(([a, b]) => [a, '<', b] as Row), ...MORE];
  test.each(rows)('compare("%s" %s "%s")', (a, op, b) => expectOrder(nuget, [a, op, b]));
  test.each(['', 'a', '1.0.0.0.0', '1.0.0-', '1.0.0-beta..1', '1.0.0+', '2147483648.0'])('!isValid(%j)', (v) =>
    expect(nuget.isValid(v)).toBe(false),
  );
});
