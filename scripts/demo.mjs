#!/usr/bin/env node
// npm run demo: generates the sample dataset on first use (deterministic), backtests it, then runs a short
// walk-forward sweep on it (2 rolling folds of 1 training + 1 test day) and prints the pages it wrote.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SAMPLE = 'data/sample';
// The exact command recorded in data/README.md; same arguments give byte-identical files.
const GENERATE = ['generate', '--out', SAMPLE, '--days', '3', '--seed', '42', '--start', '2026-01-05', '--layout', 'daily', '--restart', '--gap', '--missing-price'];
const cli = join('dist', 'src', 'cli', 'main.js');
const run = (args) => {
  const r = spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
const marker = join(SAMPLE, '.complete');
if (!existsSync(marker)) {
  console.error(`demo: generating the sample dataset into ${SAMPLE} (first run only): dolphin ${GENERATE.join(' ')}`);
  run(GENERATE);
  writeFileSync(marker, `${GENERATE.join(' ')}\n`);
}
run(['backtest', SAMPLE, '--out', 'runs/demo', ...process.argv.slice(2)]);
const quiet = process.argv.includes('--quiet') ? ['--quiet'] : [];
// a fresh folder each time: an existing sweep.ndjson would be resumed, not rerun
rmSync('runs/demo-walk-forward', { recursive: true, force: true });
console.error('demo: walk-forward over the sample (chosen on each training day, run on the next day)');
run(['sweep', SAMPLE, '--grid', 'takeProfitPct=0.005,0.01,0.02', '--grid', 'velDivThreshold=-0.02,-0.05', '--walk-forward', '2', '--rolling', '--train-days', '1', '--partitions', '8', '--out', 'runs/demo-walk-forward', ...quiet]);
