/**
 * Test oracle: STRATEGY.md 2 derived values written straight from the spec text over plain
 * ScanRecords (no store, no memo, no shared buffers), with the spec's prescribed arithmetic.
 */
import { FEATURE_NAMES, dayOf, type ScanRecord } from '../../../src/core/scan.js';

const valid = (p: number | undefined): p is number => p !== undefined && Number.isFinite(p) && p > 0;

/** Price of sym in scan (undefined when absent). */
export function priceIn(scan: ScanRecord, sym: string): number | undefined {
  const i = scan.assets.indexOf(sym);
  return i < 0 ? undefined : scan.prices[i];
}

/** vel_div[t] per source. */
export function refVelDiv(scans: readonly ScanRecord[], t: number, source: 'auto' | 'column' | 'derived', pair: readonly [number, number] = [50, 750]): number {
  const col = scans[t].velDiv;
  const a = scans[t].features[FEATURE_NAMES.indexOf(`w${pair[0]}_velocity`)];
  const b = scans[t].features[FEATURE_NAMES.indexOf(`w${pair[1]}_velocity`)];
  const derived = a - b;
  if (source === 'column') return Number.isFinite(col) ? col : NaN;
  if (source === 'derived') return Number.isFinite(derived) ? derived : NaN;
  return Number.isFinite(col) ? col : Number.isFinite(derived) ? derived : NaN;
}

/** r[sym][t]. */
export function refRet(scans: readonly ScanRecord[], sym: string, t: number): number {
  if (t < 1) return NaN;
  const p1 = priceIn(scans[t], sym);
  const p0 = priceIn(scans[t - 1], sym);
  if (!valid(p1) || !valid(p0)) return NaN;
  return p1 / p0 - 1;
}

/** m[t]. */
export function refMarket(scans: readonly ScanRecord[], t: number): number {
  const syms = [...scans[t].assets].sort();
  let sum = 0;
  let count = 0;
  for (const s of syms) {
    const r = refRet(scans, s, t);
    if (Number.isFinite(r)) {
      sum += r;
      count++;
    }
  }
  if (count === 0 || count < syms.length / 2) return NaN;
  return sum / count;
}

function popStd(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  const mean = s / xs.length;
  let ss = 0;
  for (const x of xs) ss += (x - mean) * (x - mean);
  return Math.sqrt(ss / xs.length);
}

/** btcVol[t]. */
export function refBtcVol(scans: readonly ScanRecord[], t: number, n: number, asset = 'BTCUSDT'): number {
  if (t - n + 1 < 0) return NaN;
  const xs: number[] = [];
  for (let k = t - n + 1; k <= t; k++) {
    const r = refRet(scans, asset, k);
    if (!Number.isFinite(r)) return NaN;
    xs.push(r);
  }
  return popStd(xs);
}

/** [alignment, beta] of sym at t. */
export function refAlignBeta(scans: readonly ScanRecord[], sym: string, t: number, n: number): [number, number] {
  if (t - n + 1 < 0) return [NaN, NaN];
  const xi: number[] = [];
  const xm: number[] = [];
  for (let k = t - n + 1; k <= t; k++) {
    const r = refRet(scans, sym, k);
    const m = refMarket(scans, k);
    if (!Number.isFinite(r) || !Number.isFinite(m)) return [NaN, NaN];
    xi.push(r);
    xm.push(m);
  }
  let si = 0;
  let sm = 0;
  for (let k = 0; k < n; k++) si += xi[k];
  for (let k = 0; k < n; k++) sm += xm[k];
  const mi = si / n;
  const mm = sm / n;
  let sii = 0;
  let smm = 0;
  let sim = 0;
  for (let k = 0; k < n; k++) {
    sii += (xi[k] - mi) * (xi[k] - mi);
    smm += (xm[k] - mm) * (xm[k] - mm);
    sim += (xi[k] - mi) * (xm[k] - mm);
  }
  const varI = sii / n;
  const varM = smm / n;
  const cov = sim / n;
  if (varI === 0 || varM === 0) return [NaN, NaN];
  return [cov / Math.sqrt(varI * varM), cov / varM];
}

/** barOfDay[t]. */
export function refBarOfDay(scans: readonly ScanRecord[], t: number): number {
  const d = dayOf(scans[t].timestampNs);
  let c = 0;
  for (let k = 0; k < t; k++) if (dayOf(scans[k].timestampNs) === d) c++;
  return c;
}

/** Last valid price of sym in scans from..to (inclusive), or NaN. */
export function lastValidPrice(scans: readonly ScanRecord[], sym: string, from: number, to: number): number {
  for (let k = to; k >= from; k--) {
    const p = priceIn(scans[k], sym);
    if (valid(p)) return p;
  }
  return NaN;
}
