/**
 * `dolphin live --paper --feed exchange` as a real process: the project's own scanner run in the same
 * process against the emulated Binance USDT-M venue on 127.0.0.1 (ccxt's real client), no Hazelcast.
 * Invariants: the run trades; SIGINT writes the report; a restart resumes from the journal, restores
 * the scanner's universe and feature windows from --out and names the scans not taken while it was
 * down; `dolphin backtest JOURNAL` gives the live trades and metrics exactly (compare IDENTICAL), and so
 * does the scanner's --out folder over the same window (it holds exactly the journaled scans); the
 * state goes to JOURNAL/state.json; bad flag combinations exit 2 naming the flag; an unreachable venue
 * exits 1 naming the host.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBinanceEmulator, type BinanceEmulator } from '../../src/emulator/binance-usdm/binance-emulator.js';
import { dolphin, spawnDolphin, type CliProcess } from '../support/cli.js';
import { waitFor } from '../support/live-driver.js';

let emu: BinanceEmulator;
let root: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-live-exchange-'));
  emu = await startBinanceEmulator({ tickMs: 100, assets: 16 });
});
afterAll(async () => {
  await emu.close();
  rmSync(root, { recursive: true, force: true });
});

/** Short windows and open gates, so the emulator's market trades within seconds (500 ms cadence). */
const SETS = ['warmupBars=5', 'volWindow=10', 'alignWindow=10', 'minAlignment=0', 'maxHoldBars=10', 'volThreshold=0', 'velDivThreshold=0'].flatMap((s) => ['--set', s]);

/** Scan files under the date folders of a scan folder (journal or --out). */
function scanFiles(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir)
    .filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d))
    .reduce((n, d) => n + readdirSync(join(dir, d)).filter((f) => f.endsWith('.arrow') && !f.startsWith('.')).length, 0);
}

const lines = (file: string): number => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0);

async function stop(p: CliProcess): Promise<void> {
  p.proc.kill('SIGINT');
  expect(await p.exited, p.err()).toBe(0);
}

describe('dolphin live --paper --feed exchange (process, emulated venue, no Hazelcast)', () => {
  it('trades, resumes after a restart, and its journal and --out folder backtest to the same trades', async () => {
    const journal = join(root, 'journal');
    const out = join(root, 'scans');
    const args = ['live', '--paper', '--feed', 'exchange', '--exchange', 'binanceusdm', '--venue-url', emu.url, '--universe', 'top12', '--cadence', '500ms', '--out', out, '--journal', journal, '--run-id', 'exfeed', ...SETS];
    const p1 = spawnDolphin(args);
    try {
      await waitFor(() => p1.err().includes("trading its own scanner's scans"), 30_000, `live to start: ${p1.err()}`);
      expect(p1.err()).toContain(`state in ${journal}/state.json`);
      await waitFor(() => lines(join(journal, 'trades.ndjson')) >= 1 && scanFiles(journal) >= 30, 90_000, `a closed trade and 30 scans: ${p1.err()}`);
      await stop(p1);
    } finally {
      if (p1.proc.exitCode === null) p1.proc.kill('SIGKILL');
    }
    expect(p1.out()).toContain('Live paper run exfeed');
    const first = JSON.parse(readFileSync(join(journal, 'report.json'), 'utf8'));
    const firstScans = scanFiles(journal);
    expect(first.fingerprint.scans).toBe(firstScans);
    expect(first.trades.length).toBeGreaterThanOrEqual(1);
    const meta = JSON.parse(readFileSync(join(journal, 'journal.json'), 'utf8'));
    expect(meta).toMatchObject({ feed: 'exchange', exchange: 'binanceusdm', venue: emu.url.replace('http://', ''), out, hazelcast: null });
    const state = JSON.parse(readFileSync(join(journal, 'state.json'), 'utf8'));
    expect(state).toMatchObject({ runId: 'exfeed', stopped: true, lastScanNumber: firstScans, counters: { scansAccepted: firstScans, scansMissed: 0 } });
    expect(state.scanner).toMatchObject({ stopped: true, scansWritten: firstScans, universeSize: 12, out });

    // restart: the engine resumes from the journal, the scanner's windows from --out
    const p2 = spawnDolphin(args);
    try {
      await waitFor(() => p2.err().includes("trading its own scanner's scans"), 30_000, `restart: ${p2.err()}`);
      expect(p2.err()).toMatch(new RegExp(`resumed from journal .*: ${firstScans} scans replayed .*no accepted scan lost`));
      expect(p2.err()).toContain(`restored the universe (12 symbols) and the feature windows from ${firstScans} scans in ${out}`);
      await waitFor(() => scanFiles(journal) >= firstScans + 12, 30_000, `12 more scans: ${p2.err()}`);
      await stop(p2);
    } finally {
      if (p2.proc.exitCode === null) p2.proc.kill('SIGKILL');
    }
    expect(p2.err()).toMatch(/missed \d+ scan\(s\) between \d+ and \d+ \(no scan was taken: this process was stalled or not running\)/);
    const live = JSON.parse(readFileSync(join(journal, 'report.json'), 'utf8'));
    const total = scanFiles(journal);
    expect(live.fingerprint.scans).toBe(total);
    expect(scanFiles(out)).toBe(total); // the scanner wrote exactly what the run journaled
    expect(live.dataQuality.liveFeed.scansMissed).toBeGreaterThanOrEqual(1);
    expect(live.dataQuality.liveFeed.missed.at(-1).via).toBe('scanner');

    const bt = dolphin(['backtest', journal, '--json', '--quiet', '--out', join(root, 'bt-journal')]);
    expect(bt.code, bt.stderr).toBe(0);
    const replay = JSON.parse(bt.stdout);
    expect(replay.trades).toEqual(live.trades);
    expect(replay.metrics).toEqual(live.metrics);
    const cj = dolphin(['compare', join(journal, 'report.json'), join(root, 'bt-journal', 'report.json')]);
    expect(cj.stdout).toMatch(/^IDENTICAL/);
    expect(cj.code, cj.stdout + cj.stderr).toBe(0);

    const bo = dolphin(['backtest', out, '--quiet', '--out', join(root, 'bt-out'), ...SETS, '--set', 'closeAtEnd=false']);
    expect(bo.code, bo.stderr).toBe(0);
    const co = dolphin(['compare', join(journal, 'report.json'), join(root, 'bt-out', 'report.json')]);
    expect(co.stdout).toMatch(/^IDENTICAL/);
    expect(co.code, co.stdout + co.stderr).toBe(0);
  }, 240_000);

  it('bad flag combinations exit 2 naming the flag', () => {
    const j = join(root, 'bad');
    const cases: [string[], string][] = [
      [['--feed', 'exchange'], '--exchange'],
      [['--universe', 'top5'], '--universe'],
      [['--venue-url', emu.url], '--venue-url'],
      [['--feed', 'exchange', '--exchange', 'binanceusdm', '--scan-stream', 'x'], '--scan-stream'],
      [['--feed', 'exchange', '--exchange', 'binanceusdm', '--poll', '500'], '--poll'],
      [['--feed', 'exchange', '--exchange', 'binanceusdm', '--cluster', 'dolphin'], '--cluster'],
      [['--feed', 'exchange', '--exchange', 'binanceusdm', '--cadence', '7s'], '--cadence'],
      [['--feed', 'exchange', '--exchange', 'binanceusdm', '--universe', 'top5', '--symbols', 'BTCUSDT'], '--symbols'],
      [['--feed', 'exchange', '--exchange', 'binanceusdm', '--out', j], '--out'],
      [['--feed', 'exchange', '--exchange', 'kraken'], 'exchange'],
      [['--feed', 'kafka'], 'feed'],
    ];
    for (const [extra, flag] of cases) {
      const r = dolphin(['live', '--paper', '--journal', j, '--set', 'volThreshold=0', ...extra]);
      expect(r.code, extra.join(' ') + r.stderr).toBe(2);
      expect(r.stderr, extra.join(' ')).toContain(flag);
      expect(r.stderr).not.toMatch(/at .*\.js/);
    }
  });

  it('an unreachable venue exits 1 naming the host', () => {
    const r = dolphin(['live', '--paper', '--feed', 'exchange', '--exchange', 'binanceusdm', '--venue-url', 'http://127.0.0.1:9', '--start-attempts', '2', '--journal', join(root, 'unreachable'), '--set', 'volThreshold=0']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('127.0.0.1:9');
    expect(r.stderr).toContain('not reachable');
    expect(r.stderr).not.toMatch(/at .*\.js/);
  });
});
