import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

/** The parts of a tar-stream entry (a streamx Readable) that Vigil uses. */
export interface EntryStream {
  on(ev: 'data', fn: (c: Buffer) => void): unknown;
  on(ev: 'end', fn: () => void): unknown;
  on(ev: 'error', fn: (e: Error) => void): unknown;
  pause(): unknown;
  resume(): unknown;
}

/**
 * Reads a tar entry in steps: first a few bytes (so catalogers can sniff the content), then
 * the rest into memory or onto disk. Listeners are attached once, for the entry's whole life:
 * a streamx entry may end in the same tick as its last data, and an 'end' missed between two
 * steps would stall the whole layer. (Breaking out of `for await` is no option either: it
 * destroys the tar stream.)
 */
export class EntryReader {
  readonly chunks: Buffer[] = [];
  got = 0;
  ended = false;
  private error: Error | undefined;
  private limit = 0;
  private wake: (() => void) | undefined;
  private sink: WriteStream | undefined;

  constructor(private readonly entry: EntryStream) {
    entry.on('data', (c: Buffer) => {
      this.got += c.length;
      if (this.sink) {
        if (!this.sink.write(c)) {
          entry.pause();
          this.sink.once('drain', () => entry.resume());
        }
        return;
      }
      this.chunks.push(c);
      if (this.got >= this.limit) {
        entry.pause();
        this.notify();
      }
    });
    entry.on('end', () => {
      this.ended = true;
      this.notify();
    });
    entry.on('error', (e: Error) => {
      this.error = e;
      this.notify();
    });
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private async wait(done: () => boolean): Promise<void> {
    while (!done()) {
      if (this.error) throw this.error;
      const p = new Promise<void>((r) => (this.wake = r));
      this.entry.resume();
      await p;
    }
    if (this.error) throw this.error;
  }

  /** Reads until at least `limit` bytes are in memory or the entry ends. */
  async fill(limit: number): Promise<void> {
    this.limit = limit;
    await this.wait(() => this.ended || this.got >= this.limit);
  }

  /** Reads everything into memory. */
  async readAll(): Promise<Buffer> {
    this.limit = Infinity;
    await this.wait(() => this.ended);
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
  }

  /** Writes what was read so far and the rest of the entry to `file`, with back-pressure. */
  async spoolTo(file: string): Promise<void> {
    const out = createWriteStream(file);
    try {
      for (const c of this.chunks) if (!out.write(c)) await once(out, 'drain');
      this.chunks.length = 0;
      this.sink = out;
      await this.wait(() => this.ended);
    } finally {
      this.sink = undefined;
      out.end();
      await once(out, 'close');
    }
  }

  /** Discards the rest of the entry. */
  skip(): void {
    this.limit = Infinity;
    this.chunks.length = 0;
    this.entry.resume();
  }
}
