/** Options shared by several commands: the strategy config, the Hazelcast cluster, ranked runs. */
import type { Argv } from 'yargs';
import { DEFAULT_HZ_ADDRESS, DEFAULT_HZ_CLUSTER } from '../feeds/live/hazelcast-connection.js';
import { defaultCacheRoot } from '../feeds/replay/day-cache.js';
import { defaultWorkers } from '../workers/pool.js';
import { FLAG_BOUNDS } from './flag-bounds.js';

/** --config and --set. */
export interface ConfigArgs {
  config?: string;
  set?: string[];
}

/** Adds --config FILE and --set key=value (repeatable). */
export function configOptions<T>(y: Argv<T>): Argv<T & ConfigArgs> {
  return y
    .option('config', { type: 'string', describe: 'strategy config JSON file (keys of docs/strategy.md); a journal folder\'s dolphin.config.json is used when omitted' })
    .option('set', { type: 'string', array: true, describe: 'override one key: key=value, value parsed as JSON when valid (e.g. --set velDivPair=[50,150])' }) as Argv<T & ConfigArgs>;
}

/** --hz and --cluster. */
export interface ClusterArgs {
  hz: string;
  cluster: string;
}

/** Adds --hz host:port and --cluster NAME with their defaults (commands that always talk to the cluster). */
export function clusterOptions<T>(y: Argv<T>): Argv<T & ClusterArgs> {
  return y
    .option('hz', { type: 'string', default: DEFAULT_HZ_ADDRESS, describe: 'Hazelcast member host:port' })
    .option('cluster', { type: 'string', default: DEFAULT_HZ_CLUSTER, describe: 'Hazelcast cluster name' }) as Argv<T & ClusterArgs>;
}

/** Metrics sweep.md can be ranked by. */
export const RANKABLE = ['roi', 'finalEquity', 'sharpe', 'sortino', 'calmar', 'cagr', 'profitFactor', 'winRate', 'expectancy', 'trades'];

/** Flags of the commands writing a ranked sweep.ndjson/sweep.md (sweep, batch). */
export interface RankedRunArgs {
  out?: string;
  workers: number;
  rank: string;
  top: number;
  cache: string;
  chunk: number;
  json: boolean;
  quiet: boolean;
}

/** Adds --out, --workers, --rank, --top, --chunk, --cache, --json and --quiet; `what` names a run in the help (e.g. "parameter sets"). */
export function rankedRunOptions<T>(a: Argv<T>, o: { what: string; outPrefix: string; json: string }): Argv<T & RankedRunArgs> {
  return a
    .option('out', { type: 'string', describe: `output folder (default ./runs/${o.outPrefix}<UTC timestamp>); an existing one is resumed` })
    .option('workers', { type: 'number', default: defaultWorkers(), describe: `worker threads (0 = main thread; at most ${FLAG_BOUNDS.workers.max})` })
    .option('rank', { type: 'string', default: 'roi', choices: RANKABLE, describe: 'metric ranking sweep.md (higher is better)' })
    .option('top', { type: 'number', default: 20, describe: 'rows in sweep.md' })
    .option('chunk', { type: 'number', default: 1, describe: `${o.what} per pool task (per work item with --distributed)` })
    .option('cache', { type: 'string', default: defaultCacheRoot(), describe: 'day cache folder (--no-cache to bypass)' })
    .option('json', { type: 'boolean', default: false, describe: `print ${o.json} as JSON` })
    .option('quiet', { type: 'boolean', default: false, describe: 'no progress output' }) as Argv<T & RankedRunArgs>;
}
