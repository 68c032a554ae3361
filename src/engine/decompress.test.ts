import { Readable, PassThrough } from 'node:stream';
import { describe, test, expect } from 'vitest';
import { peek, sniffCompression } from './decompress.js';

async function drain(s: Readable): Promise<Buffer> { const c: Buffer[] = []; for await (const x of s) c.push(x as Buffer); return Buffer.concat(c); }

describe('peek', () => {
test('a source that gives all its bytes in one chunk and ends in the same tick loses nothing', async () => {
  const data = Buffer.alloc(10000, 7);
  const p = new PassThrough();
  p.end(data);
  const { head, stream } = await peek(p, 4);
  expect(head.length).toBeGreaterThanOrEqual(4);
  expect((await drain(stream)).length).toBe(10000);
});
test('Readable.from with one chunk', async () => {
  const data = Buffer.alloc(10000, 7);
  const { stream } = await peek(Readable.from([data]), 4);
  expect((await drain(stream)).length).toBe(10000);
});

test('a stream shorter than asked for', async () => {
  const { head, stream } = await peek(Readable.from([Buffer.from('ab')]), 4);
  expect(head.toString()).toBe('ab');
  expect((await drain(stream)).toString()).toBe('ab');
});

test('an empty stream', async () => {
  const { head, stream } = await peek(Readable.from([]), 4);
  expect(head.length).toBe(0);
  expect((await drain(stream)).length).toBe(0);
});

test('many small chunks keep their order', async () => {
  const parts = Array.from({ length: 100 }, (_, i) => Buffer.from([i]));
  const { head, stream } = await peek(Readable.from(parts), 4);
  expect([...head]).toEqual([0, 1, 2, 3]);
  expect([...(await drain(stream))]).toEqual(parts.map((_, i) => i));
});

test('an error before the head is a rejection', async () => {
  const src = new Readable({ read() { this.destroy(new Error('boom')); } });
  await expect(peek(src, 4)).rejects.toThrow('boom');
});
});

test.each([
  ['gzip', Buffer.from([0x1f, 0x8b, 8, 0]), 'gzip'],
  ['zstd', Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), 'zstd'],
  ['tar', Buffer.from('etc/'), 'none'],
])('sniffCompression(%s)', (_l, head, want) => {
  expect(sniffCompression(head)).toBe(want);
});
