/**
 * Short fuzz runs of the scanner JSON parser (parseScanJson) inside `npm test`; the 1 M-input run is
 * bench/fuzz.ts. Judged by test/support/fuzz-json-oracle.ts against JSON.parse. Invariants:
 * - nothing but a ScanFormatError escapes, whatever the text (truncated, spliced, nested 100,000 deep);
 * - whatever it accepts is standard JSON once its documented leniencies (bare NaN/Infinity tokens, a
 *   leading byte-order mark) are undone, and every field equals what JSON.parse reads.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from '../../../src/core/scan.js';
import { JSON_FAILURES, jsonSeeds, judgeJson, type JsonOutcome } from '../../support/fuzz-json-oracle.js';
import { inputRandom, mutateText } from '../../support/fuzz-mutate.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'support', 'fixtures');
const seeds = jsonSeeds(['scanner-payload.json', 'scanner-payload-indented.json'].map((f) => readFileSync(join(FIXTURES, f), 'utf8')));

describe('scanner JSON fuzzing', () => {
  it('4,000 seeded mutants: no crash, nothing accepted beyond the documented leniency, no field read wrong', () => {
    const counts: Record<string, number> = {};
    const failures: string[] = [];
    for (let i = 0; i < 4000; i++) {
      const r = inputRandom(20260106, i);
      const m = mutateText(seeds[Math.floor(r() * seeds.length)], r, seeds);
      const v = judgeJson(m.text);
      counts[v.outcome] = (counts[v.outcome] ?? 0) + 1;
      if (JSON_FAILURES.includes(v.outcome)) failures.push(`#${i} (${m.ops.join('+')}): ${v.outcome} ${v.detail ?? ''}`);
    }
    expect(failures).toEqual([]);
    expect(counts['rejected']).toBeGreaterThan(2000);
    expect((counts['accepted-strict'] ?? 0) + (counts['accepted-lenient'] ?? 0)).toBeGreaterThan(200);
  });

  it('property: arbitrary JSON values and arbitrary text are judged without failure', () => {
    const check = (text: string): void => {
      expect(JSON_FAILURES as readonly JsonOutcome[]).not.toContain(judgeJson(text).outcome);
    };
    fc.assert(fc.property(fc.string({ maxLength: 300, unit: 'binary' }), check), { numRuns: 1000, seed: 3 });
    fc.assert(fc.property(fc.json(), check), { numRuns: 1000, seed: 4 });
  });

  it('property: scan-shaped objects with any field values are read exactly as JSON.parse reads them', () => {
    const value = fc.oneof(fc.double(), fc.integer(), fc.constant(null), fc.string({ maxLength: 8 }), fc.boolean(), fc.constantFrom('NaN', 'Infinity', '-Infinity'));
    const payload = fc.record({
      timestamp_ns: fc.oneof(fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }), fc.constant(null)),
      scan_number: fc.oneof(fc.bigInt({ min: -(2n ** 60n), max: 2n ** 60n }), fc.constant(null)),
      features: fc.array(value, { minLength: FEATURE_NAMES.length, maxLength: FEATURE_NAMES.length }),
      assets: fc.array(fc.oneof(fc.string({ maxLength: 10 }), fc.integer()), { maxLength: 6 }),
      prices: fc.array(value, { maxLength: 6 }),
      quoteTs: fc.boolean(),
    });
    const token = (v: unknown): string => (typeof v === 'string' && ['NaN', 'Infinity', '-Infinity'].includes(v) ? v : JSON.stringify(v));
    fc.assert(
      fc.property(payload, (p) => {
        const ts = p.timestamp_ns === null ? 'null' : p.quoteTs ? `"${p.timestamp_ns}"` : `${p.timestamp_ns}`;
        const sn = p.scan_number === null ? 'null' : `${p.scan_number}`;
        const feats = FEATURE_NAMES.map((n, i) => `"${n}":${token(p.features[i])}`).join(',');
        const text = `{"timestamp_ns":${ts},"scan_number":${sn},${feats},"assets":${JSON.stringify(p.assets)},"asset_prices":[${p.prices.map(token).join(',')}]}`;
        expect(JSON_FAILURES as readonly JsonOutcome[]).not.toContain(judgeJson(text).outcome);
      }),
      { numRuns: 1000, seed: 5 },
    );
  });
});
