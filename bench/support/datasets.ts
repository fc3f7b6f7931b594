/**
 * Bench datasets, generated once and cached on disk under .bench-data/ (or $DOLPHIN_BENCH_DATA):
 * a month of 50 assets in daily layout, day subsets of it (hard links), the month as date folders for
 * the day cache, and one day in the scanner layout (a file per scan). Generation is never timed.
 */
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ScanRecord } from '../../src/core/scan.js';
import { decodeScans, encodeScans } from '../../src/feeds/replay/arrow-scan.codec.js';
import { batchRow } from '../../src/feeds/replay/scan-batch.js';
import { writeDataset, type Layout } from '../../src/generator/write-dataset.js';

/** The generated market every case uses (same options, byte-identical files). */
export const MARKET = Object.freeze({ seed: 7, assets: 50, startDay: '2026-01-05' });
/** Days of the full month dataset. */
export const MONTH_DAYS = 30;
/** Scans per day at the 5 s cadence. */
export const SCANS_PER_DAY = 17_280;

/** Repository root (this file runs from dist/bench/support/). */
export function repoRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return resolve(here, here.includes(`${join('dist', 'bench')}`) ? '../../..' : '../..');
}

/** Root of the cached datasets. */
export function dataRoot(): string {
  return process.env.DOLPHIN_BENCH_DATA ? resolve(process.env.DOLPHIN_BENCH_DATA) : join(repoRoot(), '.bench-data');
}

type Log = (message: string) => void;

/** Writes a dataset into `dir` unless `dir/.complete.json` says it is there with these options. */
function ensure(dir: string, spec: Record<string, unknown>, build: (tmp: string) => void, log: Log): string {
  const marker = join(dir, '.complete.json');
  const want = JSON.stringify(spec);
  if (existsSync(marker) && readFileSync(marker, 'utf8') === want) return dir;
  rmSync(dir, { recursive: true, force: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const t0 = performance.now();
  build(tmp);
  writeFileSync(join(tmp, '.complete.json'), want);
  // A finished dataset appears under its final name only when complete (killed runs leave a .tmp dir).
  mkdirSync(dirname(dir), { recursive: true });
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  log(`  prepared ${dir} in ${((performance.now() - t0) / 1000).toFixed(1)} s (cached for later runs)`);
  return dir;
}

function generate(out: string, days: number, layout: Layout, log: Log): void {
  let last = 0;
  writeDataset({
    out,
    days,
    layout,
    ...MARKET,
    onProgress: (n) => {
      if (n - last >= 100_000) {
        last = n;
        log(`    generating ${layout} layout: ${n.toLocaleString('en-US')} / ${(days * SCANS_PER_DAY).toLocaleString('en-US')} scans`);
      }
    },
  });
}

/** The month (MONTH_DAYS days) in daily layout: one Arrow file per day plus external_factors/. */
export function monthDaily(log: Log): string {
  const dir = join(dataRoot(), `daily-${MONTH_DAYS}d`);
  return ensure(dir, { ...MARKET, days: MONTH_DAYS, layout: 'daily' }, (tmp) => {
    log(`  generating ${MONTH_DAYS} days x ${MARKET.assets} assets in daily layout (once, about 2 minutes)...`);
    generate(tmp, MONTH_DAYS, 'daily', log);
  }, log);
}

/** Day files of a daily-layout dir (sorted) and its factor files. */
function dayFiles(dir: string): { days: string[]; factors: string[] } {
  const days = readdirSync(dir).filter((f) => /^\d{4}-\d{2}-\d{2}\.arrow$/.test(f)).sort();
  const fdir = join(dir, 'external_factors');
  const factors = existsSync(fdir) ? readdirSync(fdir).filter((f) => f.endsWith('.json')).sort() : [];
  return { days, factors };
}

/** The first `days` days of the month in daily layout (hard links into the month; nothing regenerated). */
export function dailySubset(days: number, log: Log): string {
  if (days === MONTH_DAYS) return monthDaily(log);
  const month = monthDaily(log);
  const dir = join(dataRoot(), `daily-${days}d`);
  return ensure(dir, { ...MARKET, days, layout: 'daily', from: 'month' }, (tmp) => {
    const { days: files, factors } = dayFiles(month);
    mkdirSync(join(tmp, 'external_factors'), { recursive: true });
    const keep = files.slice(0, days);
    for (const f of keep) linkSync(join(month, f), join(tmp, f));
    const dates = new Set(keep.map((f) => f.slice(0, 10)));
    for (const f of factors) if (dates.has(f.slice(0, 10))) linkSync(join(month, 'external_factors', f), join(tmp, 'external_factors', f));
  }, log);
}

/**
 * The first `days` days as date folders holding their daily file (YYYY-MM-DD/YYYY-MM-DD.arrow): the
 * day cache caches date folders only, so this is how a daily-layout month goes through the cache.
 */
export function dateFolders(days: number, log: Log): string {
  const src = dailySubset(days, log);
  const dir = join(dataRoot(), `folders-${days}d`);
  return ensure(dir, { ...MARKET, days, layout: 'date-folders' }, (tmp) => {
    const { days: files, factors } = dayFiles(src);
    mkdirSync(join(tmp, 'external_factors'), { recursive: true });
    for (const f of files) {
      mkdirSync(join(tmp, f.slice(0, 10)));
      linkSync(join(src, f), join(tmp, f.slice(0, 10), f));
    }
    for (const f of factors) linkSync(join(src, 'external_factors', f), join(tmp, 'external_factors', f));
  }, log);
}

/** Days of the year dataset. */
export const YEAR_DAYS = 365;

/**
 * A year in daily layout (YEAR_DAYS files, 6.3 M scans): the generated month tiled, each copy's
 * timestamps shifted by a whole number of months (30 days) and its files re-encoded under their new
 * dates, factor files renamed alike. Generating a year directly would take about 20 minutes; tiling takes
 * a few. Prices repeat every 30 days, which the replay does not care about.
 */
export function yearDaily(log: Log): string {
  const month = monthDaily(log);
  const dir = join(dataRoot(), `daily-${YEAR_DAYS}d`);
  return ensure(dir, { ...MARKET, days: YEAR_DAYS, layout: 'daily', from: 'month tiled' }, (tmp) => {
    log(`  tiling the month into ${YEAR_DAYS} days in daily layout (once, a few minutes)...`);
    const { days: files, factors } = dayFiles(month);
    mkdirSync(join(tmp, 'external_factors'), { recursive: true });
    const day0 = Date.parse(`${files[0].slice(0, 10)}T00:00:00Z`);
    const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
    for (let d = 0; d < YEAR_DAYS; d++) {
      const src = files[d % files.length];
      const shiftDays = d - (d % files.length);
      const shiftNs = BigInt(shiftDays) * 86_400_000_000_000n;
      const date = iso(day0 + d * 86_400_000);
      const batch = decodeScans(readFileSync(join(month, src)), src);
      const records: ScanRecord[] = [];
      for (let r = 0; r < batch.n; r++) {
        const rec = batchRow(batch, r);
        records.push({ ...rec, timestampNs: rec.timestampNs + shiftNs, timestampIso: new Date(Number((rec.timestampNs + shiftNs) / 1_000_000n)).toISOString() });
      }
      writeFileSync(join(tmp, `${date}.arrow`), encodeScans(records, { dictionary: true }));
      const f = factors.find((x) => x.startsWith(src.slice(0, 10)));
      if (f) writeFileSync(join(tmp, 'external_factors', `${date}.json`), readFileSync(join(month, 'external_factors', f)));
      if ((d + 1) % 30 === 0) log(`    ${d + 1} / ${YEAR_DAYS} days`);
    }
  }, log);
}

/** One day in the scanner layout: a date folder of SCANS_PER_DAY one-scan files. */
export function scannerDay(log: Log): string {
  const dir = join(dataRoot(), 'scanner-1d');
  return ensure(dir, { ...MARKET, days: 1, layout: 'scanner' }, (tmp) => {
    log(`  generating 1 day in scanner layout (${SCANS_PER_DAY.toLocaleString('en-US')} files, once)...`);
    generate(tmp, 1, 'scanner', log);
  }, log);
}

/** A fresh, empty folder under the data root (cache roots, sweep output); removed by the caller. */
export function scratchDir(name: string): string {
  const dir = join(dataRoot(), 'scratch', `${name}-${process.pid}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}
