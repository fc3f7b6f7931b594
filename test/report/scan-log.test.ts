/** Scan log: timestamps round-trip exactly; content hashes depend on a scan's own content only. */
import { describe, expect, it } from 'vitest';
import { ScanStore } from '../../src/core/scan-store.js';
import { decodeScanLog, encodeScanLog } from '../../src/report/scan-log.js';
import { synthScans } from '../support/synthetic-scans.js';

describe('scan log', () => {
  it('round-trips 19-digit timestamps and hashes', () => {
    const scans = synthScans({ n: 500, seed: 2 });
    const store = new ScanStore();
    for (const s of scans) store.append({ ...s, timestampNs: s.timestampNs + 123_456_789n });
    const log = encodeScanLog(store, store.n);
    const back = decodeScanLog(log);
    expect([...back.ts]).toEqual(scans.map((s) => s.timestampNs + 123_456_789n));
    expect(back.hash).toHaveLength(500);
    expect(new Set(back.hash).size).toBe(500);
  });

  it('gives the same hash to the same scan whatever other symbols the store has seen', () => {
    const scans = synthScans({ n: 20, seed: 3 });
    const a = new ScanStore();
    const b = new ScanStore();
    for (const s of scans) a.append(s);
    // b first sees a scan with an extra symbol that sorts first, then the same scans.
    b.append({ ...scans[0], timestampNs: scans[0].timestampNs - 5_000_000_000n, assets: ['AAAUSDT', ...scans[0].assets], prices: Float64Array.from([1, ...scans[0].prices]) });
    for (const s of scans) b.append(s);
    const ha = decodeScanLog(encodeScanLog(a, a.n)).hash;
    const hb = decodeScanLog(encodeScanLog(b, b.n)).hash.subarray(1);
    expect([...hb]).toEqual([...ha]);
    // and a changed price changes the hash
    const c = new ScanStore();
    for (const s of scans) c.append(s === scans[7] ? { ...s, prices: Float64Array.from(s.prices, (p, i) => (i === 3 ? p * 1.001 : p)) } : s);
    const hc = decodeScanLog(encodeScanLog(c, c.n)).hash;
    expect(hc[7]).not.toBe(ha[7]);
    expect(hc[8]).toBe(ha[8]);
  });
});
