/** Strategy configuration: defaults of STRATEGY.md 9, validation that reports every problem, freezing. */
import { ConfigError } from './errors.js';
import { WINDOWS } from './scan.js';

/** Where vel_div comes from (STRATEGY.md 2). */
export type VelDivSource = 'auto' | 'column' | 'derived';

/** A fully resolved, frozen strategy config. `volThreshold` may still be "auto" until calibrated. */
export interface StrategyConfig {
  readonly velDivThreshold: number;
  readonly velDivSource: VelDivSource;
  readonly velDivPair: readonly [number, number];
  readonly warmupBars: number;
  readonly volThreshold: number | 'auto';
  readonly volWindow: number;
  readonly volAsset: string;
  readonly calibrationDays: number;
  readonly alignWindow: number;
  readonly minAlignment: number;
  readonly excludeAssets: readonly string[];
  readonly closeAtEnd: boolean;
  readonly leverage: number;
  readonly maxLeverage: number;
  readonly maxOpenPositions: number;
  readonly takeProfitPct: number;
  readonly stopLossPct: number | null;
  readonly liqStopPct: number;
  readonly maxHoldBars: number;
  readonly slippageBps: number;
  readonly entryLiquidity: 'taker' | 'maker';
  readonly takerFee: number;
  readonly makerFee: number;
  readonly initialCapital: number;
  readonly acbCuts: readonly number[];
}

/** A config whose volThreshold is a number: what the engine runs with. */
export type EngineConfig = StrategyConfig & { readonly volThreshold: number };

/** STRATEGY.md section 9 defaults. */
export const DEFAULT_CONFIG: StrategyConfig = Object.freeze({
  velDivThreshold: -0.02,
  velDivSource: 'auto',
  velDivPair: Object.freeze([50, 750]) as readonly [number, number],
  warmupBars: 100,
  volThreshold: 'auto',
  volWindow: 50,
  volAsset: 'BTCUSDT',
  calibrationDays: 2,
  alignWindow: 50,
  minAlignment: 0.45,
  excludeAssets: Object.freeze([]) as readonly string[],
  closeAtEnd: true,
  leverage: 4,
  maxLeverage: 9,
  maxOpenPositions: 1,
  takeProfitPct: 0.01,
  stopLossPct: null,
  liqStopPct: 0.95 / 9,
  maxHoldBars: 250,
  slippageBps: 1,
  entryLiquidity: 'taker',
  takerFee: 0.0005,
  makerFee: 0.0002,
  initialCapital: 25000,
  acbCuts: Object.freeze([0, 0.15, 0.45, 0.55, 0.75, 0.8]),
}) as StrategyConfig;

/** The config keys in their canonical order. */
export const CONFIG_KEYS = Object.keys(DEFAULT_CONFIG) as (keyof StrategyConfig)[];

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v));
const isFiniteNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isInt = (v: unknown): v is number => isFiniteNum(v) && Number.isInteger(v);

/**
 * Merges user overrides onto the defaults, validates everything and returns a frozen config.
 * Throws ConfigError listing every problem at once (unknown keys included).
 */
export function resolveConfig(...layers: ReadonlyArray<Readonly<Record<string, unknown>> | undefined>): StrategyConfig {
  const problems: string[] = [];
  const merged: Record<string, unknown> = { ...DEFAULT_CONFIG };
  for (const layer of layers) {
    if (!layer) continue;
    for (const [k, v] of Object.entries(layer)) {
      // Own keys only: `in` would accept inherited names such as "toString" or "__proto__".
      if (!Object.prototype.hasOwnProperty.call(DEFAULT_CONFIG, k)) {
        problems.push(`unknown config key "${k}" (valid keys: ${CONFIG_KEYS.join(', ')})`);
        continue;
      }
      merged[k] = v;
    }
  }
  const c = merged;
  const needFinite = (k: string): void => {
    if (!isFiniteNum(c[k])) problems.push(`${k} must be a finite number, was ${show(c[k])}`);
  };
  const needWindow = (k: string): void => {
    if (!isInt(c[k]) || (c[k] as number) < 2) problems.push(`${k} must be an integer >= 2, was ${show(c[k])}`);
  };
  const needNonNeg = (k: string): void => {
    if (!isFiniteNum(c[k]) || (c[k] as number) < 0) problems.push(`${k} must be a number >= 0, was ${show(c[k])}`);
  };
  needFinite('velDivThreshold');
  needFinite('minAlignment');
  if (!['auto', 'column', 'derived'].includes(c.velDivSource as string)) {
    problems.push(`velDivSource must be "auto", "column" or "derived", was ${show(c.velDivSource)}`);
  }
  const pair = c.velDivPair;
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((w) => (WINDOWS as readonly number[]).includes(w as number))) {
    problems.push(`velDivPair must be two of the windows ${WINDOWS.join(', ')}, e.g. [50, 750], was ${show(pair)}`);
  }
  if (!isInt(c.warmupBars) || (c.warmupBars as number) < 0) problems.push(`warmupBars must be an integer >= 0, was ${show(c.warmupBars)}`);
  if (c.volThreshold !== 'auto' && !isFiniteNum(c.volThreshold)) {
    problems.push(`volThreshold must be a finite number or "auto", was ${show(c.volThreshold)}`);
  }
  needWindow('volWindow');
  needWindow('alignWindow');
  if (typeof c.volAsset !== 'string' || c.volAsset === '') problems.push(`volAsset must be a symbol such as "BTCUSDT", was ${show(c.volAsset)}`);
  if (!isInt(c.calibrationDays) || (c.calibrationDays as number) < 1) problems.push(`calibrationDays must be an integer >= 1, was ${show(c.calibrationDays)}`);
  if (!Array.isArray(c.excludeAssets) || !c.excludeAssets.every((a) => typeof a === 'string')) {
    problems.push(`excludeAssets must be an array of symbols, was ${show(c.excludeAssets)}`);
  }
  if (typeof c.closeAtEnd !== 'boolean') problems.push(`closeAtEnd must be true or false, was ${show(c.closeAtEnd)}`);
  if (!isFiniteNum(c.maxLeverage) || (c.maxLeverage as number) <= 0) problems.push(`maxLeverage must be a number > 0, was ${show(c.maxLeverage)}`);
  if (!isFiniteNum(c.leverage) || (c.leverage as number) <= 0 || (isFiniteNum(c.maxLeverage) && (c.leverage as number) > (c.maxLeverage as number))) {
    problems.push(`leverage must be in (0, maxLeverage = ${show(c.maxLeverage)}], was ${show(c.leverage)}`);
  }
  if (!isInt(c.maxOpenPositions) || (c.maxOpenPositions as number) < 1) problems.push(`maxOpenPositions must be an integer >= 1, was ${show(c.maxOpenPositions)}`);
  if (!isFiniteNum(c.takeProfitPct) || (c.takeProfitPct as number) <= 0) problems.push(`takeProfitPct must be a number > 0, was ${show(c.takeProfitPct)}`);
  if (c.stopLossPct !== null && (!isFiniteNum(c.stopLossPct) || (c.stopLossPct as number) <= 0)) {
    problems.push(`stopLossPct must be null or a number > 0, was ${show(c.stopLossPct)}`);
  }
  if (!isFiniteNum(c.liqStopPct) || (c.liqStopPct as number) <= 0 || (c.liqStopPct as number) >= 1) {
    problems.push(`liqStopPct must be in (0, 1), was ${show(c.liqStopPct)}`);
  }
  if (!isInt(c.maxHoldBars) || (c.maxHoldBars as number) < 1) problems.push(`maxHoldBars must be an integer >= 1, was ${show(c.maxHoldBars)}`);
  needNonNeg('slippageBps');
  needNonNeg('takerFee');
  needNonNeg('makerFee');
  if (c.entryLiquidity !== 'taker' && c.entryLiquidity !== 'maker') problems.push(`entryLiquidity must be "taker" or "maker", was ${show(c.entryLiquidity)}`);
  if (!isFiniteNum(c.initialCapital) || (c.initialCapital as number) <= 0) problems.push(`initialCapital must be a number > 0, was ${show(c.initialCapital)}`);
  const cuts = c.acbCuts;
  if (!Array.isArray(cuts) || cuts.length !== 6 || !cuts.every((x) => isFiniteNum(x) && x >= 0 && x <= 1)) {
    problems.push(`acbCuts must be six numbers in [0, 1], was ${show(cuts)}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    ...(c as unknown as StrategyConfig),
    velDivPair: Object.freeze([...(pair as number[])]) as unknown as readonly [number, number],
    excludeAssets: Object.freeze([...(c.excludeAssets as string[])]),
    acbCuts: Object.freeze([...(cuts as number[])]),
  });
}

/** Returns the config with a numeric volThreshold (after calibration), frozen. */
export function withVolThreshold(config: StrategyConfig, volThreshold: number): EngineConfig {
  return Object.freeze({ ...config, volThreshold }) as EngineConfig;
}

/** Canonical JSON of a config: keys in CONFIG_KEYS order (used for hashing and reports). */
export function canonicalConfigJson(config: StrategyConfig): string {
  const o: Record<string, unknown> = {};
  for (const k of CONFIG_KEYS) o[k] = config[k];
  return JSON.stringify(o);
}

/** Parses one `--set key=value`: the value as JSON when it is valid JSON, else as a string. */
export function parseSetting(text: string): [string, unknown] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new ConfigError([`--set expects key=value, got ${JSON.stringify(text)}`]);
  const key = text.slice(0, eq).trim();
  const raw = text.slice(eq + 1);
  try {
    return [key, JSON.parse(raw)];
  } catch {
    return [key, raw];
  }
}
