/** The one codec of factor records: the engine's FactorRecord to and from its text forms. */
import { dayToIso, isoToDay } from './scan.js';
import type { FactorRecord } from './trade.js';

/**
 * The factors, as (snake_case name in files, journals and `exf_latest`; camelCase key of the record).
 * Every form lists them in this order.
 */
export const FACTOR_FIELDS = [
  ['funding_btc', 'fundingBtc'],
  ['dvol_btc', 'dvolBtc'],
  ['fng', 'fng'],
  ['taker_ratio', 'takerRatio'],
] as const;

/** camelCase key of a factor. */
export type FactorKey = (typeof FACTOR_FIELDS)[number][1];

/** Every factor of a record, null when absent (the report's form). */
export type FactorValues = { readonly [K in FactorKey]: number | null };

type MutableRecord = { -readonly [K in keyof FactorRecord]: FactorRecord[K] };

/**
 * A record from a parsed snake_case object (external_factors/D.json, a factors.ndjson line); absent or
 * null factors are left out. Throws an Error naming the bad field.
 */
export function factorRecordFrom(obj: unknown, day: number, effectiveFromNs: bigint): FactorRecord {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new Error('expected a JSON object of factors');
  const o = obj as Record<string, unknown>;
  const rec: MutableRecord = { day, effectiveFromNs };
  for (const [field, key] of FACTOR_FIELDS) {
    const v = o[field];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`field ${field} must be a finite number, was ${JSON.stringify(v)}`);
    rec[key] = v;
  }
  return rec;
}

/** A record from camelCase values (a report's factors); null factors are left out. */
export function factorRecordFromValues(values: Partial<FactorValues>, day: number, effectiveFromNs: bigint): FactorRecord {
  const rec: MutableRecord = { day, effectiveFromNs };
  for (const [, key] of FACTOR_FIELDS) {
    const v = values[key];
    if (v !== null && v !== undefined) rec[key] = v;
  }
  return rec;
}

/** Every factor of a record, null when absent, in FACTOR_FIELDS order. */
export function factorValuesOf(f: FactorRecord): FactorValues {
  return { fundingBtc: f.fundingBtc ?? null, dvolBtc: f.dvolBtc ?? null, fng: f.fng ?? null, takerRatio: f.takerRatio ?? null };
}

/** A record as a factors.ndjson line: date, effectiveFromNs (decimal string), then the snake_case factors. */
export function factorJournalLine(f: FactorRecord): string {
  const v = factorValuesOf(f);
  return JSON.stringify({ date: dayToIso(f.day), effectiveFromNs: f.effectiveFromNs.toString(), funding_btc: v.fundingBtc, dvol_btc: v.dvolBtc, fng: v.fng, taker_ratio: v.takerRatio });
}

/** Parses a factors.ndjson line (factorJournalLine's form). Throws an Error naming the bad field. */
export function factorRecordFromJournalLine(line: string): FactorRecord {
  const o = JSON.parse(line) as Record<string, unknown>;
  const day = isoToDay(String(o.date));
  if (!Number.isFinite(day)) throw new Error(`date must be YYYY-MM-DD, was ${JSON.stringify(o.date)}`);
  if (typeof o.effectiveFromNs !== 'string' || !/^-?\d+$/.test(o.effectiveFromNs)) throw new Error('effectiveFromNs must be a decimal string of nanoseconds');
  return factorRecordFrom(o, day, BigInt(o.effectiveFromNs));
}
