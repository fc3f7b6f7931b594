/**
 * Guarded acceptance of live messages. Invariants: a message outside the scan format's bounds (size,
 * asset count, text length, symbol characters) or with an implausible or future timestamp is refused,
 * counted once under its kind and never moves the last accepted timestamp, so real scans after it are
 * still accepted; nothing throws.
 */
import { describe, expect, it } from 'vitest';
import { MAX_ASSETS_PER_SCAN, MAX_SCAN_MESSAGE_BYTES } from '../../../src/core/scan-limits.js';
import { ScanAcceptance, DEFAULT_MAX_AHEAD_MS } from '../../../src/feeds/live/scan-acceptance.js';
import { scanToJson } from '../../../src/feeds/live/scan-json.js';
import { synthScans } from '../../support/synthetic-scans.js';

const scans = synthScans({ n: 20, seed: 3 });
// the clock stands one hour after the last synthetic scan
const nowMs = Number(scans[19].timestampNs / 1_000_000n) + 3_600_000;
const clock = { nowNs: () => BigInt(nowMs) * 1_000_000n };
const fresh = (): ScanAcceptance => new ScanAcceptance({ clock });
const withField = (i: number, patch: Record<string, unknown>): string => JSON.stringify({ ...JSON.parse(scanToJson(scans[i])), ...patch });

describe('ScanAcceptance', () => {
  it('refuses a far-future scan (timestamp_ns = 2^63-1) and accepts the real scans after it', () => {
    const a = fresh();
    expect(a.judge(scanToJson(scans[0]), 'k')).not.toBeNull();
    expect(a.judge(withField(1, { timestamp_ns: '9223372036854775807' }), 'k')).toBeNull();
    // bare 19-digit token too (the Python scanner's form)
    expect(a.judge(scanToJson(scans[1]).replace(/"timestamp_ns":"\d+"/, '"timestamp_ns":9223372036854775806'), 'k')).toBeNull();
    for (let i = 1; i < 20; i++) expect(a.judge(scanToJson(scans[i]), 'k')?.timestampNs).toBe(scans[i].timestampNs);
    expect(a.counters.badTimestamps).toBe(2);
    expect(a.counters.scansAccepted).toBe(20);
    expect(a.counters.lateOrDuplicate).toBe(0);
    expect(a.lastRejection?.kind).toBe('bad-timestamp');
    expect(a.lastRejection?.reason).toMatch(/timestamp_ns 9223372036854775806 is outside the plausible range/);
  });

  it('refuses a scan more than the margin ahead of the clock, accepts one within it', () => {
    const a = fresh();
    const ahead = (ms: number): string => withField(0, { timestamp_ns: String(BigInt(nowMs + ms) * 1_000_000n) });
    expect(a.judge(ahead(DEFAULT_MAX_AHEAD_MS + 1000), 'k')).toBeNull();
    expect(a.lastRejection?.reason).toMatch(/is 301 s ahead of this machine's clock \(at most 300 s\)/);
    expect(a.judge(ahead(DEFAULT_MAX_AHEAD_MS - 1000), 'k')).not.toBeNull();
    const tight = new ScanAcceptance({ clock, maxAheadMs: 0 });
    expect(tight.judge(ahead(1), 'k')).toBeNull();
    expect(tight.counters.badTimestamps).toBe(1);
  });

  it('refuses implausibly old scans', () => {
    const a = fresh();
    expect(a.judge(withField(0, { timestamp_ns: '12' }), 'k')).toBeNull();
    expect(a.judge(withField(0, { timestamp_ns: '946684799999999999' }), 'k')).toBeNull();
    expect(a.counters.badTimestamps).toBe(2);
    expect(a.judge(scanToJson(scans[0]), 'k')).not.toBeNull();
  });

  it('refuses an oversize message before parsing it, and a 100,000-asset message', () => {
    const a = fresh();
    const pad = withField(0, { padding: 'x'.repeat(MAX_SCAN_MESSAGE_BYTES) });
    expect(a.judge(pad, 'k')).toBeNull();
    expect(a.lastRejection?.reason).toMatch(/message is \d+ bytes \(at most 1048576\)/);
    // multi-byte characters: under the limit in UTF-16 units, over it in UTF-8 bytes
    const wide = withField(0, { padding: '\u20ac'.repeat(Math.floor(MAX_SCAN_MESSAGE_BYTES / 2)) });
    expect(wide.length).toBeLessThan(MAX_SCAN_MESSAGE_BYTES);
    expect(a.judge(wide, 'k')).toBeNull();
    const n = 100_000;
    const huge = withField(0, { assets: Array.from({ length: n }, (_, i) => `A${i}`), asset_prices: Array.from({ length: n }, () => 1) });
    expect(a.judge(huge, 'k')).toBeNull();
    expect(a.counters.outOfBounds).toBe(3);
    expect(a.counters.scansAccepted).toBe(0);
  });

  it('refuses more assets than MAX_ASSETS_PER_SCAN even in a small message', () => {
    const a = fresh();
    const n = MAX_ASSETS_PER_SCAN + 1;
    const many = withField(0, { assets: Array.from({ length: n }, (_, i) => `A${i}`), asset_prices: Array.from({ length: n }, () => 1) });
    expect(many.length).toBeLessThan(MAX_SCAN_MESSAGE_BYTES);
    expect(a.judge(many, 'k')).toBeNull();
    expect(a.lastRejection?.reason).toMatch(/lists 4097 assets \(at most 4096\)/);
  });

  it('refuses a 20 MB timestamp_iso and an overlong schema_version', () => {
    const a = fresh();
    expect(a.judge(withField(0, { timestamp_iso: 'x'.repeat(20 * 1024 * 1024) }), 'k')).toBeNull();
    expect(a.judge(withField(0, { timestamp_iso: 'y'.repeat(200) }), 'k')).toBeNull();
    expect(a.lastRejection?.reason).toMatch(/timestamp_iso is 200 characters long \(at most 128\)/);
    expect(a.judge(withField(0, { schema_version: 'v'.repeat(129) }), 'k')).toBeNull();
    expect(a.counters.outOfBounds).toBe(3);
  });

  it('refuses symbols with ANSI escapes, newlines, spaces or nothing in them', () => {
    const a = fresh();
    const hostile = ['\u001b[31mBTCUSDT\u001b[0m', 'ETH\nUSDT', 'SOL USDT', '', 'X'.repeat(65), 'A\u200bB'];
    for (const sym of hostile) {
      const assets = [...scans[0].assets];
      assets[1] = sym;
      expect(a.judge(withField(0, { assets }), 'k'), JSON.stringify(sym)).toBeNull();
    }
    expect(a.counters.outOfBounds).toBe(hostile.length);
    expect(a.lastRejection?.kind).toBe('out-of-bounds');
    expect(a.judge(scanToJson(scans[0]), 'k')).not.toBeNull();
  });

  it('counts one refusal per distinct message, late scans only when asked, and keeps order', () => {
    const a = fresh();
    const bad = '{"timestamp_ns": 12, "assets": [';
    expect(a.judge(bad, 'k')).toBeNull();
    expect(a.judge(bad, 'k')).toBeNull();
    expect(a.counters.malformedMessages).toBe(1);
    a.judge(scanToJson(scans[5]), 'k');
    expect(a.judge(scanToJson(scans[5]), 'k', false)).toBeNull();
    expect(a.counters.lateOrDuplicate).toBe(0);
    expect(a.judge(scanToJson(scans[4]), 'k')).toBeNull();
    expect(a.counters.lateOrDuplicate).toBe(1);
    expect(a.lastAcceptedTs).toBe(scans[5].timestampNs);
  });
});
