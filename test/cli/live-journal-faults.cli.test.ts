/**
 * Real file-system faults under `dolphin live --paper` (real process, real member): a full disk, a
 * read-only remount, the journal folder deleted, the journal folder replaced by a file. Works as root
 * (where chmod is ignored): a tiny tmpfs when this machine lets us mount one, else /dev/full for the
 * full disk. Invariants: exit 1 with a message naming the fault and what to do, no stack; the summary
 * and report of every durable scan are printed and written (to a fallback folder when the journal
 * cannot take them); a replay of what the journal holds gives the same trades; no temp file is left.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dayOf, dayToIso, type ScanRecord } from '../../src/core/scan.js';
import { journalScanName } from '../../src/feeds/live/journal.js';
import { dolphin, spawnDolphin, type CliProcess } from '../support/cli.js';
import { describeHazelcast, ensureMember } from '../support/hazelcast.js';
import { ScanPutter, uniqueMaps, waitFor } from '../support/live-driver.js';
import { synthScans } from '../support/synthetic-scans.js';

let root: string;
let canMount = false;
const mounts: string[] = [];

/** Mounts a tmpfs of `kb` KiB at dir (root with CAP_SYS_ADMIN only). */
function mountTmpfs(dir: string, kb: number): boolean {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kb}k`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status === 0) mounts.push(dir);
  return r.status === 0;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-fs-faults-'));
  // DOLPHIN_TEST_NO_MOUNT=1 exercises the fallbacks of machines where mount is not allowed
  canMount = process.env['DOLPHIN_TEST_NO_MOUNT'] !== '1' && mountTmpfs(join(root, 'probe'), 64);
});
afterAll(() => {
  for (const m of mounts.reverse()) spawnSync('umount', ['-l', m]);
  rmSync(root, { recursive: true, force: true });
});

const SETS = ['warmupBars=5', 'volWindow=10', 'alignWindow=10', 'minAlignment=0', 'maxHoldBars=20', 'volThreshold=0'].flatMap((s) => ['--set', s]);
const scans = synthScans({ n: 400, seed: 37, cadenceSec: 5 });

const scanFiles = (dir: string): number =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d))
        .reduce((n, d) => n + readdirSync(join(dir, d)).filter((f) => f.endsWith('.arrow')).length, 0)
    : 0;
const tempFiles = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.tmp'));

interface Outcome {
  readonly code: number | null;
  readonly p: CliProcess;
  /** Folder of the report the run wrote (from its summary). */
  readonly reportDir: string;
}

/**
 * Runs live on `journal`, publishes scans one by one; `fault(i)` runs before scan i is published and
 * may break the journal. Publishing stops once the process exits.
 */
async function runWithFault(journal: string, fault: (i: number) => void, at = 30): Promise<Outcome> {
  const member = await ensureMember();
  const maps = uniqueMaps();
  const p = spawnDolphin(['live', '--paper', '--hz', member.address, '--cluster', member.cluster, '--journal', journal, '--run-id', `fs-${Math.random().toString(36).slice(2, 8)}`, '--features-map', maps.featuresMap, '--state-map', maps.stateMap, ...SETS]);
  const put = await ScanPutter.connect(member.address, member.cluster, maps.featuresMap);
  let code: number | null | undefined;
  void p.exited.then((c) => (code = c));
  try {
    await waitFor(() => p.err().includes('listening on') || code !== undefined, 30_000, `live to start: ${p.err()}`);
    for (let i = 0; i < scans.length && code === undefined; i++) {
      // no journal write in flight when the fault strikes: what is durable is then exactly known
      // (a disk that fills by itself may end the run before: the loop then stops and the checks say why)
      if (i === at) await waitFor(() => scanFiles(journal) === at || code !== undefined, 30_000, `${at} journaled scans (has ${scanFiles(journal)}): ${p.err()}`);
      fault(i);
      await put.put(scans[i]);
      await new Promise((r) => setTimeout(r, 15));
    }
    const exit = await Promise.race([p.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000))]);
    if (exit === 'hung') p.proc.kill('SIGKILL');
    expect(exit, p.err()).not.toBe('hung');
    const m = /Report\s+(\S+)\/report\.json/.exec(p.out());
    expect(m, p.out() + p.err()).not.toBeNull();
    return { code: exit as number | null, p, reportDir: m![1] as string };
  } finally {
    await put.close();
  }
}

/** The checks every fault shares; `journalNow` is where the journal's scans are after the fault. */
function expectCleanEnd(o: Outcome, journalNow: string, message: RegExp): void {
  expect(o.code, o.p.err()).toBe(1);
  expect(o.p.err()).toMatch(message);
  expect(o.p.err()).not.toMatch(/\n\s+at .*\.js:\d+/);
  expect(o.p.out()).toMatch(/Live paper run fs-/);
  const report = JSON.parse(readFileSync(join(o.reportDir, 'report.json'), 'utf8'));
  const durable = scanFiles(journalNow);
  expect(durable).toBeGreaterThan(5);
  expect(report.fingerprint.scans).toBe(durable);
  expect(tempFiles(journalNow)).toEqual([]);
  const bt = dolphin(['backtest', journalNow, '--json', '--quiet', '--out', join(root, `bt-${Math.random().toString(36).slice(2)}`)]);
  expect(bt.code, bt.stderr).toBe(0);
  const replay = JSON.parse(bt.stdout);
  expect(replay.trades).toEqual(report.trades);
  expect(replay.fingerprint).toEqual(report.fingerprint);
}

describeHazelcast('dolphin live on a failing journal folder', () => {
  it('a full disk ends the run with exit 1 and the report of every durable scan', async () => {
    const journal = join(root, 'full');
    let fault: (i: number) => void = () => undefined;
    if (canMount) {
      expect(mountTmpfs(journal, 96)).toBe(true); // a few dozen one-page scan files
    } else {
      // no mount here: the next scan's temp file is /dev/full (writes fail with ENOSPC, as root too)
      fault = (i) => {
        if (i !== 30) return;
        const s = scans[30] as ScanRecord;
        symlinkSync('/dev/full', join(journal, dayToIso(dayOf(s.timestampNs)), `.${journalScanName(s)}.tmp`));
      };
    }
    const o = await runWithFault(journal, fault);
    expectCleanEnd(o, journal, /the disk holding the journal is full: free space, then restart/);
    if (canMount) expect(o.reportDir).not.toBe(journal); // the full journal could not take the report
  }, 120_000);

  it('a read-only journal folder ends the run with exit 1', async (ctx) => {
    const journal = join(root, 'readonly');
    let fault: (i: number) => void;
    if (canMount) {
      expect(mountTmpfs(journal, 4096)).toBe(true);
      fault = (i) => {
        if (i === 30) expect(spawnSync('mount', ['-o', 'remount,ro', journal]).status).toBe(0);
      };
    } else if (process.getuid?.() !== 0) {
      fault = (i) => {
        if (i === 30) spawnSync('chmod', ['-R', 'a-w', journal]);
      };
    } else {
      ctx.skip('running as root without mount: no way to make a folder read-only here (the injected EROFS test covers it)');
      return;
    }
    const o = await runWithFault(journal, fault);
    expectCleanEnd(o, journal, /read-only or not writable by this user/);
    expect(o.reportDir).not.toBe(journal);
  }, 120_000);

  it('a journal folder deleted mid-run ends the run with exit 1 (not silently recreated)', async () => {
    const journal = join(root, 'deleted');
    const keep = join(root, 'deleted-copy');
    const o = await runWithFault(journal, (i) => {
      if (i === 30) {
        spawnSync('cp', ['-a', journal, keep]); // what was durable before the deletion, for the replay
        rmSync(journal, { recursive: true, force: true });
      }
    });
    expect(existsSync(join(journal, '2026-01-05'))).toBe(false);
    rmSync(join(keep, '.live.lock'), { force: true });
    expectCleanEnd(o, keep, /removed or replaced while the run was writing it/);
  }, 120_000);

  it('a journal folder replaced by a file mid-run ends the run with exit 1', async () => {
    const journal = join(root, 'replaced');
    const moved = join(root, 'replaced-moved');
    const o = await runWithFault(journal, (i) => {
      if (i === 30) {
        renameSync(journal, moved);
        writeFileSync(journal, 'not a folder');
      }
    });
    expect(readFileSync(journal, 'utf8')).toBe('not a folder');
    rmSync(join(moved, '.live.lock'), { force: true });
    expectCleanEnd(o, moved, /removed or replaced while the run was writing it/);
  }, 120_000);
});
