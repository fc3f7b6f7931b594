/** The scan model: one scanner snapshot (eigen features plus the priced universe). */

/** Eigen-feature windows of DOLPHIN scan schema 5.0.0. */
export const WINDOWS = [50, 150, 300, 750] as const;
/** Eigen-feature kinds per window. */
export const FEATURE_KINDS = ['lambda_max', 'velocity', 'rotation', 'instability'] as const;
/** Feature column names in canonical order: w50_lambda_max, w50_velocity, ..., w750_instability. */
export const FEATURE_NAMES: readonly string[] = WINDOWS.flatMap((w) => FEATURE_KINDS.map((k) => `w${w}_${k}`));
/** Number of eigen-feature columns (16). */
export const FEATURE_COUNT = FEATURE_NAMES.length;
/** Schema version this engine reads and writes. */
export const SCHEMA_VERSION = '5.0.0';

/** Index of the `w{window}_velocity` feature in FEATURE_NAMES. */
export function velocityIndex(window: number): number {
  const wi = (WINDOWS as readonly number[]).indexOf(window);
  return wi < 0 ? -1 : wi * FEATURE_KINDS.length + 1;
}

/**
 * One scan as a record (control plane: live messages, journal rows, generator output).
 * Replays use the columnar ScanStore instead.
 */
export interface ScanRecord {
  /** Scanner sequence number; resets on scanner restart, never used for ordering. */
  readonly scanNumber: number;
  /** UTC epoch nanoseconds; the only ordering key. Never a float. */
  readonly timestampNs: bigint;
  /** Scanner local time, informational. */
  readonly timestampIso: string;
  readonly schemaVersion: string;
  /** FEATURE_COUNT values in FEATURE_NAMES order; NaN where missing. */
  readonly features: Float64Array;
  /** The scan's own vel_div column; NaN when absent or null. */
  readonly velDiv: number;
  /** Universe of this scan, e.g. BTCUSDT. */
  readonly assets: readonly string[];
  /** Aligned with assets; invalid prices (null, non-finite, <= 0) are kept as given (NaN for null). */
  readonly prices: Float64Array;
}

/** A price is valid when finite and > 0 (STRATEGY.md 1). */
export function isValidPrice(p: number): boolean {
  return p > 0 && p < Infinity;
}

/** Why a scan record is malformed (STRATEGY.md 1), or null when it is well formed. */
export function malformedReason(scan: ScanRecord): string | null {
  if (scan.assets.length !== scan.prices.length) {
    return `assets (${scan.assets.length}) and asset_prices (${scan.prices.length}) have different lengths`;
  }
  const seen = new Set<string>();
  for (const a of scan.assets) {
    if (seen.has(a)) return `symbol ${a} is listed twice`;
    seen.add(a);
  }
  return null;
}

/** Nanoseconds in one UTC day. */
export const DAY_NS = 86_400_000_000_000n;

/** UTC day number (days since epoch) of a nanosecond timestamp. */
export function dayOf(tsNs: bigint): number {
  return Number(tsNs / DAY_NS) - (tsNs < 0n && tsNs % DAY_NS !== 0n ? 1 : 0);
}

/** YYYY-MM-DD of a UTC day number. */
export function dayToIso(day: number): string {
  const d = new Date(day * 86_400_000);
  return d.toISOString().slice(0, 10);
}

/** UTC day number of YYYY-MM-DD, or NaN when the text is not such a date. */
export function isoToDay(iso: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) return NaN;
  const ms = Date.parse(`${iso}T00:00:00Z`);
  return Number.isFinite(ms) && dayToIso(ms / 86_400_000) === iso ? ms / 86_400_000 : NaN;
}
