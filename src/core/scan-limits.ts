/**
 * Bounds of the scan format that every reader enforces (Arrow files, Hazelcast messages, journals):
 * how many assets, how long a symbol or text field may be, which characters a symbol may hold and which
 * timestamps are plausible. A scan outside them is malformed (skipped and counted, never fatal).
 */

/** Most assets one scan may list. The scanner lists ~50; Binance USDT-M has a few hundred perpetuals. */
export const MAX_ASSETS_PER_SCAN = 4096;
/** Longest symbol, in UTF-16 code units (e.g. `1000PEPEUSDT` is 12). */
export const MAX_SYMBOL_LENGTH = 64;
/** Longest informational text field (`timestamp_iso`, `schema_version`), in UTF-16 code units. */
export const MAX_TEXT_FIELD_LENGTH = 128;
/** Largest serialized scan message (JSON or one-scan Arrow file) a reader accepts, in bytes. */
export const MAX_SCAN_MESSAGE_BYTES = 1 << 20;

/** Earliest plausible scan: 2000-01-01T00:00:00Z, in epoch nanoseconds. */
export const MIN_PLAUSIBLE_TS_NS = 946_684_800_000_000_000n;
/** First implausible scan: 2100-01-01T00:00:00Z, in epoch nanoseconds (int64 ends in 2262). */
export const MAX_PLAUSIBLE_TS_NS = 4_102_444_800_000_000_000n;

// Control, format, surrogate, private-use and unassigned code points (\p{C}) and separators (\p{Z},
// spaces included): what would break a table, a log line or a terminal. Everything else is printable.
const NOT_PLAIN = /[\p{C}\p{Z}]/u;

/** Why `symbol` is not a plain printable symbol of bounded length, or null when it is one. */
export function symbolProblem(symbol: string): string | null {
  if (symbol.length === 0) return 'a symbol is empty';
  if (symbol.length > MAX_SYMBOL_LENGTH) {
    return `symbol ${JSON.stringify(symbol.slice(0, 24))}... is ${symbol.length} characters long (at most ${MAX_SYMBOL_LENGTH})`;
  }
  if (NOT_PLAIN.test(symbol)) return `symbol ${JSON.stringify(symbol)} holds whitespace or a control character`;
  return null;
}

/** Why `tsNs` is not a plausible scan time (outside [2000-01-01, 2100-01-01) UTC), or null. */
export function timestampProblem(tsNs: bigint): string | null {
  if (tsNs < MIN_PLAUSIBLE_TS_NS || tsNs >= MAX_PLAUSIBLE_TS_NS) {
    return `timestamp_ns ${tsNs} is outside the plausible range [2000-01-01, 2100-01-01) UTC`;
  }
  return null;
}

/** Why a text field is too long, or null. */
export function textFieldProblem(name: string, value: string): string | null {
  return value.length > MAX_TEXT_FIELD_LENGTH ? `${name} is ${value.length} characters long (at most ${MAX_TEXT_FIELD_LENGTH})` : null;
}

/** Why a scan listing `count` assets is too large, or null. */
export function assetCountProblem(count: number): string | null {
  return count > MAX_ASSETS_PER_SCAN ? `the scan lists ${count} assets (at most ${MAX_ASSETS_PER_SCAN})` : null;
}
