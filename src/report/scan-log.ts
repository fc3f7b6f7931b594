/**
 * Compact per-scan facts a report carries so `compare` can attribute divergences: every scan timestamp
 * (varint deltas) and a 32-bit content hash of each scan (prices in ascending symbol order, features,
 * vel_div), each deflated and base64-encoded.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
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

/** Encodes the first n scans of a store (content hashes taken from `hashes` when given: streamed replays). */
export function encodeScanLog(store: ScanStore, n: number, hashes?: Uint32Array): ScanLog {
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
  let hash = hashes?.subarray(0, n);
  if (!hash) {
    hash = new Uint32Array(n);
    hashScans(store, 0, n, hash);
  }
  return {
    count: n,
    encoding: 'deflate-varint-delta-ns/deflate-u32le-fnv1a',
    ts: deflateRawSync(bytes.subarray(0, len)).toString('base64'),
    hash: deflateRawSync(new Uint8Array(hash.buffer, hash.byteOffset, hash.byteLength)).toString('base64'),
  };
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
