/**
 * Pure parts of the scanner. Invariants: the book gives each symbol's latest update at or before the
 * instant (never a later one), NaN when stale or flagged, ignores updates older than the newest; the
 * universe is the top N by volume with BTCUSDT first and only active USDT perpetuals; flags are parsed
 * or rejected naming the flag; the price stream's state depends only on the pushed prices (two streams
 * fed the same prices agree bit for bit, a stream restarted by replay continues identically).
 */
import { describe, expect, it } from 'vitest';
import { PriceFeatureStream } from '../../../src/core/eigen/price-feature-stream.js';
import { ConfigError } from '../../../src/core/errors.js';
import { FEATURE_COUNT } from '../../../src/core/scan.js';
import { parseCadence } from '../../../src/cli/scan.command.js';
import type { VenueMarket } from '../../../src/feeds/exchange/binance-usdm.venue.js';
import { PriceBook } from '../../../src/feeds/exchange/price-book.js';
import { formatScannerStatus } from '../../../src/feeds/exchange/scanner-status-format.js';
import type { ScannerStatus } from '../../../src/feeds/exchange/scanner-status.js';
import { chooseUniverse, parseUniverseSpec } from '../../../src/feeds/exchange/scan-universe.js';
import { rng } from '../../support/synthetic-scans.js';

describe('PriceBook', () => {
  it('takes the latest update at or before the instant, stale and invalid as NaN', () => {
    const b = new PriceBook(3);
    const out = new Float64Array(3);
    const stale = new Int32Array(3);
    b.update(0, 10, 1000);
    b.update(0, 11, 1900);
    b.update(0, 12, 2001); // after the instant: not used for instant 2000
    b.update(1, 5, 100); // old
    b.update(2, 7, 1990);
    b.invalid[2] = 1;
    expect(b.at(2000, 1500, out, stale)).toBe(1);
    expect(out[0]).toBe(11);
    expect(Number.isNaN(out[1])).toBe(true);
    expect(stale[0]).toBe(1);
    expect(Number.isNaN(out[2])).toBe(true); // invalid, not counted as stale
    expect(b.update(0, 9, 1500)).toBe(false); // older than the newest: ignored
    expect(b.update(0, 12, 2001)).toBe(false); // exact repeat
    b.at(3000, 1500, out, stale);
    expect(out[0]).toBe(12);
    expect(b.lastUpdateMs).toBe(2001);
  });
});

describe('universe', () => {
  const m = (id: string, active = true, usdt = true): VenueMarket => ({ id, symbol: id, active, usdtPerpetual: usdt });
  const markets = [m('BTCUSDT'), m('ETHUSDT'), m('SOLUSDT'), m('XRPUSDT'), m('OLDUSDT', false), m('BTCUSDC', true, false)];
  const vol = new Map([['BTCUSDT', 1], ['ETHUSDT', 30], ['SOLUSDT', 20], ['XRPUSDT', 10], ['OLDUSDT', 99], ['BTCUSDC', 98]]);

  it('ranks active USDT perpetuals by volume, BTCUSDT always in and first', () => {
    const c = chooseUniverse({ kind: 'top', n: 3 }, markets, vol);
    expect(c.ids).toEqual(['BTCUSDT', 'ETHUSDT', 'SOLUSDT']);
    expect(c.notes[0]).toContain('BTCUSDT ranks 4');
    expect(chooseUniverse({ kind: 'top', n: 10 }, markets, vol).ids).toEqual(['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'XRPUSDT']);
  });

  it('explicit lists must be active USDT perpetuals; flags are checked', () => {
    expect(() => chooseUniverse(parseUniverseSpec(undefined, 'ETHUSDT,OLDUSDT,BTCUSDC,NOPEUSDT', undefined), markets, vol)).toThrow(/OLDUSDT is not trading[\s\S]*BTCUSDC is not a USDT-settled perpetual[\s\S]*NOPEUSDT is not listed/);
    expect(parseUniverseSpec(undefined, undefined, { path: 'f.txt', text: '# mine\nbtcusdt\nETHUSDT, solusdt\n' })).toEqual({ kind: 'symbols', symbols: ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'], flag: '--symbols-file f.txt' });
    expect(parseUniverseSpec(undefined, undefined, undefined)).toEqual({ kind: 'top', n: 50 });
    expect(() => parseUniverseSpec('top1', undefined, undefined)).toThrow(ConfigError);
    expect(() => parseUniverseSpec('all', undefined, undefined)).toThrow(/--universe/);
    expect(() => parseUniverseSpec(undefined, 'BTCUSDT,BTCUSDT', undefined)).toThrow(/listed twice/);
    expect(() => parseUniverseSpec('top5', 'BTCUSDT', undefined)).toThrow(/--universe and --symbols/);
  });

  it('parses cadences that divide a day', () => {
    expect(parseCadence('5s')).toBe(5000);
    expect(parseCadence('500ms')).toBe(500);
    expect(parseCadence('1m')).toBe(60_000);
    expect(parseCadence('2')).toBe(2000);
    for (const bad of ['7s', '0.1s', '100ms', 'fast', '']) expect(() => parseCadence(bad), bad).toThrow(/--cadence/);
  });
});

describe('formatScannerStatus', () => {
  it('shows health, connection, stale and delisted symbols, clock offset and counters', () => {
    const counters = { socketDrops: 1, resubscribes: 1, scansWithoutStream: 3, restPolls: 4, restErrors: 0, rateLimited: 2, malformedMessages: 5, invalidPrices: 7, delisted: 1, missedBoundaries: 0, writeErrors: 0, publishErrors: 0 };
    const st: ScannerStatus = {
      scannerId: 'binanceusdm', mode: 'scanner', exchange: 'binanceusdm', venue: '127.0.0.1:8090', priceSource: 'last', cadenceMs: 5000,
      heartbeatMs: 1_000_000, startedAtMs: 900_000, connection: 'REST_FALLBACK', lastTickAgeMs: 1200, lastScanTs: '1767225600000000000', lastScanNumber: 42,
      scansWritten: 42, scansPublished: 41, universeSize: 50, staleSymbols: ['ETHUSDT'], delistedSymbols: ['SOLUSDT'], clockOffsetMs: -7003, clockRttMs: 2,
      restoredScans: 100, out: '/data/scans', counters, stopped: false,
    };
    const text = formatScannerStatus(st, 1_002_000);
    expect(text).toContain('[DEGRADED]');
    expect(text).toContain('connection REST_FALLBACK');
    expect(text).toContain('1 without a price now (ETHUSDT), 1 delisted (SOLUSDT)');
    expect(text).toContain('-7003 ms');
    expect(text).toContain('1 socket drops, 1 resubscribes');
    expect(formatScannerStatus({ ...st, connection: 'WEBSOCKET' }, 1_002_000)).toContain('[OK]');
    expect(formatScannerStatus({ ...st, connection: 'WEBSOCKET' }, 1_100_000)).toContain('[STALE]');
    expect(text).toContain('heartbeat 2000 ms ago');
    // a heartbeat written after the reader took its clock is not in the future
    expect(formatScannerStatus(st, 999_996)).toContain('heartbeat 0 ms ago');
  });
});

describe('PriceFeatureStream', () => {
  const path = (n: number, assets: number, seed: number): Float64Array[] => {
    const u = rng(seed);
    const p = Float64Array.from({ length: assets }, (_, i) => 10 + i);
    const out: Float64Array[] = [];
    for (let k = 0; k < n; k++) {
      const f = u() - 0.5;
      for (let i = 0; i < assets; i++) p[i] *= Math.exp(0.001 * (f * (1 + i / assets) + (u() - 0.5)));
      const row = Float64Array.from(p);
      if (k % 37 === 5) row[k % assets] = NaN; // an invalid price now and then
      out.push(row);
    }
    return out;
  };

  it('is a function of the pushed prices: a replayed stream continues bit for bit', () => {
    const syms = Array.from({ length: 8 }, (_, i) => `A${i}USDT`);
    const ps = path(400, 8, 3);
    const a = new PriceFeatureStream(syms);
    const fa = new Float64Array(FEATURE_COUNT);
    const fb = new Float64Array(FEATURE_COUNT);
    const outA: number[] = [];
    for (const p of ps) outA.push(a.push(p, fa));
    // a "restarted" stream: replay the first 250, then continue
    const b = new PriceFeatureStream(syms);
    for (let k = 0; k < 250; k++) b.push(ps[k], fb);
    for (let k = 250; k < 400; k++) expect(Object.is(b.push(ps[k], fb), outA[k])).toBe(true);
    expect(Array.from(fb)).toEqual(Array.from(fa));
    expect(Number.isNaN(outA[0])).toBe(true);
    expect(Number.isFinite(outA[399])).toBe(true);
    expect(a.pushes).toBe(400);
  });

  it('aligns scans by symbol and refuses a symbol outside the universe', () => {
    const s = new PriceFeatureStream(['BTCUSDT', 'ETHUSDT']);
    const out = new Float64Array(2);
    expect(s.align(['ETHUSDT'], Float64Array.of(3), out)).toBe(true);
    expect(Number.isNaN(out[0])).toBe(true);
    expect(out[1]).toBe(3);
    expect(s.align(['SOLUSDT'], Float64Array.of(3), out)).toBe(false);
  });
});
