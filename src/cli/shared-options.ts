/** Options shared by the commands that take a strategy config. */
import type { Argv } from 'yargs';

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
