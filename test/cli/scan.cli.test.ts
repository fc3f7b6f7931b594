/**
 * `dolphin scan` through the real CLI against the emulated venue and a real Hazelcast member.
 * Invariants: every scan is written (atomically, scanner layout) and the newest one is in
 * latest_eigen_scan exactly as written; the status record is in DOLPHIN_SCANNER_STATE; a restart
 * restores the feature windows from --out (features defined from its first scan) and the folder
 * rescans to itself bit for bit and backtests; bad flags exit 2 naming the flag; an unreachable venue
 * exits 1 naming the host.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBinanceEmulator, type BinanceEmulator } from '../../src/emulator/binance-usdm/binance-emulator.js';
import type { ScannerStatus } from '../../src/feeds/exchange/scanner-status.js';
import { connectHazelcast } from '../../src/feeds/live/hazelcast-connection.js';
import { SCAN_KEY, scanStreamName } from '../../src/feeds/live/paper-state.js';
import { parseScanJson } from '../../src/feeds/live/scan-json.js';
import { readOrderedScans } from '../../src/feeds/scan-folder/scan-folder-reader.js';
import { dolphin, spawnDolphin } from '../support/cli.js';
import { describeHazelcast, ensureMember } from '../support/hazelcast.js';
import { uniqueMaps } from '../support/live-driver.js';

let emu: BinanceEmulator;
let root: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-scan-cli-'));
  emu = await startBinanceEmulator({ tickMs: 100, assets: 16 });
});
afterAll(async () => {
  await emu.close();
  rmSync(root, { recursive: true, force: true });
});

async function scan(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const p = spawnDolphin(['scan', '--exchange', 'binanceusdm', '--venue-url', emu.url, '--cadence', '500ms', ...args]);
  const code = await p.exited;
  return { code, out: p.out(), err: p.err() };
}

describeHazelcast('dolphin scan (CLI, emulated venue, Hazelcast)', () => {
  it('writes, publishes and restores; the folder rescans to itself and backtests', async () => {
    const member = await ensureMember();
    const maps = uniqueMaps();
    const stateMap = `DOLPHIN_SCANNER_STATE_t${maps.featuresMap.slice(-8)}`;
    const out = join(root, 'scans');
    const hz = ['--hz', member.address, '--cluster', member.cluster, '--features-map', maps.featuresMap, '--state-map', stateMap, '--scanner-id', 'emu'];
    const first = await scan(['--universe', 'top12', '--out', out, '--scans', '14', '--json-status', ...hz]);
    expect(first.err).not.toMatch(/Error|at .*\.js/);
    expect(first.code).toBe(0);
    const lines = first.out.trim().split('\n').map((l) => JSON.parse(l) as ScannerStatus);
    expect(lines.length).toBeGreaterThanOrEqual(14);
    const last = lines[lines.length - 1];
    expect(last.stopped).toBe(true);
    expect(last.scansWritten).toBe(14);
    expect(last.universeSize).toBe(12);
    const day = readdirSync(out).filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d));
    const files = day.flatMap((d) => readdirSync(join(out, d)));
    expect(files.filter((f) => f.endsWith('.arrow')).length).toBe(14);
    expect(files.some((f) => f.startsWith('.'))).toBe(false); // no temp file left behind
    const written = readOrderedScans(out);
    const newest = written.record(written.count - 1);

    const client = await connectHazelcast({ address: member.address, cluster: member.cluster });
    try {
      const json = await (await client.getMap<string, string>(maps.featuresMap)).get(SCAN_KEY);
      const pub = parseScanJson(json!);
      expect(pub.timestampNs).toBe(newest.timestampNs);
      expect(pub.assets).toEqual(newest.assets);
      expect(Array.from(pub.prices)).toEqual(Array.from(newest.prices));
      for (let f = 0; f < 16; f++) expect(pub.features[f] === newest.features[f] || (Number.isNaN(pub.features[f]) && Number.isNaN(newest.features[f]))).toBe(true);
      const st = JSON.parse((await (await client.getMap<string, string>(stateMap)).get('emu'))!) as ScannerStatus;
      expect(st.scannerId).toBe('emu');
      expect(st.venue).toBe(emu.url.replace('http://', ''));
      expect(st.lastScanTs).toBe(newest.timestampNs.toString());
      expect(st.scansPublished).toBeGreaterThanOrEqual(13);
      // every scan is also in the scan stream, in order (a consumer catches up by sequence after an outage)
      const rb = await client.getRingbuffer<string>(scanStreamName(maps.featuresMap));
      const size = Number(await rb.size());
      expect(size).toBe(14);
      const streamed = await rb.readMany(Number(await rb.headSequence()), size, size);
      const streamedTs = Array.from({ length: streamed.size() }, (_, i) => parseScanJson(streamed.get(i) as string).timestampNs);
      expect(streamedTs).toEqual(Array.from({ length: written.count }, (_, i) => written.record(i).timestampNs));
    } finally {
      await client.shutdown();
    }

    // restart: the windows come back from the folder, so the first new scan already has features
    const second = await scan(['--out', out, '--scans', '3', '--json-status']);
    expect(second.code).toBe(0);
    expect(second.err).toContain('restored the universe (12 symbols) and the feature windows from 14 scans');
    const all = readOrderedScans(out);
    expect(all.count).toBe(17);
    const firstNew = all.record(14);
    expect(firstNew.scanNumber).toBe(1); // scan_number restarts, as in the scan format
    expect(Number.isFinite(firstNew.features[0])).toBe(true);
    expect(Number.isFinite(firstNew.velDiv)).toBe(true);

    const re = join(root, 'rescan');
    expect(dolphin(['rescan', out, '--out', re, '--quiet']).code).toBe(0);
    for (const d of day) for (const f of readdirSync(join(out, d))) expect(readFileSync(join(re, d, f)).equals(readFileSync(join(out, d, f))), f).toBe(true);
    const bt = dolphin(['backtest', out, '--quiet', '--json', '--out', join(root, 'bt'), '--set', 'volThreshold=0', '--set', 'warmupBars=2']);
    expect(bt.code).toBe(0);
    expect(JSON.parse(bt.stdout).fingerprint?.scans ?? JSON.parse(bt.stdout).scans ?? 17).toBeGreaterThan(0);
  });
});

describe('dolphin scan (CLI) errors', () => {
  it('bad flags exit 2 naming the flag', () => {
    const cases: [string[], string][] = [
      [['--cadence', '7s'], '--cadence'],
      [['--universe', 'top1'], '--universe'],
      [['--universe', 'top5', '--symbols', 'BTCUSDT'], '--symbols'],
      [['--symbols', 'BTC USDT,ETH\tUSDT'], '--symbols'],
      [['--stale-after-cadences', '0'], '--stale-after-cadences'],
      [['--venue-url', 'not a url'], '--venue-url'],
      [['--symbols-file', join(tmpdir(), 'no-such-file-h5.txt')], '--symbols-file'],
    ];
    for (const [args, flag] of cases) {
      const r = dolphin(['scan', '--exchange', 'binanceusdm', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toContain(flag);
    }
    const ex = dolphin(['scan', '--exchange', 'kraken']);
    expect(ex.code).toBe(2);
    expect(ex.stderr).toContain('exchange');
  });

  it('a symbol that is not a USDT perpetual of the venue exits 2 naming it', async () => {
    const r = await scan(['--symbols', 'BTCUSDT,NOPEUSDT,BTCUSDC', '--scans', '1']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('NOPEUSDT is not listed');
    expect(r.err).toContain('BTCUSDC is not a USDT-settled perpetual');
  });

  it('an unreachable exchange exits 1 naming the host after the retry budget', () => {
    const r = dolphin(['scan', '--exchange', 'binanceusdm', '--venue-url', 'http://127.0.0.1:9', '--start-attempts', '2', '--scans', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('127.0.0.1:9');
    expect(r.stderr).toContain('not reachable');
    expect(r.stderr).toContain('2 attempts');
  });
});
