/** Worker task: compute market return and btcVol (and, for streamed replays, content hashes) for an index range into shared output columns. */
import type { StrategyConfig } from '../core/config.js';
import { btcVolRange, marketReturnsOf } from '../core/features.js';
import { ScanStore, type ScanColumns } from '../core/scan-store.js';
import { hashScans } from '../core/scan-hash.js';

/** Input: the store's shared columns, the range and the shared outputs (full length). */
export interface FeatureRangeTask {
  readonly columns: Required<ScanColumns>;
  readonly config: StrategyConfig;
  readonly from: number;
  readonly to: number;
  /** Absent when the market returns come from the day cache. */
  readonly market?: Float64Array;
  readonly btcVol: Float64Array;
  /** Streamed replays: also the scans' content hashes (the scan log's), shared, full length. */
  readonly hashes?: Uint32Array;
}

/** Writes m[t] and btcVol[t] for t in [from, to); windows reach back before `from` as they need. */
export function featureRange(task: FeatureRangeTask): number {
  const store = ScanStore.fromColumns(task.columns);
  if (task.market) marketReturnsOf(store, task.from, task.to, task.market.subarray(task.from, task.to));
  btcVolRange(store, task.config, task.from, task.to, task.btcVol.subarray(task.from, task.to));
  if (task.hashes) hashScans(store, task.from, task.to, task.hashes);
  return task.to - task.from;
}
