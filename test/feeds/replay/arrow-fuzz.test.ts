/**
 * Short fuzz runs of the Arrow readers inside `npm test` (the 1 M-input run is bench/fuzz.ts). Judged by
 * test/support/fuzz-arrow-oracle.ts. Invariants, over mutants of valid scan files (bit flips, byte sets,
 * inserts, deletes, truncation, giant and nudged lengths, splices):
 * - nothing but a ScanFormatError escapes decodeScans, and the template decoder never throws;
 * - the template fast path and apache-arrow agree on every file the template takes;
 * - apache-arrow never fails on a file the file check passed;
 * - no silent alteration: an accepted mutant yields the original rows, or differs only in value bytes,
 *   or is exactly the canonical encoding of what was read.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FEATURE_COUNT, type ScanRecord } from '../../../src/core/scan.js';
import { MAX_TEXT_FIELD_LENGTH } from '../../../src/core/scan-limits.js';
import { decodeScans, encodeScans } from '../../../src/feeds/replay/arrow-scan.codec.js';
import { batchRow } from '../../../src/feeds/replay/scan-batch.js';
import { TemplateDecoder, sameBatch } from '../../../src/feeds/replay/template-decoder.js';
import { ARROW_FAILURES, ArrowOracle, sameRecord, type ArrowOutcome } from '../../support/fuzz-arrow-oracle.js';
import { BYTE_OPS, inputRandom, mutateBytes, mutateOnce } from '../../support/fuzz-mutate.js';
import { rng } from '../../support/synthetic-scans.js';

const oracle = new ArrowOracle();
const seeds = oracle.seeds.map((s) => s.bytes);

describe('Arrow reader fuzzing', () => {
  it('4,000 seeded mutants: no hang, crash, disagreement or silent alteration', () => {
    const counts: Record<string, number> = {};
    const failures: string[] = [];
    for (let i = 0; i < 4000; i++) {
      const r = inputRandom(20260105, i);
      const seed = Math.floor(r() * seeds.length);
      const m = mutateBytes(seeds[seed], r, seeds);
      const v = oracle.judge(m.bytes, seed);
      counts[v.outcome] = (counts[v.outcome] ?? 0) + 1;
      if (ARROW_FAILURES.includes(v.outcome)) failures.push(`#${i} (${oracle.seeds[seed].name}, ${m.ops.join('+')}): ${v.outcome} ${v.detail ?? ''}`);
    }
    expect(failures).toEqual([]);
    // The run exercised both sides: files refused and files accepted with changed values.
    expect(counts['rejected-file']).toBeGreaterThan(3000);
    expect(counts['accepted-value-change']).toBeGreaterThan(50);
    expect(counts['accepted-same']).toBeGreaterThan(50);
  });

  it('property: any sequence of mutations of any seed is judged without failure', () => {
    const op = fc.record({ op: fc.constantFrom(...BYTE_OPS), seed: fc.nat() });
    fc.assert(
      fc.property(fc.nat(seeds.length - 1), fc.array(op, { minLength: 1, maxLength: 5 }), (seed, ops) => {
        let bytes = seeds[seed];
        for (const o of ops) bytes = mutateOnce(bytes, o.op, rng(o.seed), seeds);
        const v = oracle.judge(bytes, seed);
        expect(ARROW_FAILURES as readonly ArrowOutcome[]).not.toContain(v.outcome);
      }),
      { numRuns: 1500, seed: 8 },
    );
  });

  it('property: every valid scan within the bounds reads back as written, on both decoders', () => {
    const symbol = fc.stringMatching(/^[A-Z0-9]{1,12}USDT$/);
    const scan: fc.Arbitrary<ScanRecord> = fc
      .record({
        scanNumber: fc.integer({ min: 0, max: 2 ** 40 }),
        timestampNs: fc.bigInt({ min: 946_684_800_000_000_000n, max: 4_102_444_799_999_999_999n }),
        // Any text within the bound except a leading byte-order mark (a UTF-8 decoder drops it: refused).
        timestampIso: fc.string({ maxLength: 40, unit: 'grapheme' }).filter((t) => t.length <= MAX_TEXT_FIELD_LENGTH && !t.startsWith('\ufeff')),
        features: fc.float64Array({ minLength: FEATURE_COUNT, maxLength: FEATURE_COUNT }),
        velDiv: fc.double(),
        assets: fc.uniqueArray(symbol, { maxLength: 80 }),
      })
      .chain((s) => fc.float64Array({ minLength: s.assets.length, maxLength: s.assets.length }).map((prices) => ({ ...s, schemaVersion: '5.0.0', prices })));
    const d = new TemplateDecoder();
    fc.assert(
      fc.property(fc.array(scan, { minLength: 1, maxLength: 3 }), fc.boolean(), (scans, dictionary) => {
        const bytes = encodeScans(scans, { dictionary });
        const b = decodeScans(bytes, 'p.arrow');
        expect([...b.malformed]).toEqual([]);
        scans.forEach((s, r) => expect(sameRecord(batchRow(b, r), s)).toBe(true));
        const fast = d.decode(bytes, 'p.arrow');
        expect(fast).not.toBeNull();
        expect(sameBatch(fast!, b)).toBe(true);
      }),
      { numRuns: 300, seed: 17 },
    );
  });
});
