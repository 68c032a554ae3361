import { describe, expect, test } from 'vitest';
import { OPERATOR_FNS } from './operators.js';

describe('test operators', () => {
  test.each`
    op                  | actual                       | expected                   | result
    ${'eq'}             | ${'false'}                   | ${false}                   | ${true}
    ${'eq'}             | ${false}                     | ${false}                   | ${true}
    ${'eq'}             | ${'INFO'}                    | ${'info'}                  | ${true}
    ${'eq'}             | ${undefined}                 | ${false}                   | ${false}
    ${'eq'}             | ${'local'}                   | ${['json-file', 'local']}  | ${true}
    ${'noteq'}          | ${'syslog'}                  | ${['json-file', 'local']}  | ${true}
    ${'noteq'}          | ${undefined}                 | ${'aufs'}                  | ${true}
    ${'gt'}             | ${'10'}                      | ${5}                       | ${true}
    ${'gt'}             | ${0}                         | ${0}                       | ${false}
    ${'gte'}            | ${5}                         | ${5}                       | ${true}
    ${'lt'}             | ${'4'}                       | ${5}                       | ${true}
    ${'lte'}            | ${6}                         | ${5}                       | ${false}
    ${'gt'}             | ${'abc'}                     | ${1}                       | ${false}
    ${'gt'}             | ${undefined}                 | ${0}                       | ${false}
    ${'has'}            | ${['/etc', '/data']}         | ${['/', '/etc']}           | ${true}
    ${'has'}            | ${['/etc/app']}              | ${'/etc'}                  | ${false}
    ${'has'}            | ${'--a --profiling=false'}   | ${'profiling=false'}       | ${true}
    ${'nothave'}        | ${['/data']}                 | ${['/', '/etc']}           | ${true}
    ${'nothave'}        | ${undefined}                 | ${'x'}                     | ${true}
    ${'regex'}          | ${'tcp://0.0.0.0:2375'}      | ${'^tcp://'}               | ${true}
    ${'regex'}          | ${['unix:///x', 'tcp://y']}  | ${'tcp://'}                | ${true}
    ${'regex'}          | ${undefined}                 | ${'.*'}                    | ${false}
    ${'bitmask'}        | ${'644'}                     | ${'644'}                   | ${true}
    ${'bitmask'}        | ${'600'}                     | ${'644'}                   | ${true}
    ${'bitmask'}        | ${'400'}                     | ${'644'}                   | ${true}
    ${'bitmask'}        | ${'664'}                     | ${'644'}                   | ${false}
    ${'bitmask'}        | ${'4755'}                    | ${'755'}                   | ${false}
    ${'bitmask'}        | ${'700'}                     | ${'644'}                   | ${false}
    ${'bitmask'}        | ${undefined}                 | ${'644'}                   | ${false}
    ${'valid_elements'} | ${'TLS_A,TLS_B'}             | ${['TLS_A', 'TLS_B', 'C']} | ${true}
    ${'valid_elements'} | ${['TLS_A', 'RC4']}          | ${'TLS_A,TLS_B'}           | ${false}
    ${'valid_elements'} | ${[]}                        | ${'TLS_A'}                 | ${true}
    ${'set'}            | ${'x'}                       | ${undefined}               | ${true}
    ${'set'}            | ${[]}                        | ${undefined}               | ${false}
    ${'set'}            | ${''}                        | ${undefined}               | ${false}
    ${'unset'}          | ${undefined}                 | ${undefined}               | ${true}
    ${'unset'}          | ${['a']}                     | ${undefined}               | ${false}
  `('$op($actual, $expected) === $result', ({ op, actual, expected, result }) => {
    expect(OPERATOR_FNS[op as keyof typeof OPERATOR_FNS](actual, expected)).toBe(result);
  });
});
