/** STRATEGY.md 9: defaults, unknown keys, validation that reports every problem at once, --set parsing. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { CONFIG_BOUNDS, CONFIG_KEYS, DEFAULT_CONFIG, MAX_EXCLUDED_ASSETS, boundsText, parseSetting, resolveConfig, withVolThreshold, type NumericBounds } from '../../src/core/config.js';
import { ConfigError } from '../../src/core/errors.js';

function problemsOf(...layers: Record<string, unknown>[]): readonly string[] {
  try {
    resolveConfig(...layers);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).code).toBe('CONFIG_INVALID');
    return (e as ConfigError).problems;
  }
  return [];
}

describe('config defaults (section 9 table)', () => {
  const table: Record<string, unknown> = {
    velDivThreshold: -0.02,
    velDivSource: 'auto',
    velDivPair: [50, 750],
    warmupBars: 100,
    volThreshold: 'auto',
    volWindow: 50,
    volAsset: 'BTCUSDT',
    calibrationDays: 2,
    alignWindow: 50,
    minAlignment: 0.45,
    excludeAssets: [],
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
    acbCuts: [0, 0.15, 0.45, 0.55, 0.75, 0.8],
  };

  it('has exactly the keys of the table', () => {
    expect([...CONFIG_KEYS].sort()).toEqual(Object.keys(table).sort());
  });

  it.each(Object.entries(table))('%s defaults to %j', (key, value) => {
    expect((DEFAULT_CONFIG as unknown as Record<string, unknown>)[key]).toEqual(value);
    expect((resolveConfig() as unknown as Record<string, unknown>)[key]).toEqual(value);
  });

  it('liqStopPct is exactly 0.95 / 9', () => {
    expect(resolveConfig().liqStopPct).toBe(0.95 / 9);
  });

  it('the resolved config is frozen, arrays included, and later layers win', () => {
    const c = resolveConfig({ leverage: 2 }, { leverage: 3, excludeAssets: ['X'] });
    expect(c.leverage).toBe(3);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.acbCuts)).toBe(true);
    expect(Object.isFrozen(c.excludeAssets)).toBe(true);
    expect(Object.isFrozen(c.velDivPair)).toBe(true);
    expect(c.excludeAssets).toEqual(['X']);
  });

  it('withVolThreshold sets a number and keeps the rest', () => {
    const c = withVolThreshold(resolveConfig({ leverage: 2 }), 0.001);
    expect(c.volThreshold).toBe(0.001);
    expect(c.leverage).toBe(2);
    expect(Object.isFrozen(c)).toBe(true);
  });
});

describe('config validation', () => {
  it('rejects unknown keys, naming them', () => {
    const p = problemsOf({ levrage: 4 });
    expect(p).toHaveLength(1);
    expect(p[0]).toContain('levrage');
  });

  it.each(['toString', 'constructor', 'hasOwnProperty', '__proto__', 'valueOf'])('rejects the inherited name %s as an unknown key', (key) => {
    const layer = JSON.parse(`{"${key}": 1}`) as Record<string, unknown>;
    const p = problemsOf(layer);
    expect(p.length).toBe(1);
    expect(p[0]).toContain(key);
  });

  it('reports every problem at once', () => {
    const p = problemsOf({ bogus: 1, leverage: 0, volWindow: 1, takerFee: -1, acbCuts: [0, 1], liqStopPct: 1 });
    expect(p).toHaveLength(6);
    for (const word of ['bogus', 'leverage', 'volWindow', 'takerFee', 'acbCuts', 'liqStopPct']) {
      expect(p.some((x) => x.includes(word))).toBe(true);
    }
    try {
      resolveConfig({ bogus: 1, leverage: 0 });
    } catch (e) {
      expect((e as Error).message).toContain('bogus');
      expect((e as Error).message).toContain('leverage');
    }
  });

  const bad: [string, unknown][] = [
    ['velDivThreshold', NaN],
    ['velDivThreshold', Infinity],
    ['velDivThreshold', '-0.02'],
    ['minAlignment', NaN],
    ['volThreshold', NaN],
    ['volThreshold', 'p60'],
    ['volThreshold', null],
    ['leverage', 0],
    ['leverage', -1],
    ['leverage', 9.0001],
    ['leverage', NaN],
    ['maxLeverage', 0],
    ['volWindow', 1],
    ['volWindow', 2.5],
    ['volWindow', 0],
    ['alignWindow', 1],
    ['alignWindow', 50.5],
    ['takerFee', -0.0001],
    ['makerFee', -1e-9],
    ['slippageBps', -1],
    ['takeProfitPct', 0],
    ['takeProfitPct', -0.01],
    ['liqStopPct', 0],
    ['liqStopPct', 1],
    ['liqStopPct', 1.5],
    ['maxOpenPositions', 0],
    ['maxOpenPositions', 1.5],
    ['acbCuts', [0, 0.15, 0.45, 0.55, 0.75]],
    ['acbCuts', [0, 0.15, 0.45, 0.55, 0.75, 0.8, 0.9]],
    ['acbCuts', [0, 0.15, 0.45, 0.55, 0.75, 1.01]],
    ['acbCuts', [-0.01, 0.15, 0.45, 0.55, 0.75, 0.8]],
    ['acbCuts', [0, 0.15, 0.45, 0.55, 0.75, NaN]],
    ['velDivSource', 'column2'],
    ['velDivPair', [50, 100]],
    ['velDivPair', [50]],
    ['entryLiquidity', 'mid'],
    ['closeAtEnd', 'yes'],
    ['excludeAssets', 'BTCUSDT'],
    ['stopLossPct', -0.1],
    ['stopLossPct', 1],
    ['volAsset', ''],
    ['volAsset', 'BTC USDT'],
    ['volAsset', 'X'.repeat(65)],
    ['excludeAssets', ['ETHUSDT', 'bad\nsymbol']],
    ['excludeAssets', ['']],
  ];
  it.each(bad)('rejects %s = %j, naming the key', (key, value) => {
    const p = problemsOf({ [key]: value });
    expect(p.length).toBeGreaterThanOrEqual(1);
    expect(p.some((x) => x.includes(key))).toBe(true);
  });

  const good: [string, unknown][] = [
    ['leverage', 9],
    ['leverage', 0.001],
    ['volWindow', 2],
    ['alignWindow', 2],
    ['takerFee', 0],
    ['makerFee', 0],
    ['slippageBps', 0],
    ['takeProfitPct', 1e-9],
    ['liqStopPct', 0.999],
    ['liqStopPct', 1e-9],
    ['maxOpenPositions', 1],
    ['maxOpenPositions', 7],
    ['acbCuts', [0, 0, 0, 0, 0, 0]],
    ['acbCuts', [1, 1, 1, 1, 1, 1]],
    ['volThreshold', 0.0001],
    ['volThreshold', 'auto'],
    ['velDivSource', 'column'],
    ['velDivSource', 'derived'],
    ['velDivPair', [50, 150]],
    ['stopLossPct', 0.05],
    ['entryLiquidity', 'maker'],
  ];
  it.each(good)('accepts %s = %j', (key, value) => {
    expect(problemsOf({ [key]: value })).toEqual([]);
    expect((resolveConfig({ [key]: value }) as unknown as Record<string, unknown>)[key]).toEqual(value);
  });

  it('checks leverage against the configured maxLeverage', () => {
    expect(problemsOf({ leverage: 12, maxLeverage: 12 })).toEqual([]);
    const p = problemsOf({ leverage: 5, maxLeverage: 4 });
    expect(p).toHaveLength(1);
    expect(p[0]).toContain('leverage');
  });
});

describe('config bounds (docs/strategy.md, "Config bounds")', () => {
  // the examples: each was accepted silently and gave NaN equity, negative fills or a 1970 run
  it.each([
    ['slippageBps', 1e6, 'slippageBps must be a number in [0, 1000], was 1000000'],
    ['leverage', 1e308, 'leverage must be a number in (0, 100] and at most maxLeverage = 9, was 1e+308'],
    ['volThreshold', -1, 'volThreshold must be "auto" or a number in [0, 1], was -1'],
    ['minAlignment', 5, 'minAlignment must be a number in [-1, 1], was 5'],
    ['warmupBars', 1e9, 'warmupBars must be an integer in [0, 1e6], was 1000000000'],
    ['maxLeverage', 1e308, 'maxLeverage must be a number in (0, 100], was 1e+308'],
    ['takerFee', 0.1, 'takerFee must be a number in [0, 0.1), was 0.1'],
    ['initialCapital', 1e13, 'initialCapital must be a number in (0, 1e12], was 10000000000000'],
    ['calibrationDays', 3651, 'calibrationDays must be an integer in [1, 3650], was 3651'],
    ['velDivThreshold', -1e9, 'velDivThreshold must be a number in [-1000, 1000], was -1000000000'],
  ])('rejects %s = %d naming the key, its bounds and the value', (key, value, message) => {
    expect(problemsOf({ [key]: value })).toEqual([message]);
  });

  it('reports every out-of-range key at once', () => {
    const p = problemsOf({ slippageBps: 1e6, leverage: 1e308, volThreshold: -1, minAlignment: 5, warmupBars: 1e9 });
    expect(p).toHaveLength(5);
  });

  // each end of each interval: the end itself (accepted when closed) and a step beyond it (rejected)
  const ends: [string, number, boolean][] = [];
  for (const [key, b] of Object.entries(CONFIG_BOUNDS) as [string, NumericBounds][]) {
    const step = b.integer ? 1 : Math.max(1e-9, Math.abs(b.max - b.min) * 1e-9);
    ends.push([key, b.min, !b.minOpen], [key, b.min - step, false], [key, b.max, !b.maxOpen], [key, b.max + step, false]);
    if (b.integer) ends.push([key, b.min + 0.5, false]);
  }
  it.each(ends)('%s = %d accepted: %s', (key, value, ok) => {
    // leverage is also capped by maxLeverage: lift the cap to test leverage's own bounds
    const layer = key === 'leverage' ? { leverage: value, maxLeverage: 100 } : { [key]: value };
    const p = problemsOf(layer);
    if (ok) expect(p).toEqual([]);
    else expect(p.length === 1 && p[0].startsWith(`${key} must be`) && p[0].includes(boundsText((CONFIG_BOUNDS as Record<string, NumericBounds>)[key]))).toBe(true);
  });

  it('bounds the length of excludeAssets and names its bad symbols', () => {
    expect(problemsOf({ excludeAssets: Array.from({ length: MAX_EXCLUDED_ASSETS + 1 }, (_, i) => `S${i}USDT`) })[0]).toContain(`at most ${MAX_EXCLUDED_ASSETS} symbols`);
    const p = problemsOf({ excludeAssets: ['OKUSDT', 'a b', '', 'c\td', 'e f'] });
    expect(p).toHaveLength(1);
    expect(p[0]).toContain('"a b"');
    expect(p[0]).toContain('(and 1 more)');
  });

  it('keeps the defaults inside their bounds', () => {
    expect(() => resolveConfig()).not.toThrow();
  });

  it('docs/strategy.md lists every bound', () => {
    const doc = readFileSync('docs/strategy.md', 'utf8');
    const section = doc.slice(doc.indexOf('## Config bounds'));
    for (const [key, b] of Object.entries(CONFIG_BOUNDS) as [string, NumericBounds][]) {
      const row = section.split('\n').find((l) => l.startsWith('|') && l.split('|')[1].includes(`\`${key}\``));
      expect(row, key).toBeDefined();
      expect(row!.replace(/ /g, ''), key).toContain(boundsText(b).replace(/ /g, ''));
    }
  });
});

describe('parseSetting (--set key=value)', () => {
  it.each([
    ['leverage=3', 'leverage', 3],
    ['closeAtEnd=false', 'closeAtEnd', false],
    ['stopLossPct=null', 'stopLossPct', null],
    ['acbCuts=[0,0.1,0.2,0.3,0.4,0.5]', 'acbCuts', [0, 0.1, 0.2, 0.3, 0.4, 0.5]],
    ['excludeAssets=["BTCUSDT","ETHUSDT"]', 'excludeAssets', ['BTCUSDT', 'ETHUSDT']],
    ['volThreshold="auto"', 'volThreshold', 'auto'],
    ['volThreshold=auto', 'volThreshold', 'auto'],
    ['volAsset=ETHUSDT', 'volAsset', 'ETHUSDT'],
    ['velDivThreshold=-0.05', 'velDivThreshold', -0.05],
    ['volAsset=a=b', 'volAsset', 'a=b'],
    ['volAsset=', 'volAsset', ''],
  ])('%s', (text, key, value) => {
    expect(parseSetting(text)).toEqual([key, value]);
  });

  it('rejects text without a key', () => {
    expect(() => parseSetting('=3')).toThrow(ConfigError);
    expect(() => parseSetting('leverage')).toThrow(ConfigError);
  });

  it('parsed settings feed resolveConfig', () => {
    const [k, v] = parseSetting('maxOpenPositions=2');
    expect(resolveConfig({ [k]: v }).maxOpenPositions).toBe(2);
  });
});
