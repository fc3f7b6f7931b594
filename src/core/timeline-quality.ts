/** Data-quality facts read off the accepted scan sequence: cadence, gaps, restarts, invalid prices. */
import type { DataQuality } from './data-quality.js';
import { dayToIso } from './scan.js';
import type { ScanStore } from './scan-store.js';
import { timestampDeltas } from './ts-deltas.js';

/** Fills cadence, gaps, scanner restarts, invalid prices and days without factors from the store. */
export function assessTimeline(store: ScanStore, factorDays: ReadonlySet<number>, dq: DataQuality): void {
  const n = store.n;
  dq.scansAccepted = n;
  const spacing = timestampDeltas(store.ts, n);
  if (spacing.length > 0) {
    const median = medianOf(spacing);
    dq.cadenceSeconds = median / 1e9;
    dq.gaps = [];
    for (let t = 1; t < n; t++) {
      if (spacing[t - 1] > 3 * median) {
        dq.gaps.push({ fromTs: store.ts[t - 1].toString(), toTs: store.ts[t].toString(), seconds: spacing[t - 1] / 1e9 });
      }
    }
  }
  dq.scannerRestarts = [];
  for (let t = 1; t < n; t++) {
    if (store.scanNumber[t] < store.scanNumber[t - 1]) {
      dq.scannerRestarts.push({ ts: store.ts[t].toString(), fromScanNumber: store.scanNumber[t - 1], toScanNumber: store.scanNumber[t] });
    }
  }
  const days = new Set<number>();
  for (let t = 0; t < n; t++) if (t === 0 || store.day[t] !== store.day[t - 1]) days.add(store.day[t]);
  dq.daysWithoutFactors = [...days].filter((d) => !factorDays.has(d)).sort((a, b) => a - b).map(dayToIso);
}

/** k-th smallest of a[lo..hi] (inclusive), rearranging a (Hoare selection, middle pivot). */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const x = a[i];
        a[i] = a[j];
        a[j] = x;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/** Median of a non-empty array without sorting it (same value as sorting; the input is not changed). */
export function medianOf(values: Float64Array): number {
  const a = Float64Array.from(values);
  const mid = a.length >> 1;
  const upper = select(a, mid);
  if (a.length % 2) return upper;
  // the lower middle is the largest value left of mid after the selection
  let lower = -Infinity;
  for (let i = 0; i < mid; i++) if (a[i] > lower) lower = a[i];
  return (lower + upper) / 2;
}
