/** Agreement of two scan streams (e.g. the external scanner's and ours): matched scans, feature and entry-gate agreement. */
import type { StrategyConfig } from '../core/config.js';
import { FeatureCalc } from '../core/features.js';
import { FEATURE_COUNT, FEATURE_NAMES } from '../core/scan.js';
import type { ScanStore } from '../core/scan-store.js';

/** Agreement of one feature over the matched scans where both sides have a finite value. */
export interface FeatureAgreement {
  readonly name: string;
  /** Matched scans with a finite value on both sides. */
  readonly pairs: number;
  /** Pearson correlation (null with fewer than 3 pairs or a constant side). */
  readonly correlation: number | null;
  readonly maxAbsDiff: number | null;
  readonly medianAbsDiff: number | null;
  /** Pairs that are bit-identical. */
  readonly identical: number;
}

/** Entry gate (`vel_div <= velDivThreshold`, vel_div per velDivSource) on the matched scans. */
export interface GateAgreement {
  readonly threshold: number;
  readonly bothOpen: number;
  readonly onlyA: number;
  readonly onlyB: number;
  readonly bothClosed: number;
  /** Scans where the gate opens (closed at the side's previous scan, open now). */
  readonly crossingsBoth: number;
  readonly crossingsOnlyA: number;
  readonly crossingsOnlyB: number;
  /** Timestamps (ns, of A) of the first crossings found on one side only. */
  readonly examples: readonly { readonly ts: string; readonly side: 'A' | 'B'; readonly velDivA: number | null; readonly velDivB: number | null }[];
}

/** Price agreement over the symbols both scans list with a valid price. */
export interface PriceAgreement {
  readonly pairs: number;
  readonly maxRelDiff: number | null;
  readonly medianRelDiff: number | null;
  readonly commonSymbols: number;
}

/** One side's scans. */
export interface ScanSide {
  readonly label: string;
  readonly scans: number;
  readonly firstTs: string | null;
  readonly lastTs: string | null;
  readonly symbols: number;
}

/** The agreement of scan streams A and B. */
export interface ScanAgreement {
  readonly a: ScanSide;
  readonly b: ScanSide;
  /** Matching tolerance: half the cadence, ns. */
  readonly toleranceNs: string;
  readonly cadenceMs: number;
  readonly matched: number;
  readonly unmatchedA: number;
  readonly unmatchedB: number;
  /** Median of (B ts - A ts) over matched scans, ms. */
  readonly medianOffsetMs: number | null;
  /** The 16 eigen features, then vel_div (as the strategy resolves it). */
  readonly features: readonly FeatureAgreement[];
  readonly prices: PriceAgreement;
  readonly gate: GateAgreement;
}

/** Median spacing of consecutive scans in ms (null with fewer than 2 scans). */
export function medianCadenceMs(store: ScanStore): number | null {
  if (store.n < 2) return null;
  const d: number[] = [];
  for (let t = 1; t < store.n; t++) d.push(Number(store.ts[t] - store.ts[t - 1]) / 1e6);
  return median(d);
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Pairs scans of A and B whose timestamps differ by at most `toleranceNs` (greedy, in time order, each
 * scan used once). Returns index pairs.
 */
export function matchScans(a: ScanStore, b: ScanStore, toleranceNs: bigint): { ia: Int32Array; ib: Int32Array } {
  const ia: number[] = [];
  const ib: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.n && j < b.n) {
    const d = b.ts[j] - a.ts[i];
    if (d <= toleranceNs && d >= -toleranceNs) {
      // a later B closer to this A wins (the skipped one stays unmatched)
      if (j + 1 < b.n && abs(b.ts[j + 1] - a.ts[i]) < abs(d)) {
        j++;
        continue;
      }
      ia.push(i++);
      ib.push(j++);
    } else if (d < 0n) j++;
    else i++;
  }
  return { ia: Int32Array.from(ia), ib: Int32Array.from(ib) };
}

/** Largest value (null when empty); a loop, not Math.max(...xs), which overflows the stack on long arrays. */
function maxOf(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  let m = -Infinity;
  for (const x of xs) if (x > m) m = x;
  return m;
}

const abs = (x: bigint): bigint => (x < 0n ? -x : x);

function agreement(name: string, xa: Float64Array, xb: Float64Array): FeatureAgreement {
  const n = xa.length;
  let pairs = 0;
  let identical = 0;
  let sa = 0;
  let sb = 0;
  const diffs: number[] = [];
  for (let k = 0; k < n; k++) {
    const x = xa[k];
    const y = xb[k];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    pairs++;
    if (Object.is(x, y)) identical++;
    sa += x;
    sb += y;
    diffs.push(Math.abs(x - y));
  }
  let correlation: number | null = null;
  if (pairs >= 3) {
    const ma = sa / pairs;
    const mb = sb / pairs;
    let cab = 0;
    let caa = 0;
    let cbb = 0;
    for (let k = 0; k < n; k++) {
      const x = xa[k];
      const y = xb[k];
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      cab += (x - ma) * (y - mb);
      caa += (x - ma) * (x - ma);
      cbb += (y - mb) * (y - mb);
    }
    correlation = caa > 0 && cbb > 0 ? cab / Math.sqrt(caa * cbb) : null;
  }
  return { name, pairs, correlation, maxAbsDiff: maxOf(diffs), medianAbsDiff: median(diffs), identical };
}

/**
 * Compares two scan stores: scans matched by timestamp within half the cadence (`cadenceMs`, default
 * A's median spacing), then per feature (the 16 eigen features and the resolved vel_div) correlation,
 * max and median absolute difference; prices of common symbols; the entry gate per scan and its
 * crossings. Pure.
 */
export function scanAgreement(a: ScanStore, b: ScanStore, labels: { a: string; b: string }, config: StrategyConfig, cadenceMs?: number): ScanAgreement {
  const cad = cadenceMs ?? medianCadenceMs(a) ?? medianCadenceMs(b) ?? 5000;
  const tol = BigInt(Math.round((cad / 2) * 1e6));
  const { ia, ib } = matchScans(a, b, tol);
  const m = ia.length;
  const features: FeatureAgreement[] = [];
  for (let f = 0; f < FEATURE_COUNT; f++) {
    features.push(agreement(FEATURE_NAMES[f], Float64Array.from(ia, (i) => a.features[f][i]), Float64Array.from(ib, (j) => b.features[f][j])));
  }
  const fa = new FeatureCalc(a, config);
  const fb = new FeatureCalc(b, config);
  const va = Float64Array.from(ia, (i) => fa.velDiv(i));
  const vb = Float64Array.from(ib, (j) => fb.velDiv(j));
  features.push(agreement('vel_div', va, vb));

  // prices of symbols both list
  const common: [number, number][] = [];
  a.symbols.forEach((s, ida) => {
    const idb = b.idOf(s);
    if (idb >= 0) common.push([ida, idb]);
  });
  const rel: number[] = [];
  for (let k = 0; k < m; k++) {
    for (const [x, y] of common) {
      const p = a.price(ia[k], x);
      const q = b.price(ib[k], y);
      if (p > 0 && q > 0) rel.push(Math.abs(q - p) / p);
    }
  }

  // entry gate
  const thr = config.velDivThreshold;
  let bothOpen = 0;
  let onlyA = 0;
  let onlyB = 0;
  let bothClosed = 0;
  let cBoth = 0;
  let cA = 0;
  let cB = 0;
  const examples: GateAgreement['examples'][number][] = [];
  const open = (v: number): boolean => v <= thr;
  for (let k = 0; k < m; k++) {
    const oa = open(va[k]);
    const ob = open(vb[k]);
    if (oa && ob) bothOpen++;
    else if (oa) onlyA++;
    else if (ob) onlyB++;
    else bothClosed++;
    const xa = oa && (ia[k] === 0 || !open(fa.velDiv(ia[k] - 1)));
    const xb = ob && (ib[k] === 0 || !open(fb.velDiv(ib[k] - 1)));
    if (xa && xb) cBoth++;
    else if (xa || xb) {
      if (xa) cA++;
      else cB++;
      if (examples.length < 20) examples.push({ ts: a.ts[ia[k]].toString(), side: xa ? 'A' : 'B', velDivA: Number.isFinite(va[k]) ? va[k] : null, velDivB: Number.isFinite(vb[k]) ? vb[k] : null });
    }
  }
  const offs: number[] = [];
  for (let k = 0; k < m; k++) offs.push(Number(b.ts[ib[k]] - a.ts[ia[k]]) / 1e6);
  const side = (s: ScanStore, label: string): ScanSide => ({ label, scans: s.n, firstTs: s.n ? s.ts[0].toString() : null, lastTs: s.n ? s.ts[s.n - 1].toString() : null, symbols: s.symbols.length });
  return {
    a: side(a, labels.a),
    b: side(b, labels.b),
    toleranceNs: tol.toString(),
    cadenceMs: cad,
    matched: m,
    unmatchedA: a.n - m,
    unmatchedB: b.n - m,
    medianOffsetMs: median(offs),
    features,
    prices: { pairs: rel.length, maxRelDiff: maxOf(rel), medianRelDiff: median(rel), commonSymbols: common.length },
    gate: { threshold: thr, bothOpen, onlyA, onlyB, bothClosed, crossingsBoth: cBoth, crossingsOnlyA: cA, crossingsOnlyB: cB, examples },
  };
}
