/** Strategy configuration: defaults of STRATEGY.md 9, validation that reports every problem, freezing. */
import { ConfigError } from './errors.js';
import { MAX_ASSETS_PER_SCAN, symbolProblem } from './scan-limits.js';
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

/** A closed or open numeric interval: what a numeric config key (or flag) may hold. */
export interface NumericBounds {
  readonly min: number;
  readonly max: number;
  /** The lower end is excluded: (min, ... */
  readonly minOpen?: boolean;
  /** The upper end is excluded: ..., max) */
  readonly maxOpen?: boolean;
  readonly integer?: boolean;
}

/** Most symbols `excludeAssets` may list. */
export const MAX_EXCLUDED_ASSETS = 10_000;

/**
 * Documented bounds of every numeric config key (docs/strategy.md, "Config bounds"): the lower ends are
 * STRATEGY.md 9's, the upper ends are far beyond any real run and only stop typos and absurd values
 * (a 1e6 bps slippage gives negative fills, a 1e308 leverage NaN equity). `leverage` is also at most
 * `maxLeverage`; `volThreshold` may be "auto" and `stopLossPct` null.
 */
export const CONFIG_BOUNDS = Object.freeze({
  velDivThreshold: { min: -1000, max: 1000 },
  warmupBars: { min: 0, max: 1_000_000, integer: true },
  volThreshold: { min: 0, max: 1 },
  volWindow: { min: 2, max: 100_000, integer: true },
  calibrationDays: { min: 1, max: 3650, integer: true },
  alignWindow: { min: 2, max: 100_000, integer: true },
  minAlignment: { min: -1, max: 1 },
  leverage: { min: 0, minOpen: true, max: 100 },
  maxLeverage: { min: 0, minOpen: true, max: 100 },
  maxOpenPositions: { min: 1, max: MAX_ASSETS_PER_SCAN, integer: true },
  takeProfitPct: { min: 0, minOpen: true, max: 1 },
  stopLossPct: { min: 0, minOpen: true, max: 1, maxOpen: true },
  liqStopPct: { min: 0, minOpen: true, max: 1, maxOpen: true },
  maxHoldBars: { min: 1, max: 10_000_000, integer: true },
  slippageBps: { min: 0, max: 1000 },
  takerFee: { min: 0, max: 0.1, maxOpen: true },
  makerFee: { min: 0, max: 0.1, maxOpen: true },
  initialCapital: { min: 0, minOpen: true, max: 1e12 },
} satisfies Partial<Record<keyof StrategyConfig, NumericBounds>>);

/** A bound as written in messages and docs: round numbers from 1e6 on in exponent form (1e6, 3.6e6). */
function boundNum(n: number): string {
  const e = n.toExponential().replace('+', '');
  return Math.abs(n) >= 1e6 && e.length <= 6 ? e : String(n);
}

/** The interval in math notation, e.g. `(0, 1]` or `[0, 1e6]`. */
export function boundsText(b: NumericBounds): string {
  return `${b.minOpen ? '(' : '['}${boundNum(b.min)}, ${boundNum(b.max)}${b.maxOpen ? ')' : ']'}`;
}

/** True when `v` is a finite number inside `b` (an integer when `b.integer`). */
export function inBounds(v: unknown, b: NumericBounds): v is number {
  if (typeof v !== 'number' || !Number.isFinite(v)) return false;
  if (b.integer && !Number.isInteger(v)) return false;
  return (b.minOpen ? v > b.min : v >= b.min) && (b.maxOpen ? v < b.max : v <= b.max);
}

/** "an integer in [2, 100000]" / "a number in (0, 1)". */
export function boundsPhrase(b: NumericBounds): string {
  return `${b.integer ? 'an integer' : 'a number'} in ${boundsText(b)}`;
}

const show = (v: unknown): string => (typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v));
const isFiniteNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Why `list` is not a valid excludeAssets value, or null. */
function excludeAssetsProblem(list: unknown): string | null {
  if (!Array.isArray(list) || !list.every((a) => typeof a === 'string')) return `excludeAssets must be an array of symbols, was ${show(list)}`;
  if (list.length > MAX_EXCLUDED_ASSETS) return `excludeAssets must list at most ${MAX_EXCLUDED_ASSETS} symbols, was ${list.length}`;
  const bad = list.map((a) => symbolProblem(a as string)).filter((p): p is string => p !== null);
  if (bad.length === 0) return null;
  return `excludeAssets must hold plain symbols: ${bad.slice(0, 3).join('; ')}${bad.length > 3 ? ` (and ${bad.length - 3} more)` : ''}`;
}

/**
 * Merges user overrides onto the defaults, validates everything and returns a frozen config.
 * Throws ConfigError listing every problem at once (unknown keys and out-of-bounds values included),
 * each naming the key, its bounds and the value found.
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
  const need = (k: keyof typeof CONFIG_BOUNDS, alternative = ''): void => {
    const b: NumericBounds = CONFIG_BOUNDS[k];
    if (!inBounds(c[k], b)) problems.push(`${k} must be ${alternative}${boundsPhrase(b)}, was ${show(c[k])}`);
  };
  need('velDivThreshold');
  need('minAlignment');
  if (!['auto', 'column', 'derived'].includes(c.velDivSource as string)) {
    problems.push(`velDivSource must be "auto", "column" or "derived", was ${show(c.velDivSource)}`);
  }
  const pair = c.velDivPair;
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((w) => (WINDOWS as readonly number[]).includes(w as number))) {
    problems.push(`velDivPair must be two of the windows ${WINDOWS.join(', ')}, e.g. [50, 750], was ${show(pair)}`);
  }
  need('warmupBars');
  if (c.volThreshold !== 'auto') need('volThreshold', '"auto" or ');
  need('volWindow');
  need('alignWindow');
  const volAssetProblem = typeof c.volAsset === 'string' ? symbolProblem(c.volAsset) : 'not a string';
  if (volAssetProblem !== null) problems.push(`volAsset must be a symbol such as "BTCUSDT" (${volAssetProblem}), was ${show(c.volAsset)}`);
  need('calibrationDays');
  const excluded = excludeAssetsProblem(c.excludeAssets);
  if (excluded !== null) problems.push(excluded);
  if (typeof c.closeAtEnd !== 'boolean') problems.push(`closeAtEnd must be true or false, was ${show(c.closeAtEnd)}`);
  need('maxLeverage');
  const maxLev = inBounds(c.maxLeverage, CONFIG_BOUNDS.maxLeverage) ? c.maxLeverage : undefined;
  if (!inBounds(c.leverage, CONFIG_BOUNDS.leverage)) {
    problems.push(`leverage must be ${boundsPhrase(CONFIG_BOUNDS.leverage)} and at most maxLeverage${maxLev === undefined ? '' : ` = ${maxLev}`}, was ${show(c.leverage)}`);
  } else if (maxLev !== undefined && c.leverage > maxLev) {
    problems.push(`leverage must be in (0, maxLeverage = ${maxLev}], was ${show(c.leverage)}`);
  }
  need('maxOpenPositions');
  need('takeProfitPct');
  if (c.stopLossPct !== null) need('stopLossPct', 'null or ');
  need('liqStopPct');
  need('maxHoldBars');
  need('slippageBps');
  need('takerFee');
  need('makerFee');
  if (c.entryLiquidity !== 'taker' && c.entryLiquidity !== 'maker') problems.push(`entryLiquidity must be "taker" or "maker", was ${show(c.entryLiquidity)}`);
  need('initialCapital');
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
