/**
 * `dolphin live --paper --mirror binance-demo` as real processes (real Hazelcast member, real CLI, ccxt's
 * real client) against the emulated venue, through its faults: a timeout after the venue accepted the
 * order, HTTP 5xx after and before accepting, 429 with Retry-After, rejections -2019/-1111/-4164, a
 * partial fill, and SIGKILL while an accepted order's answer is held. Invariants: no client order id is
 * accepted twice; every leg ends in the execution journal as filled, partial, rejected or skipped; the
 * report's execution section agrees with the journal; reconciliation reports drift the test creates at
 * the venue; the mirror never changes the paper trades (the journal replays to them); the key and
 * secret appear in no output. Also: plain --paper opens no connection except to the Hazelcast member,
 * and the mirror's setup errors exit 2 before anything starts.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBinanceEmulator, type BinanceEmulator } from '../../src/emulator/binance-usdm/binance-emulator.js';
import { EMULATOR_API_KEY, EMULATOR_API_SECRET } from '../../src/emulator/binance-usdm/emulator-account.js';
import { dolphin, spawnDolphin, type CliProcess } from '../support/cli.js';
import { describeHazelcast, ensureMember } from '../support/hazelcast.js';
import { ScanPutter, uniqueMaps, waitFor } from '../support/live-driver.js';
import { synthScans } from '../support/synthetic-scans.js';

let root: string;
let emu: BinanceEmulator;
const scans = synthScans({ n: 200, seed: 41, cadenceSec: 5 });
const assets = scans[0]!.assets.filter((a) => a !== 'BTCUSDT');
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-mirror-cli-'));
  emu = await startBinanceEmulator({ assets: 2, extra: assets.map((symbol, i) => ({ symbol, price: scans[0]!.prices[i + 1]! })) });
});
afterAll(async () => {
  await emu?.close();
  rmSync(root, { recursive: true, force: true });
});

const SETS = ['warmupBars=5', 'volWindow=10', 'alignWindow=10', 'minAlignment=0', 'maxHoldBars=20', 'volThreshold=0'].flatMap((s) => ['--set', s]);
const RECORDER = pathToFileURL(join(process.cwd(), 'test', 'support', 'connect-recorder.mjs')).href;
/** NODE_OPTIONS of the process under test: whatever is set already, plus the connection recorder. */
const NODE_OPTIONS = [process.env['NODE_OPTIONS'], `--import=${RECORDER}`].filter((x) => x !== undefined && x !== '').join(' ');

interface Rec {
  ev: string;
  id?: string;
  via?: string;
  reason?: string;
  why?: string;
  qty?: number | string;
  avgPrice?: number;
  partial?: boolean;
  ok?: boolean;
  rows?: { asset: string; drift: number; venueQty: number; mirroredQty: number; paperQty: number }[];
}
const records = (journal: string): Rec[] => {
  const p = join(journal, 'execution.ndjson');
  return existsSync(p) ? readFileSync(p, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec) : [];
};
const legId = (rs: Rec[], suffix: string): string | undefined => rs.find((r) => r.id?.endsWith(suffix))?.id;
const has = (rs: Rec[], suffix: string, ev: string): boolean => rs.some((r) => r.id?.endsWith(suffix) && r.ev === ev);
const settled = (rs: Rec[], suffix: string): boolean => ['filled', 'rejected', 'skipped'].some((ev) => has(rs, suffix, ev));

/** Publishes scans, moving the venue's prices to each scan's (fills then sit near the paper prices). */
async function publish(put: ScanPutter, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) {
    const s = scans[i]!;
    s.assets.forEach((a, k) => a !== 'BTCUSDT' && emu.market.setPrice(a, s.prices[k]!));
    await put.put(s);
  }
}

function textFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return textFiles(p);
    return /\.(json|ndjson|md|html)$/.test(n) ? [p] : [];
  });
}

describeHazelcast('dolphin live --paper --mirror binance-demo (emulated venue)', () => {
  it('mirrors every fill exactly once through the venue faults and a SIGKILL, and reports the gap', async () => {
    const member = await ensureMember();
    const maps = uniqueMaps();
    const journal = join(root, 'journal');
    const connectLog = join(root, 'connect-mirror.log');
    const args = ['live', '--paper', '--mirror', 'binance-demo', '--mirror-timeout', '2', '--mirror-reconcile-every', '2s', '--hz', member.address, '--cluster', member.cluster, '--journal', journal, '--run-id', 'mirror-test', '--features-map', maps.featuresMap, '--state-map', maps.stateMap, '--poll', '300', ...SETS];
    const env = { DOLPHIN_BINANCE_DEMO_API_KEY: EMULATOR_API_KEY, DOLPHIN_BINANCE_DEMO_SECRET: EMULATOR_API_SECRET, DOLPHIN_BINANCE_DEMO_URL: emu.url, NODE_OPTIONS, DOLPHIN_TEST_CONNECT_LOG: connectLog };
    const put = await ScanPutter.connect(member.address, member.cluster, maps.featuresMap);
    const outputs: string[] = [];
    const procs: CliProcess[] = [];
    try {
      // trades 1-5 (10 legs): timeout after acceptance, 5xx after acceptance, margin, precision and
      // min-notional rejections (their closes are not sent), a partial fill, then 5xx before acceptance
      // and 429 + Retry-After on the partial trade's close
      emu.orderFault({ kind: 'timeout', holdMs: 4000 }, { kind: '5xx', accepted: true }, { kind: 'reject', code: -2019 }, { kind: 'reject', code: -1111 }, { kind: 'reject', code: -4164 }, { kind: 'partial', fraction: 0.5 }, { kind: '5xx' }, { kind: 'rate-limit', retryAfterS: 1 });
      const p1 = spawnDolphin(args, env);
      procs.push(p1);
      await waitFor(() => p1.err().includes('listening on'), 30_000, `live to start: ${p1.err()}`);
      expect(p1.err()).toMatch(/mirror: binance-demo at 127\.0\.0\.1:\d+/);
      await publish(put, 0, 126);
      await waitFor(() => settled(records(journal), '-5-c'), 40_000, `trade 5 closed at the venue: ${p1.err()}`);

      // trade 6's open is accepted but its answer held: SIGKILL while the client waits for it
      emu.orderFault({ kind: 'timeout', holdMs: 60_000 });
      await publish(put, 126, 136);
      let id6 = '';
      await waitFor(() => ((id6 = legId(records(journal), '-6-o') ?? ''), id6 !== '' && emu.account.orders.has(id6)), 20_000, 'trade 6 open accepted by the venue');
      p1.proc.kill('SIGKILL');
      expect(await p1.exited).toBe(null);
      outputs.push(p1.out(), p1.err());
      expect(settled(records(journal), '-6-o')).toBe(false);

      const p2 = spawnDolphin(args, env);
      procs.push(p2);
      await waitFor(() => p2.err().includes('listening on'), 30_000, `restart: ${p2.err()}`);
      expect(p2.err()).toMatch(/1 sent before a restart: asked for by client order id first/);
      await waitFor(() => has(records(journal), '-6-o', 'filled'), 20_000, `trade 6 open found by its id: ${p2.err()}`);
      await publish(put, 136, 200);
      await waitFor(() => has(records(journal), '-8-o', 'filled'), 30_000, `trade 8 open filled: ${p2.err()}`);
      // a position the mirror did not make: the next reconciliation must report it
      emu.account.positions.set('A03USDT', { amt: -1.5, entry: 500 }); // trade 1's symbol, flat since
      await waitFor(() => records(journal).some((r) => r.ev === 'reconcile' && r.ok === false), 30_000, 'a reconciliation with drift');
      await waitFor(() => p2.err().includes('reconciliation found drift: A03USDT venue 1.5 vs mirrored 0'), 20_000, 'drift logged');
      const stateMap = await put.client.getMap<string, string>(maps.stateMap);
      await waitFor(async () => JSON.parse((await stateMap.get('mirror-test')) ?? '{}').mirror?.lastReconcile?.ok === false, 20_000, 'the drift in the published state');
      const status = dolphin(['status', '--hz', member.address, '--cluster', member.cluster, '--state-map', maps.stateMap, '--features-map', maps.featuresMap]);
      outputs.push(status.stdout, status.stderr);
      expect(status.stdout).toMatch(/mirror binance-demo \(127\.0\.0\.1:\d+\): DEGRADED, sent \d+, filled \d+, partial 1, rejected 3, not sent 3/);
      expect(status.stdout).toContain('DRIFT A03USDT +1.5');
      p2.proc.kill('SIGINT');
      expect(await p2.exited, p2.err()).toBe(0);
      outputs.push(p2.out(), p2.err());

      // --- the execution journal: every leg settled, nothing sent twice
      const rs = records(journal);
      const ids = [...new Set(rs.filter((r) => r.id !== undefined).map((r) => r.id!))];
      const posts = emu.stats().account.postsByClientId;
      for (const id of ids) {
        const sent = rs.filter((r) => r.id === id && r.ev === 'sent').length;
        expect(settled(rs, id), id).toBe(true);
        expect(posts[id] ?? 0, id).toBe(sent);
        expect(rs.filter((r) => r.id === id && (r.ev === 'filled' || r.ev === 'rejected' || r.ev === 'skipped')), id).toHaveLength(1);
        expect(emu.account.orders.has(id), id).toBe(has(rs, id, 'filled'));
      }
      expect(rs.some((r) => r.why?.startsWith('duplicate'))).toBe(false);
      expect(posts[legId(rs, '-1-o')!]).toBe(1); // timed out, then found by id
      expect(posts[legId(rs, '-1-c')!]).toBe(1); // 5xx after acceptance, then found by id
      expect(posts[id6]).toBe(1); // killed while waiting, found by id after the restart
      expect(rs.find((r) => r.id === id6 && r.ev === 'ack')?.via).toBe('query');
      expect(posts[legId(rs, '-5-c')!]).toBe(3); // 5xx before acceptance, 429, then filled
      expect(emu.stats().retryAfterViolations).toBe(0);
      expect(rs.filter((r) => r.ev === 'rejected').map((r) => [r.id!.replace(/^d[0-9a-f]+/, ''), r.reason])).toEqual([['-2-o', 'margin'], ['-3-o', 'precision'], ['-4-o', 'min-notional']]);
      expect(rs.filter((r) => r.ev === 'skipped').map((r) => r.id!.replace(/^d[0-9a-f]+/, ''))).toEqual(['-2-c', '-3-c', '-4-c']);
      const f5o = rs.find((r) => r.id?.endsWith('-5-o') && r.ev === 'filled')!;
      const f5c = rs.find((r) => r.id?.endsWith('-5-c') && r.ev === 'filled')!;
      expect(f5o.partial).toBe(true);
      expect(f5c.qty).toBe(f5o.qty); // the close sends what the venue filled of the open

      // --- the report's execution section agrees with the journal
      const report = JSON.parse(readFileSync(join(journal, 'report.json'), 'utf8'));
      const ex = report.execution;
      expect(ex.venue).toBe('binance-demo');
      expect(ex.stats.rejections).toMatchObject({ margin: 1, precision: 1, 'min-notional': 1, 'rate-limit': 0 });
      expect([ex.stats.ordersPartial, ex.stats.ordersSkipped, ex.stats.ordersPending]).toEqual([1, 3, 0]);
      expect(ex.stats.legs).toHaveLength(ids.length);
      for (const l of ex.stats.legs.filter((x: { venuePrice: number | null }) => x.venuePrice !== null)) {
        const f = rs.find((r) => r.ev === 'filled' && r.id!.endsWith(`-${l.trade}-${l.leg === 'open' ? 'o' : 'c'}`))!;
        expect(l.venuePrice).toBe(f.avgPrice);
        const gap = l.side === 'SELL' ? ((l.paperPrice - l.venuePrice) / l.paperPrice) * 1e4 : ((l.venuePrice - l.paperPrice) / l.paperPrice) * 1e4;
        expect(l.gapBps).toBeCloseTo(gap, 9);
        expect(Number.isFinite(l.gapBps)).toBe(true); // the venue moved on while the mirror caught up: no bound
      }
      expect(ex.stats.comparedTrades).toBeGreaterThanOrEqual(3);
      expect(ex.stats.latencyP50Ms).toBeGreaterThan(0);
      expect(ex.lastReconcile.ok).toBe(false);
      expect(ex.lastReconcile.rows.find((r: { asset: string }) => r.asset === 'A03USDT')).toMatchObject({ venueQty: 1.5, mirroredQty: 0, drift: 1.5 });
      expect(readFileSync(join(journal, 'report.md'), 'utf8')).toContain('## Execution (order mirror)');
      expect(readFileSync(join(journal, 'report.html'), 'utf8')).toContain('<section id="execution">');

      // --- the mirror never changed a decision: the journal replays to the same trades
      const bt = dolphin(['backtest', journal, '--json', '--quiet', '--out', join(root, 'bt')]);
      expect(bt.code, bt.stderr).toBe(0);
      expect(JSON.parse(bt.stdout).trades).toEqual(report.trades);

      // --- connections: the member and the emulated venue only; keys in no output
      const dests = new Set(readFileSync(connectLog, 'utf8').trim().split('\n'));
      expect([...dests].sort()).toEqual([member.address, `127.0.0.1:${emu.port}`].sort());
      const state = (await (await put.client.getMap<string, string>(maps.stateMap)).get('mirror-test')) ?? '';
      expect(state).toContain('"mirror"');
      for (const text of [...outputs, state, ...textFiles(journal).map((p) => readFileSync(p, 'utf8'))]) {
        expect(text.includes(EMULATOR_API_KEY)).toBe(false);
        expect(text.includes(EMULATOR_API_SECRET)).toBe(false);
      }
    } finally {
      for (const p of procs) if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill('SIGKILL'); // a failed assertion leaves no run behind
      await put.close();
    }
  }, 150_000);

  it('plain --paper opens no connection other than to the Hazelcast member', async () => {
    const member = await ensureMember();
    const maps = uniqueMaps();
    const journal = join(root, 'journal-plain');
    const connectLog = join(root, 'connect-plain.log');
    const put = await ScanPutter.connect(member.address, member.cluster, maps.featuresMap);
    const procs: CliProcess[] = [];
    try {
      const p = spawnDolphin(['live', '--paper', '--hz', member.address, '--cluster', member.cluster, '--journal', journal, '--run-id', 'plain-test', '--features-map', maps.featuresMap, '--state-map', maps.stateMap, '--poll', '300', ...SETS], { NODE_OPTIONS, DOLPHIN_TEST_CONNECT_LOG: connectLog });
      procs.push(p);
      await waitFor(() => p.err().includes('listening on'), 30_000, `live to start: ${p.err()}`);
      await publish(put, 0, 40);
      await waitFor(() => existsSync(join(journal, 'trades.ndjson')) && readFileSync(join(journal, 'trades.ndjson'), 'utf8').length > 0, 20_000, 'a paper trade');
      p.proc.kill('SIGINT');
      expect(await p.exited, p.err()).toBe(0);
      const dests = readFileSync(connectLog, 'utf8').trim().split('\n');
      expect(dests.length).toBeGreaterThan(0);
      expect(new Set(dests)).toEqual(new Set([member.address]));
      expect(existsSync(join(journal, 'execution.ndjson'))).toBe(false);
    } finally {
      for (const q of procs) if (q.proc.exitCode === null && q.proc.signalCode === null) q.proc.kill('SIGKILL');
      await put.close();
    }
  }, 60_000);

  it('exits 2 before starting when the keys are missing or the venue override is not on this machine', () => {
    const base = ['live', '--paper', '--mirror', 'binance-demo', '--hz', '127.0.0.1:1', '--journal', join(root, 'never')];
    const none = dolphin(base, { env: { DOLPHIN_BINANCE_DEMO_API_KEY: '', DOLPHIN_BINANCE_DEMO_SECRET: '' } });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('DOLPHIN_BINANCE_DEMO_API_KEY and DOLPHIN_BINANCE_DEMO_SECRET');
    const remote = dolphin(base, { env: { DOLPHIN_BINANCE_DEMO_API_KEY: 'k-abcdef123456', DOLPHIN_BINANCE_DEMO_SECRET: 's-abcdef123456', DOLPHIN_BINANCE_DEMO_URL: 'https://fapi.binance.com' } });
    expect(remote.code).toBe(2);
    expect(remote.stderr).toContain('DOLPHIN_BINANCE_DEMO_URL may only point at an emulated venue on this machine');
    expect(remote.stderr).not.toContain('abcdef123456');
    expect(existsSync(join(root, 'never'))).toBe(false);
  });
});
