#!/usr/bin/env node
// npm run demo: generates the sample dataset on first use (deterministic), then backtests it.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
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
