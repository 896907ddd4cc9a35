/**
 * Reads lines and exact byte counts from a stream of chunks, for framed protocols such as
 * `git cat-file --batch` ("<oid> <type> <size>\n<contents>\n"). A body of known size is
 * copied once into a buffer of that size, so a large file costs one copy, not one per chunk.
 */
export class ByteReader {
  private buffered: Buffer = Buffer.alloc(0);
  private readonly chunks: AsyncIterator<Buffer>;

  constructor(source: AsyncIterable<Buffer>) {
    this.chunks = source[Symbol.asyncIterator]();
  }

  /** The next line without its '\n'; undefined at the end of the stream. */
  async readLine(): Promise<string | undefined> {
    for (;;) {
      const newline = this.buffered.indexOf(0x0a);
      if (newline >= 0) {
        const line = this.buffered.subarray(0, newline).toString('utf8');
        this.buffered = this.buffered.subarray(newline + 1);
        return line;
      }
      if (!(await this.fill())) {
        if (this.buffered.length === 0) return undefined;
        const rest = this.buffered.toString('utf8');
        this.buffered = Buffer.alloc(0);
        return rest;
      }
    }
  }

  /** Exactly `size` bytes; throws if the stream ends first. */
  async readBytes(size: number): Promise<Buffer> {
    const out = Buffer.allocUnsafe(size);
    let filled = 0;
    while (filled < size) {
      if (this.buffered.length === 0 && !(await this.fill())) {
        throw new Error(`stream ended after ${filled} of ${size} bytes`);
      }
      const take = Math.min(size - filled, this.buffered.length);
      this.buffered.copy(out, filled, 0, take);
      this.buffered = this.buffered.subarray(take);
      filled += take;
    }
    return out;
  }

  private async fill(): Promise<boolean> {
    const next = await this.chunks.next();
    if (next.done === true) return false;
    this.buffered = this.buffered.length === 0 ? next.value : Buffer.concat([this.buffered, next.value]);
    return true;
  }
}
