/**
 * Streams the members of a top-level JSON object as (key, raw JSON text) pairs, so a feed that is
 * one huge object (the Debian tracker JSON is ~70 MB) is parsed one member at a time and memory
 * stays flat. Strings and escapes are honoured; each member is validated by JSON.parse later.
 */
import type { Readable } from 'node:stream';
import { VigilError } from '../../core/errors.js';

export async function* topLevelMembers(stream: Readable, name: string): AsyncGenerator<[string, string]> {
  stream.setEncoding('utf8');
  let depth = 0;
  let inStr = false;
  let esc = false;
  let phase: 'key' | 'colon' | 'value' | 'invalue' | 'done' = 'key';
  let key = '';
  let cap = '';
  let capturing = false;
  let started = false;
  for await (const chunk of stream) {
    const s = chunk as string;
    let capStart = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (inStr) {
        if (esc) esc = false;
        else if (c === 92) esc = true;
        else if (c === 34) {
          inStr = false;
          if (depth === 1 && phase === 'key') {
            cap += s.slice(capStart, i + 1);
            key = JSON.parse(cap) as string;
            cap = '';
            capturing = false;
            phase = 'colon';
          }
        }
        continue;
      }
      if (c === 32 || c === 10 || c === 13 || c === 9 || c === 0xfeff) continue;
      if (!started) {
        if (c !== 123) throw new VigilError('feed-invalid', `${name}: expected a JSON object`, { kind: 'input' });
        started = true;
        depth = 1;
        continue;
      }
      if (phase === 'done') throw new VigilError('feed-invalid', `${name}: text after the end of the JSON object`, { kind: 'input' });
      if (depth === 1 && phase === 'key') {
        if (c === 34) {
          inStr = true;
          capturing = true;
          capStart = i;
        } else if (c === 125) {
          depth = 0;
          phase = 'done';
        } else if (c !== 44) throw new VigilError('feed-invalid', `${name}: malformed JSON object`, { kind: 'input' });
        continue;
      }
      if (depth === 1 && phase === 'colon') {
        if (c !== 58) throw new VigilError('feed-invalid', `${name}: malformed JSON object`, { kind: 'input' });
        phase = 'value';
        continue;
      }
      if (depth === 1 && phase === 'value') {
        phase = 'invalue';
        capturing = true;
        capStart = i;
      } else if (depth === 1 && phase === 'invalue' && (c === 44 || c === 125)) {
        cap += s.slice(capStart, i);
        capturing = false;
        const text = cap;
        cap = '';
        phase = c === 125 ? 'done' : 'key';
        if (c === 125) depth = 0;
        yield [key, text];
        continue;
      }
      if (c === 34) inStr = true;
      else if (c === 123 || c === 91) depth++;
      else if (c === 125 || c === 93) depth--;
    }
    if (capturing) cap += s.slice(capStart);
  }
  if (phase !== 'done') throw new VigilError('feed-invalid', `${name}: truncated JSON`, { kind: 'input' });
}
