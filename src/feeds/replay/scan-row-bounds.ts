/**
 * The scan format's bounds (core/scan-limits) applied to decoded rows, the same way by every decoder
 * (template fast path, apache-arrow, day cache): a row outside them is malformed, with the reason.
 */
import { assetCountProblem, symbolProblem, textFieldProblem, timestampProblem } from '../../core/scan-limits.js';

/** The decoded columns a bounds check reads (a ScanBatch or a ScanBatchBuilder). */
export interface BoundedRows {
  readonly ts: BigInt64Array;
  readonly scanNumber: Float64Array;
  readonly timestampIso: readonly string[];
  readonly schemaVersion: readonly string[];
  readonly offsets: Int32Array;
  readonly symbolIds: Int32Array;
  readonly symbols: readonly string[];
  readonly malformed: Map<number, string>;
}

/** symbolProblem per symbol id, computed once per distinct symbol (ids may be reused after a rollback). */
export class SymbolVerdicts {
  private seen: string[] = [];
  private verdict: (string | null)[] = [];

  /** symbolProblem(symbols[id]), cached. */
  of(symbols: readonly string[], id: number): string | null {
    const s = symbols[id];
    if (this.seen[id] === s) return this.verdict[id];
    const v = symbolProblem(s);
    this.seen[id] = s;
    this.verdict[id] = v;
    return v;
  }
}

/** Why row r is outside the scan format's bounds, or null. */
export function rowBoundsProblem(c: BoundedRows, r: number, verdicts: SymbolVerdicts): string | null {
  const ts = timestampProblem(c.ts[r]);
  if (ts) return ts;
  const sn = c.scanNumber[r];
  if (Math.abs(sn) > Number.MAX_SAFE_INTEGER) return `scan_number ${sn} is beyond the exact integer range of a number`;
  const from = c.offsets[r];
  const to = c.offsets[r + 1];
  const count = assetCountProblem(to - from);
  if (count) return count;
  const text = textFieldProblem('timestamp_iso', c.timestampIso[r]) ?? textFieldProblem('schema_version', c.schemaVersion[r]);
  if (text) return text;
  for (let k = from; k < to; k++) {
    const bad = verdicts.of(c.symbols, c.symbolIds[k]);
    if (bad) return `assets[${k - from}]: ${bad}`;
  }
  return null;
}

/**
 * Marks rows [from, to) that are outside the bounds as malformed (rows already malformed keep their
 * first reason). Linear in the rows' asset entries; each distinct symbol is checked once.
 */
export function flagOutOfBounds(c: BoundedRows, from: number, to: number, verdicts: SymbolVerdicts): void {
  for (let r = from; r < to; r++) {
    if (c.malformed.has(r)) continue;
    const why = rowBoundsProblem(c, r, verdicts);
    if (why) c.malformed.set(r, why);
  }
}
