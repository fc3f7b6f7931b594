/**
 * Distributed sweep, all real processes: a 2-member cluster (backup count 1), three `dolphin sweep-worker`
 * processes on the job's data (two of them on a copy in another folder) and a fourth on other data, and
 * `dolphin sweep --distributed` as the submitter. Faults during one job: a worker SIGKILLed mid-chunk, the
 * submitter SIGKILLed and started again, a worker frozen (SIGSTOP) past its lease and resumed, then the
 * member every client (submitter included) was given stopped (the surviving worker, paused until then, finishes
 * chunks through the other member) and restarted. Invariants: the job completes; sweep.ndjson holds every
 * config exactly once and equals the local sweep's (same lines after sorting by config key); the cluster
 * stores each config once; the worker with other data refuses the job naming both fingerprints and runs
 * nothing of it; `jobs list|delete` and `status` see the job. Then a batch of plain backtests (two folders x
 * two config files) as one job: equal to the local batch, chunks never spanning folders, and a worker holding
 * only one of the folders refusing it, naming the other folder's fingerprint.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dolphin, spawnDolphin, type CliProcess } from '../support/cli.js';
import { PROJECT_ROOT } from '../support/hazelcast-member.js';
import { describeHazelcast, stopMember } from '../support/hazelcast.js';
import { waitFor } from '../support/live-driver.js';

const PORTS = [5812, 5813] as const;
const CLUSTER = 'dolphin-dist-test';
const MEMBERS = PORTS.map((p) => `127.0.0.1:${p}`).join(',');
const HZ = ['--hz', `127.0.0.1:${PORTS[0]}`, '--cluster', CLUSTER];
const BASE = ['--set', 'warmupBars=5', '--set', 'calibrationDays=1', '--no-cache'];
const GRID = ['--grid', 'takeProfitPct=0.004,0.008,0.012,0.016', '--grid', 'maxHoldBars=10,20,40,60,120,240,360,480', '--grid', 'velDivThreshold=-0.01,-0.02'];
const CONFIGS = 64;

let root: string;
/** hz.sh in the background (the member JVMs start while the data is generated). */
const hzAsync = (...args: string[]): Promise<string> =>
  new Promise((ok, fail) => {
    const p = spawn('bash', [join(PROJECT_ROOT, 'scripts', 'hz.sh'), ...args]);
    let text = '';
    p.stdout.on('data', (d) => (text += d));
    p.stderr.on('data', (d) => (text += d));
    p.on('close', (code) => (code === 0 ? ok(text) : fail(new Error(`hz.sh ${args.join(' ')}: ${text}`))));
  });
const lines = (dir: string): string[] => (existsSync(join(dir, 'sweep.ndjson')) ? readFileSync(join(dir, 'sweep.ndjson'), 'utf8').split('\n').filter(Boolean) : []);
const keyOf = (l: string): string => (JSON.parse(l) as { key: string }).key;
const sortByKey = (ls: string[]): string[] => [...ls].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-dist-'));
});
afterAll(async () => {
  for (const p of PORTS) await stopMember(p);
  rmSync(root, { recursive: true, force: true });
});

describeHazelcast('dolphin sweep --distributed on a 2-member cluster with faults', () => {
  it('completes with every config exactly once, equal to the local sweep', { timeout: 170_000 }, async () => {
    // members start in the background while the data is generated and swept locally
    const members = Promise.all(PORTS.map((p) => hzAsync('start', '--port', String(p), '--cluster', CLUSTER, '--members', MEMBERS)));
    const data = join(root, 'a');
    const gen = dolphin(['generate', '--out', data, '--days', '3', '--assets', '20', '--layout', 'daily', '--seed', '5', '--quiet']);
    expect(gen.code, gen.stderr).toBe(0);
    cpSync(data, join(root, 'a-copy'), { recursive: true });
    const other = dolphin(['generate', '--out', join(root, 'b'), '--days', '1', '--assets', '4', '--layout', 'daily', '--seed', '6', '--quiet']);
    expect(other.code, other.stderr).toBe(0);
    const local = dolphin(['sweep', data, ...BASE, ...GRID, '--out', join(root, 'local'), '--quiet', '--workers', '1']);
    expect(local.code, local.stderr).toBe(0);
    expect(lines(join(root, 'local'))).toHaveLength(CONFIGS);
    await members;

    const worker = (dir: string): CliProcess => spawnDolphin(['sweep-worker', ...HZ, '--data', dir, '--workers', '1', '--no-cache', '--poll', '100', '--verbose']);
    const ws = [worker(join(root, 'a-copy')), worker(data), worker(join(root, 'a-copy'))];
    const wrong = worker(join(root, 'b'));
    const out = join(root, 'dist');
    const submit = (): CliProcess => spawnDolphin(['sweep', data, ...BASE, ...GRID, '--distributed', ...HZ, '--chunk', '2', '--lease', '1.5', '--workers', '1', '--out', out]);
    let submitter = submit();
    const all = [...ws, wrong];
    try {
      await waitFor(() => all.every((w) => w.err().includes('ready:')), 60_000, `the workers to start: ${all.map((w) => w.err()).join('\n')}`);
      await waitFor(() => lines(out).length >= 2, 60_000, `the first results: ${submitter.err()}`);

      // a worker killed while it holds a chunk; then the submitter
      const started = (w: CliProcess): number => (w.err().match(/chunk \d+ started/g) ?? []).length;
      const finished = (w: CliProcess): number => (w.err().match(/chunk \d+ done/g) ?? []).length;
      // a worker killed while it holds a chunk, another frozen (SIGSTOP) past its lease, the submitter killed
      // which two workers hold a chunk at the same moment depends on the scheduling: take the first two seen
      const holding = (): number[] => [0, 1, 2].filter((i) => started(ws[i]) > finished(ws[i]));
      await waitFor(() => holding().length >= 2, 60_000, `two workers to hold a chunk each: ${ws.map((w) => w.err()).join('\n')}`);
      const [killed, frozen] = holding();
      const survivor = [0, 1, 2].find((i) => i !== killed && i !== frozen)!;
      ws[killed].proc.kill('SIGKILL');
      ws[frozen].proc.kill('SIGSTOP');
      // the survivor is paused too until the member is down, so that work is left for it to do then
      // (one thread runs the whole rest of the job in a few seconds)
      ws[survivor].proc.kill('SIGSTOP');
      submitter.proc.kill('SIGKILL');
      await submitter.exited;
      const atKill = lines(out).length;
      expect(atKill).toBeLessThan(CONFIGS);

      // the submitter started again at once: it finds the job and keeps the lines it has
      submitter = submit();
      await waitFor(() => submitter.err().includes('found in cluster'), 30_000, `the submitter to find its job: ${submitter.err()}`);

      // the member every client was given stopped (partitions and backups move; the clients move to the
      // other member, listeners included) and restarted
      const doneBefore = finished(ws[survivor]);
      // (asynchronously: the workers' output is read meanwhile)
      expect(await hzAsync('stop', '--port', String(PORTS[0]))).toMatch(/stopped/);
      ws[survivor].proc.kill('SIGCONT');
      await waitFor(() => finished(ws[survivor]) > doneBefore, 90_000, `the surviving worker to finish a chunk while the member is away: ${ws[survivor].err()}`);
      const doneAcross = finished(ws[survivor]) - doneBefore;
      expect(await hzAsync('start', '--port', String(PORTS[0]), '--cluster', CLUSTER, '--members', MEMBERS)).toMatch(/member running/);
      ws[frozen].proc.kill('SIGCONT');

      expect(await submitter.exited, submitter.err()).toBe(0);
      expect(submitter.err()).toMatch(new RegExp(`sweeping: 100% ${CONFIGS}/${CONFIGS} configs .*running \\d+ chunk\\(s\\), failed 0, workers \\d+`));
      const dist = lines(out);
      console.log(`killed after ${atKill} of ${CONFIGS} results; worker ${survivor + 1} finished ${doneAcross} chunk(s) while the member was away; worker logs:\n${ws.map((w) => w.err()).join('\n')}`);
      expect(new Set(dist.map(keyOf)).size).toBe(CONFIGS);
      expect(dist).toHaveLength(CONFIGS);
      expect(sortByKey(dist)).toEqual(sortByKey(lines(join(root, 'local'))));
      expect(readFileSync(join(out, 'sweep.md'), 'utf8')).toMatch(new RegExp(`${CONFIGS} configs, ranked by roi`));

      // the worker with other data refused the job, naming both fingerprints, and ran nothing
      const refusal = wrong.err().match(/refusing job (\w+): its dataset fingerprint is (\w+) .* this worker's data is (\w+)/);
      expect(refusal, wrong.err()).not.toBeNull();
      expect(refusal![2]).not.toBe(refusal![3]);
      expect(wrong.err()).not.toMatch(/chunk \d+ started/);

      const list = dolphin(['jobs', 'list', ...HZ, '--json']);
      expect(list.code, list.stderr).toBe(0);
      const job = (JSON.parse(list.stdout) as { jobs: { id: string; state: string; done: number; total: number; refusedBy: string[] }[] }).jobs.find((j) => j.id === refusal![1]);
      expect(job).toMatchObject({ state: 'done', done: CONFIGS, total: CONFIGS });
      expect(job!.refusedBy).toHaveLength(1);
      const status = dolphin(['status', ...HZ]);
      expect(status.stdout).toMatch(new RegExp(`${job!.id}\\s+done\\s+${CONFIGS}/${CONFIGS}`));
      expect(dolphin(['jobs', 'delete', job!.id, ...HZ]).code).toBe(0);
      expect(dolphin(['jobs', 'show', job!.id, ...HZ]).code).toBe(2);
      // usage errors before any work
      expect(dolphin(['sweep-worker', ...HZ, '--data', data, '--workers', '0']).stderr).toMatch(/--workers must be at least 1/);
      expect(dolphin(['jobs', 'delete', ...HZ]).code).toBe(2);
      expect(dolphin(['sweep', data, ...GRID, '--distributed', ...HZ, '--lease', '0', '--quiet']).stderr).toMatch(/--lease must be/);
    } finally {
      for (const p of [...all, submitter]) if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill('SIGKILL');
    }
  });

  it('runs a batch of backtests (2 folders x 2 configs) as one job, equal to the local batch', { timeout: 90_000 }, async () => {
    // the members of the test above are still up (it restarted one); the data it generated is reused
    const [a, b] = [join(root, 'a'), join(root, 'b')];
    const configs = ['c1', 'c2'].map((c, k) => {
      const f = join(root, `${c}.json`);
      writeFileSync(f, JSON.stringify({ warmupBars: 5, calibrationDays: 1, takeProfitPct: 0.004 * (k + 1) }));
      return ['--config', f];
    }).flat();
    const local = dolphin(['batch', a, b, ...configs, '--no-cache', '--out', join(root, 'batch-local'), '--quiet', '--workers', '1']);
    expect(local.code, local.stderr).toBe(0);
    expect(lines(join(root, 'batch-local'))).toHaveLength(4);
    // one worker holds both folders; the other only the first, so it refuses the job naming the second
    const both = spawnDolphin(['sweep-worker', ...HZ, '--data', join(root, 'a-copy'), '--data', b, '--workers', '1', '--no-cache', '--poll', '100', '--verbose']);
    const half = spawnDolphin(['sweep-worker', ...HZ, '--data', a, '--workers', '1', '--no-cache', '--poll', '100']);
    const out = join(root, 'batch-dist');
    let submitter: CliProcess | undefined;
    try {
      await waitFor(() => both.err().includes('ready:') && half.err().includes('ready:'), 60_000, `the workers to start: ${both.err()}\n${half.err()}`);
      submitter = spawnDolphin(['batch', a, b, ...configs, '--no-cache', '--distributed', ...HZ, '--chunk', '1', '--workers', '1', '--out', out]);
      expect(await submitter.exited, submitter.err()).toBe(0);
      expect(submitter.err()).toMatch(/backtesting: 100% 4\/4 backtests .*workers 1/);
      expect(sortByKey(lines(out))).toEqual(sortByKey(lines(join(root, 'batch-local'))));
      expect(readFileSync(join(out, 'sweep.md'), 'utf8')).toMatch(/# Batch of 4 backtests/);
      // chunks never span folders: 2 folders x 2 configs in chunks of 1 are 4 chunks, all run by `both`
      expect((both.err().match(/chunk \d+ done/g) ?? []).length).toBe(4);
      await waitFor(() => /refusing job \w+: its dataset fingerprint is \w+/.test(half.err()), 10_000, `the refusal: ${half.err()}`);
      const fpB = (both.err().match(/data (\w+) \(\d+ scans, [^)]*\/b\)/) ?? [])[1];
      expect(fpB, both.err()).toBeDefined();
      expect(half.err()).toContain(`its dataset fingerprint is ${fpB}`);
      const list = JSON.parse(dolphin(['jobs', 'list', ...HZ, '--json']).stdout) as { jobs: { kind: string; state: string; datasets: string[] }[] };
      expect(list.jobs.find((j) => j.kind === 'batch')).toMatchObject({ state: 'done', datasets: [expect.any(String), fpB] });
    } finally {
      for (const p of [both, half, submitter]) if (p && p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill('SIGKILL');
    }
  });
});
