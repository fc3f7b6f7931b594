/**
 * The factor record codec. Invariants: every text form (journal line, report row, snake_case object) gives
 * back the record it came from; absent factors stay absent; a bad field is named; the journal writer's
 * line and the codec's line are the same bytes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FACTOR_FIELDS,
  factorJournalLine,
  factorRecordFrom,
  factorRecordFromJournalLine,
  factorRecordFromValues,
  factorValuesOf,
} from '../../src/core/factor-record.js';
import type { FactorRecord } from '../../src/core/trade.js';
import { factorRecordOfReport, reportFactorOf } from '../../src/report/report.js';

const value = fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => (Object.is(v, -0) ? 0 : v)), { nil: undefined });
const record = fc
  .record({ day: fc.integer({ min: 0, max: 40_000 }), offset: fc.bigInt({ min: 0n, max: 86_399_999_999_999n }), fundingBtc: value, dvolBtc: value, fng: value, takerRatio: value })
  .map(({ day, offset, ...v }) => factorRecordFromValues(v, day, BigInt(day) * 86_400_000_000_000n + offset));

describe('factor record codec', () => {
  it('journal line, report row and snake_case object all round-trip a record', () => {
    fc.assert(
      fc.property(record, (r: FactorRecord) => {
        const line = factorJournalLine(r);
        expect(factorRecordFromJournalLine(line)).toEqual(r);
        expect(factorRecordOfReport(reportFactorOf(r))).toEqual(r);
        const snake = Object.fromEntries(FACTOR_FIELDS.map(([field, key]) => [field, r[key] ?? null]));
        expect(factorRecordFrom(snake, r.day, r.effectiveFromNs)).toEqual(r);
      }),
      { numRuns: 300 },
    );
  });

  it('absent factors stay absent, in every form', () => {
    const r = factorRecordFromValues({ fng: 20, dvolBtc: null }, 20_454, 5n);
    expect(r).toEqual({ day: 20_454, effectiveFromNs: 5n, fng: 20 });
    expect('dvolBtc' in r).toBe(false);
    expect(factorValuesOf(r)).toEqual({ fundingBtc: null, dvolBtc: null, fng: 20, takerRatio: null });
    expect(factorJournalLine(r)).toBe('{"date":"2026-01-01","effectiveFromNs":"5","funding_btc":null,"dvol_btc":null,"fng":20,"taker_ratio":null}');
  });

  it('names the bad field or value', () => {
    expect(() => factorRecordFrom({ fng: 'high' }, 1, 0n)).toThrow('field fng must be a finite number, was "high"');
    expect(() => factorRecordFrom([1], 1, 0n)).toThrow('expected a JSON object of factors');
    expect(() => factorRecordFromJournalLine('{"date":"2026-13-01","effectiveFromNs":"1"}')).toThrow('date must be YYYY-MM-DD, was "2026-13-01"');
    expect(() => factorRecordFromJournalLine('{"date":"2026-01-01","effectiveFromNs":1}')).toThrow('effectiveFromNs must be a decimal string of nanoseconds');
  });
});
