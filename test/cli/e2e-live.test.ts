/**
 * The product's parity promise end to end, all real processes: scanner files -> dolphin bridge --backfill
 * -> Hazelcast -> dolphin live --paper -> journal; dolphin backtest JOURNAL_DIR gives the live run's trades
 * and metrics, and so does a backtest of the scanner's own files with the same strategy config.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dolphin, spawnDolphin } from '../support/cli.js';
import { describeHazelcast, ensureMember } from '../support/hazelcast.js';
import { uniqueMaps, waitFor } from '../support/live-driver.js';
import { synthScans, writeScannerLayout } from '../support/synthetic-scans.js';

let root: string;
const N = 400;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-e2e-'));
  writeScannerLayout(join(root, 'scanner'), synthScans({ n: N, seed: 51, cadenceSec: 5 }));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SETS = ['warmupBars=5', 'volWindow=10', 'alignWindow=10', 'minAlignment=0', 'maxHoldBars=20', 'volThreshold=0'].flatMap((s) => ['--set', s]);

describeHazelcast('end to end: bridge -> Hazelcast -> live -> journal', () => {
  it('gives identical trades and metrics live, from the journal and from the scanner files', async () => {
    const member = await ensureMember();
    const maps = uniqueMaps();
    const journal = join(root, 'journal');
    const hz = ['--hz', member.address, '--cluster', member.cluster, '--features-map', maps.featuresMap];
    const live = spawnDolphin(['live', '--paper', ...hz, '--state-map', maps.stateMap, '--journal', journal, '--run-id', 'e2e', ...SETS]);
    await waitFor(() => live.err().includes('listening on'), 30_000, `live to start: ${live.err()}`);
    const bridge = spawnDolphin(['bridge', join(root, 'scanner'), ...hz, '--backfill', '--once', '--speed', '400', '--json']);
    expect(await bridge.exited, bridge.err()).toBe(0);
    expect(JSON.parse(bridge.out().trim().split('\n').pop()!).published).toBe(N);
    const count = () => (existsSync(join(journal, '2026-01-05')) ? readdirSync(join(journal, '2026-01-05')).filter((f) => f.endsWith('.arrow')).length : 0);
    await waitFor(() => count() === N, 60_000, `journal to hold ${N} scans (has ${count()})`);
    live.proc.kill('SIGTERM');
    expect(await live.exited, live.err()).toBe(0);
    const liveReport = JSON.parse(readFileSync(join(journal, 'report.json'), 'utf8'));
    expect(liveReport.kind).toBe('live');
    expect(liveReport.metrics.trades).toBeGreaterThan(0);
    const fromJournal = JSON.parse(dolphin(['backtest', journal, '--json', '--quiet', '--out', join(root, 'bt-journal')]).stdout);
    const fromScanner = JSON.parse(dolphin(['backtest', join(root, 'scanner'), '--json', '--quiet', '--out', join(root, 'bt-scanner'), ...SETS, '--set', 'closeAtEnd=false']).stdout);
    for (const other of [fromJournal, fromScanner]) {
      expect(other.trades).toEqual(liveReport.trades);
      expect(other.metrics).toEqual(liveReport.metrics);
      expect(other.fingerprint).toEqual(liveReport.fingerprint);
    }
  }, 120_000);
});
