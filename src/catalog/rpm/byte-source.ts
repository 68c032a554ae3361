/**
 * Random access to a database file. The BDB and NDB readers only touch the pages they need, so
 * a 200 MB rpmdb of a big host is never held in memory at once; tests hand in a Buffer.
 */
export interface ByteSource {
  readonly size: number;
  /** `length` bytes from `offset`, fewer at the end of the file. */
  read(offset: number, length: number): Promise<Buffer>;
}

export function bufferSource(buf: Buffer): ByteSource {
  return { size: buf.length, read: async (offset, length) => buf.subarray(offset, offset + length) };
}

/** One header blob out of a database, with the key rpm stored it under (for warnings). */
export interface HeaderBlob {
  key: number;
  blob: Buffer;
}

export interface DbReadResult {
  blobs: HeaderBlob[];
  /** Problems that lost some records but not the database. */
  problems: string[];
}
