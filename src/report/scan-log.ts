/**
 * Compact per-scan facts a report carries so `compare` can attribute divergences: every scan timestamp
 * (varint deltas) and a 32-bit content hash of each scan (prices in ascending symbol order, features,
 * vel_div), each deflated and base64-encoded.
 */
import { promisify } from 'node:util';
import { once } from 'node:events';
import { createDeflateRaw, deflateRaw, deflateRawSync, inflateRawSync } from 'node:zlib';
import { hashScans } from '../core/scan-hash.js';
import type { ScanStore } from '../core/scan-store.js';
import { timestampDeltas } from '../core/ts-deltas.js';

/** The encoded scan log. */
export interface ScanLog {
  readonly count: number;
  readonly encoding: 'deflate-varint-delta-ns/deflate-u32le-fnv1a';
  readonly ts: string;
  readonly hash: string;
}

/** Largest |delta| written through plain numbers (its zig-zag form stays a safe integer). */
const SAFE_DELTA = 2 ** 51;

/** The raw timestamp part of a scan log: varint zig-zag deltas. */
function tsLogBytes(store: ScanStore, n: number): Uint8Array {
  const bytes = new Uint8Array(n * 10 + 10);
  let len = 0;
  const deltas = timestampDeltas(store.ts, n);
  for (let t = 0; t < n; t++) {
    const d = t > 0 ? deltas[t - 1] : NaN;
    if (d === d && Math.abs(d) < SAFE_DELTA) {
      // zig-zag so a (never expected) negative delta still round-trips
      let x = d >= 0 ? d * 2 : -d * 2 - 1;
      while (x >= 128) {
        bytes[len++] = (x % 128) | 0x80;
        x = Math.floor(x / 128);
      }
      bytes[len++] = x;
      continue;
    }
    const big = store.ts[t] - (t > 0 ? store.ts[t - 1] : 0n);
    let z = big >= 0n ? big << 1n : ((-big) << 1n) - 1n;
    do {
      const b = Number(z & 0x7fn);
      z >>= 7n;
      bytes[len++] = z > 0n ? b | 0x80 : b;
    } while (z > 0n);
  }
  return bytes.subarray(0, len);
}

/** The two raw byte strings of a scan log: timestamps and the u32le content hashes (computed unless given). */
function scanLogBytes(store: ScanStore, n: number, hashes?: Uint32Array): { ts: Uint8Array; hash: Uint8Array } {
  let hash = hashes?.subarray(0, n);
  if (!hash) {
    hash = new Uint32Array(n);
    hashScans(store, 0, n, hash);
  }
  return { ts: tsLogBytes(store, n), hash: new Uint8Array(hash.buffer, hash.byteOffset, hash.byteLength) };
}

const ENCODING = 'deflate-varint-delta-ns/deflate-u32le-fnv1a';

/** Encodes the first n scans of a store (content hashes taken from `hashes` when given, else computed). */
export function encodeScanLog(store: ScanStore, n: number, hashes?: Uint32Array): ScanLog {
  const raw = scanLogBytes(store, n, hashes);
  return { count: n, encoding: ENCODING, ts: deflateRawSync(raw.ts).toString('base64'), hash: deflateRawSync(raw.hash).toString('base64') };
}

const deflateRawAsync = promisify(deflateRaw);

/**
 * Deflates content hashes as they become known (streamed replays: unit by unit) on the libuv pool.
 * zlib's output does not depend on how its input is split, so the result equals deflating them at once.
 */
export class HashLogStream {
  private readonly z = createDeflateRaw();
  private readonly chunks: Buffer[] = [];
  private readonly ended: Promise<unknown>;

  constructor() {
    this.z.on('data', (c: Buffer) => this.chunks.push(c));
    this.ended = once(this.z, 'end');
  }

  /** Appends the next hashes (copied: the caller may reuse its memory). */
  push(hashes: Uint32Array): void {
    this.z.write(Buffer.from(new Uint8Array(hashes.buffer, hashes.byteOffset, hashes.byteLength)));
  }

  /** The scan log of the first n scans of a store whose n hashes were all pushed. */
  async scanLog(store: ScanStore, n: number): Promise<ScanLog> {
    this.z.end();
    await this.ended;
    return { count: n, encoding: ENCODING, ts: (await deflateRawAsync(tsLogBytes(store, n))).toString('base64'), hash: Buffer.concat(this.chunks).toString('base64') };
  }
}

/**
 * encodeScanLog with both deflates on the libuv thread pool (same bytes: same zlib settings), so a
 * replay whose timestamps and hashes are known ahead (the day cache) encodes its log while it runs.
 */
export async function encodeScanLogAsync(store: ScanStore, n: number, hashes?: Uint32Array): Promise<ScanLog> {
  const raw = scanLogBytes(store, n, hashes);
  const [ts, hash] = await Promise.all([deflateRawAsync(raw.ts), deflateRawAsync(raw.hash)]);
  return { count: n, encoding: ENCODING, ts: ts.toString('base64'), hash: hash.toString('base64') };
}

/** Decodes a scan log back to timestamps and hashes. */
export function decodeScanLog(log: ScanLog): { ts: BigInt64Array; hash: Uint32Array } {
  const bytes = inflateRawSync(Buffer.from(log.ts, 'base64'));
  const ts = new BigInt64Array(log.count);
  let i = 0;
  let prev = 0n;
  for (let t = 0; t < log.count; t++) {
    let z = 0n;
    let shift = 0n;
    for (;;) {
      const b = bytes[i++];
      z |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) break;
    }
    const d = z & 1n ? -((z + 1n) >> 1n) : z >> 1n;
    prev += d;
    ts[t] = prev;
  }
  const hb = inflateRawSync(Buffer.from(log.hash, 'base64'));
  const hash = new Uint32Array(hb.buffer.slice(hb.byteOffset, hb.byteOffset + hb.byteLength));
  return { ts, hash };
}
