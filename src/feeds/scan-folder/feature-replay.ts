/** Replays a folder's scans through the shared price stream: rescan's loop and a scanner restart's restore. */
import { PriceFeatureStream } from '../../core/eigen/price-feature-stream.js';
import { FEATURE_COUNT, type ScanRecord } from '../../core/scan.js';
import type { OrderedScans } from './scan-folder-reader.js';

/** Where a replay ended. */
export interface FeatureReplay {
  /** The stream after the last scan (null when there was none). */
  readonly stream: PriceFeatureStream | null;
  /** Universe segments (a scan listing a symbol outside the current universe starts a new stream). */
  readonly segments: number;
  /** The last scan replayed, as written (null when none). */
  readonly last: ScanRecord | null;
}

/**
 * Pushes every scan of `scans` (in order) through a {@link PriceFeatureStream}: the stream continues
 * across gaps and restarts and starts anew, with the scan's own asset order, when a scan lists a symbol
 * outside the current universe. `each` gets every scan with its recomputed features and vel_div.
 */
export function replayFeatures(scans: OrderedScans, windows: readonly number[], each?: (scan: ScanRecord, features: Float64Array, velDiv: number, i: number) => void): FeatureReplay {
  let stream: PriceFeatureStream | null = null;
  let aligned = new Float64Array(0);
  let segments = 0;
  let last: ScanRecord | null = null;
  const scratch = new Float64Array(FEATURE_COUNT);
  for (let i = 0; i < scans.count; i++) {
    const rec = scans.record(i);
    if (stream === null || !stream.align(rec.assets, rec.prices, aligned)) {
      stream = new PriceFeatureStream(rec.assets, windows);
      aligned = new Float64Array(rec.assets.length);
      stream.align(rec.assets, rec.prices, aligned);
      segments++;
    }
    const features = each === undefined ? scratch : new Float64Array(FEATURE_COUNT);
    const velDiv = stream.push(aligned, features);
    each?.(rec, features, velDiv, i);
    last = rec;
  }
  return { stream, segments, last };
}
