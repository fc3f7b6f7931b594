/** Options shared by several commands: the strategy config, the Hazelcast cluster. */
import type { Argv } from 'yargs';
import { DEFAULT_HZ_ADDRESS, DEFAULT_HZ_CLUSTER } from '../feeds/live/hazelcast-connection.js';

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
