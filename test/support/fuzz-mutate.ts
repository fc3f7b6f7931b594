/**
 * Mutation operators for fuzzing readers (Arrow files as bytes, JSON payloads as text): bit flips, byte
 * sets, inserts, deletes, truncation, giant and nudged lengths, splices and duplicated chunks. Every
 * mutant is a pure function of (seed files, PRNG), so an input is reproduced from its index alone.
 */
import { rng } from './synthetic-scans.js';

/** A PRNG returning [0, 1). */
export type Random = () => number;

/** The PRNG of input `index` of run `seed`: independent streams, reproducible one by one. */
export function inputRandom(seed: number, index: number): Random {
  return rng((Math.imul(seed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
}

const int = (r: Random, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Random, xs: readonly T[]): T => xs[int(r, xs.length)];

/** 32-bit values that break lengths, counts and offsets when they land on one. */
const GIANT_32 = [0x7fffffff, 0xffffffff, 0x80000000, 0x40000000, 0x10000000, 0x00ffffff, 0x0000ffff, 0x00010000, 0xfffffff8, 0x7ffffff8];

/** Names of the operators, in the order `mutateBytes` picks from. */
export const BYTE_OPS = ['flip', 'set', 'insert', 'delete', 'truncate', 'giant32', 'giant64', 'nudge', 'splice', 'duplicate'] as const;

/** A position biased towards the end of the file (footer, flatbuffer metadata) a third of the time. */
function position(r: Random, len: number): number {
  if (len === 0) return 0;
  return r() < 0.33 ? len - 1 - int(r, Math.min(len, 512)) : int(r, len);
}

/** One mutation of `b` with operator `op` (`others` are splice sources). */
export function mutateOnce(b: Uint8Array, op: (typeof BYTE_OPS)[number], r: Random, others: readonly Uint8Array[]): Uint8Array {
  const len = b.length;
  const at = position(r, len);
  switch (op) {
    case 'flip': {
      const out = b.slice();
      if (len) out[at] ^= 1 << int(r, 8);
      return out;
    }
    case 'set': {
      const out = b.slice();
      if (len) out[at] = pick(r, [0, 1, 0x7f, 0x80, 0xfe, 0xff, int(r, 256)]);
      return out;
    }
    case 'insert': {
      const k = 1 + int(r, 16);
      const out = new Uint8Array(len + k);
      out.set(b.subarray(0, at));
      for (let i = 0; i < k; i++) out[at + i] = r() < 0.5 ? 0 : int(r, 256);
      out.set(b.subarray(at), at + k);
      return out;
    }
    case 'delete': {
      const k = Math.min(len - at, 1 + int(r, 16));
      const out = new Uint8Array(len - k);
      out.set(b.subarray(0, at));
      out.set(b.subarray(at + k), at);
      return out;
    }
    case 'truncate':
      return b.slice(0, int(r, len + 1));
    case 'giant32':
    case 'giant64':
    case 'nudge': {
      const out = b.slice();
      const p = at & ~3;
      if (p + 8 > len) return out;
      const dv = new DataView(out.buffer);
      if (op === 'giant32') dv.setUint32(p, pick(r, GIANT_32), true);
      else if (op === 'giant64') dv.setBigUint64(p, pick(r, [0x7fffffffffffffffn, 0xffffffffffffffffn, 1n << 53n, 1n << 40n, 1n << 31n]), true);
      else dv.setInt32(p, dv.getInt32(p, true) + pick(r, [-16, -8, -4, -1, 1, 4, 8, 16, 24, 64]), true);
      return out;
    }
    case 'splice':
    case 'duplicate': {
      const src = op === 'splice' && others.length ? pick(r, others) : b;
      if (src.length === 0) return b.slice();
      const from = int(r, src.length);
      const k = Math.min(src.length - from, 1 + int(r, 64));
      const chunk = src.subarray(from, from + k);
      if (r() < 0.5) {
        const out = b.slice();
        out.set(chunk.subarray(0, Math.max(0, Math.min(k, len - at))), at);
        return out;
      }
      const out = new Uint8Array(len + k);
      out.set(b.subarray(0, at));
      out.set(chunk, at);
      out.set(b.subarray(at), at + k);
      return out;
    }
  }
}

/** 1 to 4 random mutations of `b`; returns the mutant and the operators used. */
export function mutateBytes(b: Uint8Array, r: Random, others: readonly Uint8Array[]): { bytes: Uint8Array; ops: string[] } {
  const count = 1 + Math.floor(-Math.log2(1 - r() * 0.9375)); // 1 (50 %), 2 (25 %), 3, 4
  let out = b;
  const ops: string[] = [];
  for (let i = 0; i < Math.min(4, count); i++) {
    const op = pick(r, BYTE_OPS);
    ops.push(op);
    out = mutateOnce(out, op, r, others);
  }
  return { bytes: out, ops };
}

/** Text fragments that stress a JSON parser. */
const JSON_TOKENS = ['NaN', 'Infinity', '-Infinity', '-', '1e999', '-0', '0.', '.5', '"', '\\', '\\u0000', '\\ud800', '{', '}', '[', ']', ',', ':', 'null', 'true', '9'.repeat(30), '1e-400', ' ', '\n', '\u0000', '\ufeff', '"assets":', '"timestamp_ns":', '[[[[[[[[', '"\u00e9"'];

/** Names of the text operators. */
export const TEXT_OPS = ['char', 'token', 'delete', 'truncate', 'duplicate', 'splice', 'nest'] as const;

/** 1 to 4 random mutations of JSON text `t`. */
export function mutateText(t: string, r: Random, others: readonly string[]): { text: string; ops: string[] } {
  let s = t;
  const ops: string[] = [];
  const count = 1 + int(r, 4);
  for (let i = 0; i < count; i++) {
    const op = pick(r, TEXT_OPS);
    ops.push(op);
    const at = int(r, s.length + 1);
    switch (op) {
      case 'char':
        s = s.slice(0, at) + String.fromCharCode(r() < 0.8 ? 32 + int(r, 95) : int(r, 0x10000)) + s.slice(at + 1);
        break;
      case 'token':
        s = s.slice(0, at) + pick(r, JSON_TOKENS) + s.slice(at + (r() < 0.5 ? 0 : 1 + int(r, 8)));
        break;
      case 'delete':
        s = s.slice(0, at) + s.slice(at + 1 + int(r, 16));
        break;
      case 'truncate':
        s = s.slice(0, at);
        break;
      case 'duplicate': {
        const k = 1 + int(r, 64);
        s = s.slice(0, at) + s.slice(at, at + k) + s.slice(at);
        break;
      }
      case 'splice': {
        const o = others.length ? pick(r, others) : s;
        const from = int(r, o.length + 1);
        s = s.slice(0, at) + o.slice(from, from + 1 + int(r, 64)) + s.slice(at);
        break;
      }
      case 'nest': {
        const depth = pick(r, [8, 63, 64, 65, 1000, 100_000]);
        s = s.slice(0, at) + '['.repeat(depth) + ']'.repeat(r() < 0.5 ? depth : 0) + s.slice(at);
        break;
      }
    }
  }
  return { text: s, ops };
}
