/** The scanner's universe: top-N USDT perpetuals by 24 h quote volume (with BTCUSDT), or a given list. */
import { ConfigError } from '../../core/errors.js';
import { MAX_ASSETS_PER_SCAN, symbolProblem } from '../../core/scan-limits.js';
import type { VenueMarket } from './binance-usdm.venue.js';

/** The volatility asset (STRATEGY.md volAsset): always in a top-N universe. */
export const VOL_ASSET = 'BTCUSDT';

/** How the universe is chosen. */
export type UniverseSpec = { readonly kind: 'top'; readonly n: number } | { readonly kind: 'symbols'; readonly symbols: readonly string[]; readonly flag: string };

/**
 * Parses `--universe topN` / `--symbols A,B` / the text of `--symbols-file` (one symbol per line or
 * comma-separated; `#` comments). At most one of them; none means top50.
 * @throws ConfigError naming the flag and the value.
 */
export function parseUniverseSpec(universe: string | undefined, symbols: string | undefined, symbolsFile: { path: string; text: string } | undefined): UniverseSpec {
  const given = [universe !== undefined ? '--universe' : '', symbols !== undefined ? '--symbols' : '', symbolsFile !== undefined ? '--symbols-file' : ''].filter(Boolean);
  if (given.length > 1) throw new ConfigError([`${given.join(' and ')} both choose the universe; pass one of them`]);
  if (symbols !== undefined || symbolsFile !== undefined) {
    const flag = symbols !== undefined ? '--symbols' : `--symbols-file ${symbolsFile!.path}`;
    const text = symbols ?? symbolsFile!.text.replace(/#[^\n]*/g, '');
    const list = text.split(/[\s,]+/).map((s) => s.trim().toUpperCase()).filter(Boolean);
    const problems: string[] = [];
    if (list.length === 0) problems.push(`${flag} lists no symbol; give e.g. BTCUSDT,ETHUSDT`);
    if (list.length > MAX_ASSETS_PER_SCAN) problems.push(`${flag} lists ${list.length} symbols (at most ${MAX_ASSETS_PER_SCAN})`);
    const seen = new Set<string>();
    for (const s of list) {
      const why = symbolProblem(s);
      if (why !== null) problems.push(`${flag}: ${why}`);
      else if (!/^[A-Z0-9]+$/.test(s)) problems.push(`${flag}: symbol ${JSON.stringify(s)} is not an exchange id like BTCUSDT`);
      if (seen.has(s)) problems.push(`${flag}: symbol ${s} is listed twice`);
      seen.add(s);
    }
    if (problems.length) throw new ConfigError(problems);
    return { kind: 'symbols', symbols: list, flag };
  }
  const text = universe ?? 'top50';
  const m = /^top(\d+)$/i.exec(text.trim());
  const n = m === null ? NaN : Number(m[1]);
  if (!(n >= 2 && n <= MAX_ASSETS_PER_SCAN)) throw new ConfigError([`--universe must be topN with N in [2, ${MAX_ASSETS_PER_SCAN}] (e.g. top50), was "${text}"`]);
  return { kind: 'top', n };
}

/** The chosen universe and what was noticed on the way. */
export interface UniverseChoice {
  /** Exchange ids in scan order. */
  readonly ids: readonly string[];
  readonly notes: readonly string[];
}

/**
 * Chooses the universe from the venue's markets (active linear USDT perpetuals). `top`: the N with the
 * largest 24 h quote volume, BTCUSDT first (it replaces the N-th when it is not among them), then by
 * descending volume (ties by id). `symbols`: as given, each must be an active USDT perpetual.
 * @throws ConfigError listing symbols that are not active USDT perpetuals.
 */
export function chooseUniverse(spec: UniverseSpec, markets: readonly VenueMarket[], volumes: ReadonlyMap<string, number>): UniverseChoice {
  const eligible = markets.filter((m) => m.active && m.usdtPerpetual);
  const notes: string[] = [];
  if (spec.kind === 'symbols') {
    const ok = new Set(eligible.map((m) => m.id));
    const listed = new Map(markets.map((m) => [m.id, m]));
    const bad = spec.symbols.filter((s) => !ok.has(s));
    if (bad.length) {
      throw new ConfigError(
        bad.map((s) => `${spec.flag}: ${s} is ${listed.has(s) ? (listed.get(s)!.usdtPerpetual ? 'not trading (delisted or settling)' : 'not a USDT-settled perpetual') : 'not listed on the exchange'}`),
      );
    }
    if (!spec.symbols.includes(VOL_ASSET)) notes.push(`the universe has no ${VOL_ASSET}: the strategy's BTC volatility gate will stay closed`);
    return { ids: spec.symbols, notes };
  }
  const vol = (id: string): number => {
    const v = volumes.get(id);
    return v !== undefined && v >= 0 ? v : -1;
  };
  const ranked = eligible.map((m) => m.id).sort((a, b) => vol(b) - vol(a) || (a < b ? -1 : a > b ? 1 : 0));
  if (ranked.length < spec.n) notes.push(`only ${ranked.length} active USDT perpetuals listed; the universe has ${ranked.length} symbols instead of ${spec.n}`);
  let top = ranked.slice(0, spec.n);
  if (!top.includes(VOL_ASSET) && ranked.includes(VOL_ASSET)) {
    notes.push(`${VOL_ASSET} ranks ${ranked.indexOf(VOL_ASSET) + 1} by 24 h quote volume; added in place of ${top[top.length - 1]}`);
    top = [...top.slice(0, Math.max(0, spec.n - 1)), VOL_ASSET];
  }
  if (!top.includes(VOL_ASSET)) notes.push(`${VOL_ASSET} is not an active USDT perpetual here: the strategy's BTC volatility gate will stay closed`);
  const ids = top.includes(VOL_ASSET) ? [VOL_ASSET, ...top.filter((s) => s !== VOL_ASSET)] : top;
  return { ids, notes };
}
