/**
 * A fault injected into each I/O step of the journal (through its file-system port) while a live run
 * takes real scans from a real member. Invariants: the run fails with a JournalError naming the step
 * and what to do, never with an uncaught error from an event handler; no scan reaches the engine
 * without being durable, so the report at stop covers exactly the journaled scans and equals a replay of
 * the journal; no temp file is left behind; the lock is released.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { backtest } from '../../src/app/backtest.js';
import { startLive } from '../../src/app/live.js';
import { loadConfig } from '../../src/app/config-files.js';
import { JournalError } from '../../src/core/errors.js';
import { DAY_NS } from '../../src/core/scan.js';
import { JOURNAL_FILES, nodeJournalFs, type JournalFs } from '../../src/feeds/live/journal.js';
import { EXF_KEY } from '../../src/feeds/live/paper-state.js';
import { describeHazelcast, ensureMember } from '../support/hazelcast.js';
import { LIVE_TEST_CONFIG, ScanPutter, uniqueMaps, waitFor } from '../support/live-driver.js';
import { synthScans } from '../support/synthetic-scans.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-journal-faults-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

// 160 scans crossing midnight at scan 80 (a second day folder is created mid-run)
const scans = synthScans({ n: 160, seed: 29, cadenceSec: 5 }).map((s) => ({ ...s, timestampNs: s.timestampNs + DAY_NS - 80n * 5_000_000_000n }));

type Op = keyof JournalFs;

/** node:fs with one operation failing like the kernel would, after `after` matching calls. */
function faultyFs(op: Op, match: (path: string) => boolean, after: number, code: string): JournalFs {
  const fdPath = new Map<number, string>();
  let calls = 0;
  const trip = (path: string): void => {
    if (!match(path)) return;
    if (calls++ >= after) throw Object.assign(new Error(`${code}: injected fault, ${op} '${path}'`), { code });
  };
  const fs: JournalFs = { ...nodeJournalFs };
  fs.openSync = (p, f) => {
    if (op === 'openSync') trip(p);
    const fd = nodeJournalFs.openSync(p, f);
    fdPath.set(fd, p);
    return fd;
  };
  const byFd = <K extends 'writeSync' | 'fsyncSync' | 'closeSync'>(k: K): void => {
    const real = nodeJournalFs[k] as (...a: unknown[]) => unknown;
    (fs as unknown as Record<string, unknown>)[k] = (fd: number, ...rest: unknown[]) => {
      if (op === k) trip(fdPath.get(fd) ?? '');
      return real(fd, ...rest);
    };
  };
  byFd('writeSync');
  byFd('fsyncSync');
  byFd('closeSync');
  for (const k of ['mkdirSync', 'renameSync', 'appendFileSync', 'writeFileSync'] as const) {
    if (k !== op) continue;
    const real = nodeJournalFs[k] as (p: string, x?: unknown) => void;
    (fs as unknown as Record<string, unknown>)[k] = (p: string, x?: unknown) => {
      trip(p);
      real(p, x);
    };
  }
  return fs;
}

const isScanTmp = (p: string): boolean => /\.scan_\d+\.arrow\.tmp$/.test(p);
const endsWith = (name: string) => (p: string) => p.endsWith(name);

const CASES: { step: string; op: Op; match: (p: string) => boolean; after: number; code: string; advice: RegExp; mayHoldAll?: boolean }[] = [
  { step: 'create the day folder', op: 'mkdirSync', match: () => true, after: 1, code: 'ENOSPC', advice: /disk holding the journal is full/ },
  { step: 'create the scan file', op: 'openSync', match: isScanTmp, after: 40, code: 'EROFS', advice: /read-only or not writable/ },
  { step: 'write the scan file', op: 'writeSync', match: isScanTmp, after: 40, code: 'ENOSPC', advice: /disk holding the journal is full/ },
  { step: 'sync the scan file', op: 'fsyncSync', match: isScanTmp, after: 40, code: 'EIO', advice: /check the journal folder/ },
  { step: 'close the scan file', op: 'closeSync', match: isScanTmp, after: 40, code: 'EIO', advice: /check the journal folder/ },
  { step: 'rename the scan file into place', op: 'renameSync', match: isScanTmp, after: 40, code: 'ENOENT', advice: /removed or replaced/ },
  { step: 'append factor records', op: 'appendFileSync', match: endsWith(JOURNAL_FILES.factors), after: 1, code: 'ENOSPC', advice: /full/ },
  { step: 'append fills', op: 'appendFileSync', match: endsWith(JOURNAL_FILES.fills), after: 0, code: 'EACCES', advice: /not writable/ },
  { step: 'append trades', op: 'appendFileSync', match: endsWith(JOURNAL_FILES.trades), after: 0, code: 'ENOSPC', advice: /full/ },
  // saved once a second from a timer: it may strike after the last scan
  { step: 'save the stream position', op: 'writeFileSync', match: endsWith(`.${JOURNAL_FILES.position}.tmp`), after: 0, code: 'ENOSPC', advice: /full/, mayHoldAll: true },
];

const journalScanCount = (dir: string): number =>
  readdirSync(dir)
    .filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d))
    .reduce((n, d) => n + readdirSync(join(dir, d)).filter((f) => f.endsWith('.arrow')).length, 0);
const tempFiles = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.tmp'));

describeHazelcast('journal faults during a live run', () => {
  for (const c of CASES) {
    it(`${c.step} (${c.code}): fails cleanly, reports every durable scan`, async () => {
      const member = await ensureMember();
      const maps = uniqueMaps();
      const journalDir = join(root, c.step.replace(/\W+/g, '-'));
      const session = await startLive({ config: LIVE_TEST_CONFIG, address: member.address, cluster: member.cluster, journalDir, runId: `fault-${c.op}`, ...maps, journalFs: faultyFs(c.op, c.match, c.after, c.code) });
      const put = await ScanPutter.connect(member.address, member.cluster, maps.featuresMap);
      let failure: Error | undefined;
      void session.failed.then((e) => (failure = e));
      try {
        for (let i = 0; i < scans.length && failure === undefined; i++) {
          if (i === 10) await put.putText('{"date":"2026-01-05","funding_btc":0.0001,"dvol_btc":50,"fng":40,"taker_ratio":1}', EXF_KEY);
          if (i === 90) await put.putText('{"date":"2026-01-06","funding_btc":-0.0002,"dvol_btc":60,"fng":30,"taker_ratio":1}', EXF_KEY);
          await put.put(scans[i]);
          await new Promise((r) => setTimeout(r, 2));
        }
        await waitFor(() => failure !== undefined, 20_000, `the ${c.step} fault to fail the run`);
        expect(failure).toBeInstanceOf(JournalError);
        expect(failure!.message).toContain(`could not ${c.step}`);
        expect(failure!.message).toMatch(c.advice);
        expect(session.canReport).toBe(true);
        const report = await session.stop();
        expect(session.reportFolder).toBe(journalDir);
        const durable = journalScanCount(journalDir);
        expect(durable).toBeGreaterThan(0);
        if (!c.mayHoldAll) expect(durable).toBeLessThan(scans.length);
        expect(report.fingerprint.scans).toBe(durable);
        expect(tempFiles(journalDir)).toEqual([]);
        expect(existsSync(join(journalDir, JOURNAL_FILES.lock))).toBe(false);
        const replay = (await backtest(journalDir, loadConfig({ dataDir: journalDir }).config)).report;
        expect(JSON.stringify(replay.trades)).toBe(JSON.stringify(report.trades));
        expect(JSON.stringify(replay.fingerprint)).toBe(JSON.stringify(report.fingerprint));
      } finally {
        await put.close();
      }
    }, 60_000);
  }

  it('a fault writing the run metadata at start refuses to start, naming the step, and leaves no lock', async () => {
    const member = await ensureMember();
    const maps = uniqueMaps();
    const journalDir = join(root, 'meta');
    const start = startLive({ config: LIVE_TEST_CONFIG, address: member.address, cluster: member.cluster, journalDir, runId: 'meta', ...maps, journalFs: faultyFs('writeFileSync', endsWith(JOURNAL_FILES.meta), 0, 'EROFS') });
    await expect(start).rejects.toThrow(/could not write the run metadata .*read-only or not writable/);
    expect(existsSync(join(journalDir, JOURNAL_FILES.lock))).toBe(false);
  }, 30_000);
});
