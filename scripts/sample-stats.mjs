#!/usr/bin/env node
// Prints the statistics data/README.md records for a dataset and its backtest report.
// Usage: node scripts/sample-stats.mjs data/sample runs/demo/report.json   (after npm run build)
import { readFileSync } from 'node:fs';
import { loadScanDirectory } from '../dist/src/feeds/replay/load-scan-directory.js';
import { FeatureCalc } from '../dist/src/core/features.js';

const [dir, reportPath] = process.argv.slice(2);
const report = JSON.parse(readFileSync(reportPath, 'utf8'));
const replay = loadScanDirectory(dir);
const f = new FeatureCalc(replay.store, report.config);
let le = 0;
for (let t = 0; t < replay.store.n; t++) if (f.velDiv(t) <= -0.02) le++;
const cutDays = report.daily.filter((d) => d.acbCut > 0).map((d) => `${d.date} (${(d.acbCut * 100).toFixed(0)} %)`);
console.log(JSON.stringify({
  scans: replay.store.n,
  assets: replay.store.symbols.length,
  days: report.daily.map((d) => d.date),
  shareVelDivLeMinus002: +(le / replay.store.n).toFixed(4),
  volThreshold: report.calibration.volThreshold,
  acbCutDays: cutDays,
  exitReasons: Object.fromEntries(report.breakdowns.byReason.map((r) => [r.key, r.trades])),
  trades: report.metrics.trades,
  finalEquity: +report.metrics.finalEquity.toFixed(2),
  dataQuality: { gaps: report.dataQuality.gaps.length, scannerRestarts: report.dataQuality.scannerRestarts.length, invalidPrices: report.dataQuality.invalidPrices.count },
}, null, 2));
