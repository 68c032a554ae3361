import { expect, test } from 'vitest';
import { RETRY_AFTER_CAP_MS, backoffDelay, isRetriableStatus, parseRetryAfter } from './retry.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');

test.each`
  value                              | ms
  ${'0'}                             | ${0}
  ${'3'}                             | ${3000}
  ${'3600'}                          | ${RETRY_AFTER_CAP_MS}
  ${'Thu, 01 Jan 2026 00:00:10 GMT'} | ${10_000}
  ${'Wed, 31 Dec 2025 23:00:00 GMT'} | ${0}
  ${'soon'}                          | ${undefined}
  ${''}                              | ${undefined}
  ${undefined}                       | ${undefined}
  ${['2', '9']}                      | ${2000}
`('parseRetryAfter($value) === $ms', ({ value, ms }) => {
  expect(parseRetryAfter(value, NOW)).toBe(ms);
});

test.each`
  status | retry
  ${200} | ${false}
  ${401} | ${false}
  ${404} | ${false}
  ${429} | ${true}
  ${500} | ${true}
  ${501} | ${false}
  ${502} | ${true}
  ${503} | ${true}
  ${504} | ${true}
`('isRetriableStatus($status) === $retry', ({ status, retry }) => {
  expect(isRetriableStatus(status)).toBe(retry);
});

test.each`
  attempt | random | ms
  ${0}    | ${0}   | ${250}
  ${0}    | ${1}   | ${500}
  ${3}    | ${0.5} | ${3000}
  ${20}   | ${1}   | ${30_000}
`('backoffDelay($attempt, 500) with random $random === $ms', ({ attempt, random, ms }) => {
  expect(backoffDelay(attempt, 500, () => random)).toBe(ms);
});
