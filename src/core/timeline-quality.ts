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
    const sorted = Float64Array.from(spacing).sort();
    const mid = sorted.length >> 1;
    const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
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
