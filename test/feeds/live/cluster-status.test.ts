/**
 * collectStatus / formatStatus against a real Hazelcast member, each test in maps of its own.
 * Invariants:
 * - a fresh scan and a fresh, connected, running paper run are OK; PnL = equity - initialCapital;
 * - each staleness rule (old scan, missing scan, old heartbeat, feed not CONNECTED, DIVERGED,
 *   run behind the scanner) makes the status STALE and names why; stopped runs never do;
 * - malformed payloads (bad JSON, wrong types, non-text values) are reported with their key, never thrown;
 * - between two samples: scans advanced = scan_number difference; scan_number down while
 *   timestamp_ns up = scanner restart;
 * - a client that has lost the cluster gives DOWN; formatStatus is pure;
 * - a scanner record (DOLPHIN_SCANNER_STATE) is shown; only a running scanner with an old heartbeat or a
 *   malformed record makes the status STALE; a stopped or REST-fallback scanner is a note.
 */

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { IMap } from 'hazelcast-client';
import { collectStatus, scanProgression, unreachableStatus } from '../../../src/feeds/live/cluster-status.js';
import { formatStatus } from '../../../src/feeds/live/cluster-status-format.js';
import type { ClusterStatus } from '../../../src/feeds/live/cluster-status.js';
import { connectHazelcast } from '../../../src/feeds/live/hazelcast-connection.js';
import type { HazelcastClient } from '../../../src/feeds/live/hazelcast-connection.js';
import { EXF_KEY, SCAN_KEY } from '../../../src/feeds/live/paper-state.js';
import type { PaperState } from '../../../src/feeds/live/paper-state.js';
import type { ScannerStatus } from '../../../src/feeds/exchange/scanner-status.js';
import { describeHazelcast, ensureMember } from '../../support/hazelcast.js';

const NOW = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const STALE_AFTER_MS = 30_000;

/** A Python-style latest_eigen_scan: bare 19-digit timestamp, NaN token, ", " separators. */
function scanPayload(tsMs: number, scanNumber: number): string {
  const ns = BigInt(tsMs) * 1_000_000n + 123_456n;
  return `{"scan_number": ${scanNumber}, "timestamp_ns": ${ns}, "timestamp_iso": "x", "w50_lambda_max": 3.5, "vel_div": NaN, "assets": ["BTCUSDT", "ETHUSDT", "SOLUSDT"], "asset_prices": [97000.5, NaN, 180.25]}`;
}

/** A valid PaperState, overridable. */
function paperState(runId: string, heartbeatMs: number, over: Partial<PaperState> = {}): PaperState {
  return {
    runId,
    mode: 'paper',
    heartbeatMs,
    startedAtMs: heartbeatMs - 3_600_000,
    feedStatus: 'CONNECTED',
    lastScanTs: (BigInt(heartbeatMs - 1_000) * 1_000_000n).toString(),
    lastScanNumber: 41,
    equity: 10_250.5,
    cash: 9_000,
    initialCapital: 10_000,
    realizedPnl: 200,
    trades: 7,
    acbCut: 0.25,
    positions: [{ asset: 'ETHUSDT', qty: -0.5, entryPrice: 3000, entryTs: '1767225000000000000', mark: 2990, unrealizedPnl: 5 }],
    counters: { scansAccepted: 42, malformedMessages: 1, outOfBounds: 0, badTimestamps: 0, lateOrDuplicate: 2, scannerRestarts: 0, invalidPrices: 3, reconnects: 0, scansMissed: 0, fromStream: 42, fromKey: 0 },
    shadows: [{ name: 'tp2', equity: 10_100, trades: 5, openPositions: 0 }],
    validation: { verdict: 'IDENTICAL', atMs: heartbeatMs - 60_000, summary: '7 of 7 trades identical' },
    journal: '/tmp/journal',
    stopped: false,
    ...over,
  };
}

/** A scanner's status record as `dolphin scan` writes it. */
function scannerRecord(id: string, heartbeatMs: number, over: Partial<ScannerStatus> = {}): ScannerStatus {
  const counters = { socketDrops: 0, resubscribes: 0, scansWithoutStream: 0, restPolls: 1, restErrors: 0, rateLimited: 0, malformedMessages: 0, invalidPrices: 0, delisted: 0, missedBoundaries: 0, writeErrors: 0, publishErrors: 0 };
  return {
    scannerId: id, mode: 'scanner', exchange: 'binanceusdm', venue: '127.0.0.1:8090', priceSource: 'last', cadenceMs: 5000,
    heartbeatMs, startedAtMs: heartbeatMs - 200_000, connection: 'WEBSOCKET', lastTickAgeMs: 300, lastScanTs: `${BigInt(heartbeatMs - 1000) * 1_000_000n}`,
    lastScanNumber: 40, scansWritten: 40, scansPublished: 40, universeSize: 12, staleSymbols: [], delistedSymbols: [], clockOffsetMs: 12, clockRttMs: 3,
    restoredScans: 0, out: null, counters, stopped: false, ...over,
  };
}

describeHazelcast('collectStatus (real member)', () => {
  let client: HazelcastClient;
  const maps: IMap<string, unknown>[] = [];

  beforeAll(async () => {
    const member = await ensureMember();
    client = await connectHazelcast({ address: member.address, cluster: member.cluster });
  });
  afterAll(async () => {
    for (const m of maps) await m.destroy().catch(() => undefined);
    await client?.shutdown();
  });

  /** Fresh features + state + scanner maps with the given entries. */
  async function setup(
    features: Record<string, unknown>,
    states: Record<string, unknown>,
    scanners: Record<string, unknown> = {},
  ): Promise<{ featuresMap: string; stateMap: string; scannerMap: string }> {
    const id = randomUUID();
    const featuresMap = `test-status-features-${id}`;
    const stateMap = `test-status-state-${id}`;
    const scannerMap = `test-status-scanners-${id}`;
    const f = await client.getMap<string, unknown>(featuresMap);
    const s = await client.getMap<string, unknown>(stateMap);
    const sc = await client.getMap<string, unknown>(scannerMap);
    maps.push(f, s, sc);
    for (const [k, v] of Object.entries(features)) await f.set(k, v);
    for (const [k, v] of Object.entries(states)) await s.set(k, typeof v === 'string' ? v : JSON.stringify(v));
    for (const [k, v] of Object.entries(scanners)) await sc.set(k, typeof v === 'string' ? v : JSON.stringify(v));
    return { featuresMap, stateMap, scannerMap };
  }

  const collect = (m: { featuresMap: string; stateMap: string; scannerMap: string }, now = NOW, previous?: ClusterStatus): Promise<ClusterStatus> =>
    collectStatus(client, { now, staleAfterMs: STALE_AFTER_MS, ...m, ...(previous ? { previous } : {}) });

  it('is OK with a fresh scan and a fresh running run, and computes PnL', async () => {
    const m = await setup(
      { [SCAN_KEY]: scanPayload(NOW - 2_000, 812), [EXF_KEY]: '{"date":"2025-12-31","fng":40}' },
      { 'run-a': paperState('run-a', NOW - 500) },
    );
    const st = await collect(m);
    expect(st.health).toBe('OK');
    expect(st.reasons).toEqual([]);
    expect(st.cluster.reachable).toBe(true);
    expect(st.cluster.members).toBe(1);
    expect(st.scan).toMatchObject({ state: 'OK', scanNumber: 812, ageSeconds: 2, assets: 3, progression: null });
    expect(st.scan.timestampNs).toBe(`${BigInt(NOW - 2_000) * 1_000_000n + 123_456n}`);
    expect(st.scan.timestampIso).toBe('2025-12-31T23:59:58.000Z');
    expect(st.exf).toEqual({ state: 'OK', problem: null, date: '2025-12-31' });
    expect(st.runs).toHaveLength(1);
    const r = st.runs[0]!;
    expect(r).toMatchObject({ runId: 'run-a', health: 'OK', heartbeatAgeSeconds: 0.5, lastScanAgeSeconds: 1.5, trades: 7, openPositions: 1, acbCut: 0.25 });
    expect(r.pnl).toBeCloseTo(250.5, 9);
    expect(r.pnlPct).toBeCloseTo(2.505, 9);
    expect(r.validation?.verdict).toBe('IDENTICAL');
    const text = formatStatus(st);
    expect(text).toContain('DOLPHIN status: OK');
    expect(text).toMatch(/run-a\s+running\s+0\.5 s\s+CONNECTED\s+1\.5 s\s+10,250\.50\s+\+250\.50\s+\+2\.51%\s+7\s+1\s+0\.25\s+IDENTICAL/);
    expect(text).toContain('shadow tp2: equity 10,100.00, 5 trades, 0 open');
    // JSON as the CLI prints it round-trips
    expect(JSON.parse(JSON.stringify(st))).toMatchObject({ health: 'OK', runs: [{ runId: 'run-a' }] });
  });

  it('is STALE when the latest scan is 2 minutes old, and says so', async () => {
    const m = await setup({ [SCAN_KEY]: scanPayload(NOW - 120_000, 5) }, {});
    const st = await collect(m);
    expect(st.health).toBe('STALE');
    expect(st.reasons).toEqual([expect.stringMatching(/latest scan is 2 min 0 s old \(stale after 30 s\)/)]);
    expect(st.notes.some((n) => n.includes('exf_latest'))).toBe(true); // missing exf is only a note
    expect(formatStatus(st)).toContain('STALE because:');
  });

  it('is STALE without a latest scan', async () => {
    const st = await collect(await setup({}, {}));
    expect(st.health).toBe('STALE');
    expect(st.scan.state).toBe('MISSING');
    expect(st.reasons[0]).toMatch(/no test-status-features-.*\["latest_eigen_scan"\]/);
  });

  it('judges each running run: heartbeat, feed, lag, validation; stopped runs never count', async () => {
    const fresh = NOW - 200;
    const m = await setup(
      { [SCAN_KEY]: scanPayload(NOW - 1_000, 900) },
      {
        hung: paperState('hung', NOW - 16_000), // limit max(3 s, 30 s / 2) = 15 s
        offline: paperState('offline', fresh, { feedStatus: 'DISCONNECTED' }),
        behind: paperState('behind', fresh, { lastScanTs: (BigInt(NOW - 60_000) * 1_000_000n).toString() }),
        diverged: paperState('diverged', fresh, { validation: { verdict: 'DIVERGED', atMs: fresh, summary: '3 trades differ' } }),
        done: paperState('done', NOW - 86_400_000, { stopped: true, feedStatus: 'DISCONNECTED', validation: { verdict: 'DIVERGED', atMs: 0, summary: 'old' } }),
        fine: paperState('fine', NOW - 14_000),
      },
    );
    const st = await collect(m);
    expect(st.health).toBe('STALE');
    const byId = Object.fromEntries(st.runs.map((r) => [r.runId, r]));
    expect(Object.keys(byId)).toEqual(['behind', 'diverged', 'done', 'fine', 'hung', 'offline']);
    expect(byId['hung']!.reasons).toEqual([expect.stringMatching(/^heartbeat is 16\.0 s old \(limit 15 s\)/)]);
    expect(byId['offline']!.reasons).toEqual(['feed is DISCONNECTED']);
    expect(byId['behind']!.reasons).toEqual([expect.stringMatching(/^last accepted scan is 59\.0 s behind the latest scan/)]);
    expect(byId['diverged']!.reasons).toEqual(['validation DIVERGED: 3 trades differ']);
    expect(byId['done']).toMatchObject({ stopped: true, health: 'OK', reasons: [] });
    expect(byId['fine']).toMatchObject({ health: 'OK', reasons: [] });
    expect(st.reasons).toHaveLength(4);
    expect(st.notes).toContain('run done stopped (heartbeat 1 d 0 h ago)');
    // with a 2 s staleAfter the heartbeat floor is 3 s
    const strict = await collectStatus(client, { now: NOW, staleAfterMs: 2_000, ...m });
    expect(strict.runs.find((r) => r.runId === 'fine')!.reasons).toContainEqual(expect.stringMatching(/^heartbeat is 14\.0 s old \(limit 3 s\)/));
  });

  it('reports malformed payloads with their key and keeps the good ones', async () => {
    const m = await setup(
      { [SCAN_KEY]: '{"scan_number": 1, "timestamp_ns": 17672256', [EXF_KEY]: '{"date":"yesterday"}' },
      {
        good: paperState('good', NOW - 100),
        'not-json': '{"runId": "not-json", heartbeat',
        'wrong-types': { ...paperState('wrong-types', NOW), heartbeatMs: 'soon', feedStatus: 'MAYBE', counters: { scansAccepted: 1 } },
        array: '[1,2]',
        renamed: paperState('other-id', NOW),
      },
    );
    const numberValue = await client.getMap<string, unknown>(m.stateMap);
    await numberValue.set('number', 42);
    const st = await collect(m);
    expect(st.health).toBe('STALE');
    expect(st.scan.state).toBe('MALFORMED');
    expect(st.scan.problem).toMatch(/latest_eigen_scan: not valid JSON at position \d+: unexpected end of input/);
    expect(st.exf.state).toBe('MALFORMED');
    expect(st.exf.problem).toMatch(/field date/);
    expect(st.runs.map((r) => r.runId)).toEqual(['good']);
    const problems = Object.fromEntries(st.malformedRuns.map((e) => [e.key, e.problem]));
    expect(Object.keys(problems).sort()).toEqual(['array', 'not-json', 'number', 'renamed', 'wrong-types']);
    expect(problems['not-json']).toMatch(/^not valid JSON/);
    expect(problems['array']).toBe('expected a JSON object, found an array');
    expect(problems['number']).toBe('value is a number (42), expected JSON text');
    expect(problems['renamed']).toBe('runId is "other-id", but the entry\'s key is "renamed"');
    expect(problems['wrong-types']).toContain('heartbeatMs is a string ("soon"), expected a number');
    expect(problems['wrong-types']).toContain('feedStatus is a string ("MAYBE"), expected one of CONNECTED, STALE, DISCONNECTED');
    expect(problems['wrong-types']).toContain('counters.malformedMessages is missing, expected an integer');
    expect(st.reasons.filter((r) => r.startsWith('state entry'))).toHaveLength(5);
    const text = formatStatus(st);
    expect(text).toContain('Malformed state entries (5)');
    expect(text).toContain('  number: value is a number (42), expected JSON text');
    expect(text).toContain('scan      MALFORMED');
  });

  it('follows the scan between samples and detects a scanner restart', async () => {
    const m = await setup({ [SCAN_KEY]: scanPayload(NOW - 1_000, 500) }, {});
    const features = await client.getMap<string, string>(m.featuresMap);
    const first = await collect(m, NOW);
    expect(first.scan.progression).toBeNull();

    const same = await collect(m, NOW + 1_000, first);
    expect(same.scan.progression).toMatchObject({ advanced: false, scansAdvanced: 0, scannerRestart: false, intervalSeconds: 1 });

    await features.set(SCAN_KEY, scanPayload(NOW + 14_000, 503));
    const second = await collect(m, NOW + 15_000, first);
    expect(second.scan.progression).toMatchObject({ advanced: true, scansAdvanced: 3, scannerRestart: false, previousScanNumber: 500 });
    expect(formatStatus(second)).toContain('+3 scan(s) in 15 s');

    await features.set(SCAN_KEY, scanPayload(NOW + 29_000, 2)); // scanner restarted: numbering from scratch
    const third = await collect(m, NOW + 30_000, second);
    expect(third.health).toBe('OK'); // a restart is a note, not a health problem
    expect(third.scan.progression).toMatchObject({ advanced: true, scansAdvanced: null, scannerRestart: true, previousScanNumber: 503, wentBack: false });
    expect(third.notes).toContain('scanner restart: scan_number went from 503 to 2 since the previous sample');
    expect(formatStatus(third)).toContain('SCANNER RESTART since previous sample (#503 -> #2)');

    await features.set(SCAN_KEY, scanPayload(NOW, 9)); // an older scan published over a newer one
    const back = await collect(m, NOW + 31_000, third);
    expect(back.scan.progression).toMatchObject({ wentBack: true, advanced: false, scannerRestart: false, scansAdvanced: null });
  });

  it('shows scanner records; a running scanner with an old heartbeat or a malformed record is STALE', async () => {
    const fresh = scannerRecord('emu', NOW - 1_000);
    const m = await setup({ [SCAN_KEY]: scanPayload(NOW - 1_000, 9) }, {}, {
      emu: fresh,
      rest: scannerRecord('rest', NOW - 2_000, { connection: 'REST_FALLBACK', staleSymbols: ['ETHUSDT'] }),
      done: scannerRecord('done', NOW - 3_600_000, { stopped: true, connection: 'STOPPED' }),
    });
    const ok = await collect(m);
    expect(ok.health).toBe('OK');
    expect(ok.scanners.map((s) => [s.status.scannerId, s.health])).toEqual([
      ['done', 'STOPPED'],
      ['emu', 'OK'],
      ['rest', 'DEGRADED'],
    ]);
    expect(ok.scanners[1]).toMatchObject({ heartbeatAgeSeconds: 1, heartbeatLimitSeconds: 15, status: fresh });
    expect(ok.notes).toContain('scanner rest: connection REST_FALLBACK: prices by REST polling until the price stream is back');
    expect(ok.notes).toContain('scanner rest: 1 symbol(s) without a price in its last scan (ETHUSDT)');
    expect(ok.notes.some((n) => n.startsWith('scanner done stopped'))).toBe(true);
    const text = formatStatus(ok);
    expect(text).toContain('Scanners (3)');
    expect(text).toMatch(/^ {2}scanner emu \[OK\] binanceusdm at 127\.0\.0\.1:8090, last prices every 5 s, connection WEBSOCKET; heartbeat 1000 ms ago$/m);
    expect(text).toContain('    clock offset to the exchange +12 ms (rtt 3 ms)');
    expect(text).toContain('    scans: 40 written, 40 published, last #40');

    // the scanner died without stopping: 16 s without a heartbeat (limit max(15 s, 3 beats of 5 s))
    const late = await collect(m, NOW + 15_500);
    expect(late.health).toBe('STALE');
    expect(late.scanners.find((s) => s.status.scannerId === 'emu')?.health).toBe('STALE');
    expect(late.reasons).toContain('scanner emu: heartbeat is 16.5 s old (limit 15 s): the scanner is hung or died without stopping');
    expect(formatStatus(late)).toContain('scanner emu [STALE]');

    const bad = await setup({ [SCAN_KEY]: scanPayload(NOW - 1_000, 9) }, {}, { x: '{"scannerId":"x","mode":"scanner"}', y: 'not json', z: { ...fresh, scannerId: 'other' } });
    const st = await collect(bad);
    expect(st.health).toBe('STALE');
    expect(st.scanners).toEqual([]);
    expect(st.malformedScanners.map((e) => e.key)).toEqual(['x', 'y', 'z']);
    expect(st.malformedScanners[0]?.problem).toMatch(/^heartbeatMs is missing, expected a number; cadenceMs is missing.*; and \d+ more$/);
    expect(st.malformedScanners[1]?.problem).toMatch(/^not valid JSON/);
    expect(st.malformedScanners[2]?.problem).toBe('scannerId is "other", but the entry\'s key is "z"');
    expect(st.reasons.filter((r) => r.startsWith('scanner entry'))).toHaveLength(3);
    expect(formatStatus(st)).toContain('Malformed scanner entries (3)');
  });

  it('gives DOWN from a client that lost the cluster', async () => {
    const member = await ensureMember();
    const lost = await connectHazelcast({ address: member.address, cluster: member.cluster });
    await lost.shutdown();
    const st = await collectStatus(lost, { now: NOW, staleAfterMs: STALE_AFTER_MS, featuresMap: `x-${randomUUID()}` });
    expect(st.health).toBe('DOWN');
    expect(st.cluster.reachable).toBe(false);
    expect(st.reasons[0]).toMatch(/lost the cluster while reading/);
  });
});

it('scanProgression is null without a previous valid scan; unreachableStatus is DOWN', () => {
  const down = unreachableStatus({ now: NOW, staleAfterMs: 30_000, address: '127.0.0.1:5797', cluster: 'dolphin', error: 'refused' });
  expect(down).toMatchObject({ health: 'DOWN', reasons: ['refused'], scan: { state: 'UNKNOWN' } });
  expect(scanProgression(down, '1', 1, NOW)).toBeNull();
  expect(scanProgression(undefined, '1', 1, NOW)).toBeNull();
  const text = formatStatus(down);
  expect(text).toContain("cluster   'dolphin' at 127.0.0.1:5797: UNREACHABLE");
  expect(text).toContain('DOWN because:\n  - refused');
  expect(formatStatus(down)).toBe(text); // pure
});
