/** Typed arrays on SharedArrayBuffer: columns that workers read without a copy (structured clone shares them). */
import type { ScanBatch } from './scan-batch.js';

/** Float64Array on shared memory. */
export function sharedF64(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(Math.max(1, n) * 8), 0, n);
}

/** Int32Array on shared memory. */
export function sharedI32(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Math.max(1, n) * 4), 0, n);
}

/** BigInt64Array on shared memory. */
export function sharedBigInt64(n: number): BigInt64Array {
  return new BigInt64Array(new SharedArrayBuffer(Math.max(1, n) * 8), 0, n);
}

/** Copies a typed array into shared memory (no-op when it already is shared). */
export function toShared<T extends Float64Array | Int32Array | BigInt64Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const Ctor = a.constructor as new (buf: SharedArrayBuffer, off: number, len: number) => T;
  const out = new Ctor(new SharedArrayBuffer(Math.max(1, a.byteLength)), 0, a.length);
  out.set(a as never);
  return out;
}

/** Moves a batch's columns to shared memory. */
export function shareBatch(b: ScanBatch): ScanBatch {
  return {
    ...b,
    ts: toShared(b.ts),
    scanNumber: toShared(b.scanNumber),
    velDiv: toShared(b.velDiv),
    features: b.features.map((f) => toShared(f)),
    offsets: toShared(b.offsets),
    symbolIds: toShared(b.symbolIds),
    prices: toShared(b.prices),
  };
}
