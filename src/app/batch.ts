/**
 * A batch of plain backtests: every config file over every data folder, one result line each in
 * sweep.ndjson (the sweep's line, its "overrides" naming the data folder and the config), run here on the
 * pool or as one distributed job. A line's key depends on the dataset's content and the resolved config,
 * so it is the same on every machine and a batch resumes like a sweep.
 */
import { createHash } from 'node:crypto';
import { canonicalConfigJson, type StrategyConfig } from '../core/config.js';
import type { SweepItem } from '../workers/sweep.task.js';
import type { ReplayData } from './replay-input.js';
import { runSweep, type SweepOptions } from './sweep.js';

/** One backtest of a batch: a resolved config over dataset number `part`, and where the config came from. */
export interface BatchRun {
  readonly part: number;
  /** The config file (or "defaults", or the data folder's own config file). */
  readonly label: string;
  readonly config: StrategyConfig;
}

/** A parameter set of a job on one of its datasets (`part`: its index; a sweep has only part 0). */
export interface JobItem extends SweepItem {
  readonly part: number;
}

/** What a batch needs to know of a dataset: its content hash and its folder (for the result lines). */
export interface BatchDataset {
  readonly hash: string;
  readonly dir: string;
}

/** Key of a run: the dataset's content and the resolved config (16 hex digits, like a sweep key). */
export function batchKey(datasetHash: string, config: StrategyConfig): string {
  return createHash('sha256').update(`${datasetHash}\n${canonicalConfigJson(config)}`).digest('hex').slice(0, 16);
}

/**
 * The batch's items in order, keyed by batchKey, with overrides `{data, config}` naming the folder and the
 * config; a run equal to an earlier one (same data content, same resolved config) is kept once.
 */
export function batchItems(datasets: readonly BatchDataset[], runs: readonly BatchRun[]): { items: JobItem[]; overrides: Map<string, Record<string, unknown>> } {
  const items: JobItem[] = [];
  const overrides = new Map<string, Record<string, unknown>>();
  for (const r of runs) {
    const key = batchKey(datasets[r.part].hash, r.config);
    if (overrides.has(key)) continue;
    overrides.set(key, { data: datasets[r.part].dir, config: r.label });
    items.push({ key, config: r.config, part: r.part });
  }
  return { items, overrides };
}

/** Options of runBatch: a sweep's, with a dataset per part. */
export interface BatchOptions extends Omit<SweepOptions, 'replay' | 'items'> {
  readonly replays: readonly ReplayData[];
  readonly items: readonly JobItem[];
}

/** Runs the batch here, dataset by dataset, through the local sweep (resumable the same way). */
export async function runBatch(o: BatchOptions): Promise<{ ran: number; skipped: number }> {
  let ran = 0;
  let skipped = 0;
  let before = 0;
  for (let part = 0; part < o.replays.length; part++) {
    const items = o.items.filter((i) => i.part === part);
    if (items.length === 0) continue;
    const r = await runSweep({ ...o, replay: o.replays[part], items, onProgress: (d) => o.onProgress?.(before + d, o.items.length) });
    ran += r.ran;
    skipped += r.skipped;
    before += items.length;
  }
  return { ran, skipped };
}
