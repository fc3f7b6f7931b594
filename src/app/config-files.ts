/** Reading user config: a JSON file, --set flags, and the config a journal folder carries. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSetting, resolveConfig, type StrategyConfig } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import { requireRegularFile } from '../feeds/fs/path-checks.js';
import { DIR_CONFIG_FILE } from '../feeds/replay/scan-directory.js';

/** Reads a JSON config file as a layer; throws ConfigError naming the file. */
export function readConfigFile(path: string): Record<string, unknown> {
  // a FIFO, device or kernel file would block the read forever
  requireRegularFile(path, 'config file', (m) => new ConfigError([m]));
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError([`cannot read config file ${path}: ${(e as Error).message}`]);
  }
  try {
    const obj: unknown = JSON.parse(text);
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new Error('expected a JSON object of config keys');
    return obj as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError([`config file ${path} is not valid: ${(e as Error).message}`]);
  }
}

/** Where a resolved config came from. */
export interface ConfigSources {
  /** --config FILE, if given. */
  readonly file?: string;
  /** --set key=value flags, in order. */
  readonly sets?: readonly string[];
  /** A data folder whose dolphin.config.json is the base when no --config is given. */
  readonly dataDir?: string;
}

/** Resolves defaults + (folder config | --config) + --set into a frozen config. */
export function loadConfig(src: ConfigSources): { config: StrategyConfig; from: string[] } {
  const layers: Record<string, unknown>[] = [];
  const from: string[] = ['defaults'];
  if (src.file) {
    layers.push(readConfigFile(src.file));
    from.push(src.file);
  } else if (src.dataDir && existsSync(join(src.dataDir, DIR_CONFIG_FILE))) {
    const p = join(src.dataDir, DIR_CONFIG_FILE);
    layers.push(readConfigFile(p));
    from.push(p);
  }
  if (src.sets?.length) {
    const problems: string[] = [];
    const layer: Record<string, unknown> = {};
    for (const s of src.sets) {
      try {
        const [k, v] = parseSetting(s);
        layer[k] = v;
      } catch (e) {
        problems.push(...(e as ConfigError).problems);
      }
    }
    if (problems.length) throw new ConfigError(problems);
    layers.push(layer);
    from.push('--set');
  }
  return { config: resolveConfig(...layers), from };
}
