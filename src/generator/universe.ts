/** The generator's asset universe: realistic Binance USDT-M perpetual symbols, prices, betas and vols. */

import { ConfigError } from '../core/errors.js';

/** Sector of an asset; each sector has its own common factor in the market model. */
export type Sector = 'major' | 'l1' | 'l2' | 'defi' | 'meme' | 'ai' | 'gaming';

/** One perpetual of the universe. */
export interface AssetSpec {
  /** Binance USDT-M symbol, e.g. `BTCUSDT`. */
  readonly symbol: string;
  /** Price at the start of the generated run (roughly early-2025 levels). */
  readonly startPrice: number;
  /** Loading on the BTC-led market factor (BTC itself: 1). */
  readonly beta: number;
  /** Idiosyncratic volatility multiplier relative to the base alt idio vol. */
  readonly volMult: number;
  readonly sector: Sector;
}

const A = (symbol: string, startPrice: number, beta: number, volMult: number, sector: Sector): AssetSpec => ({
  symbol,
  startPrice,
  beta,
  volMult,
  sector,
});

/** The full universe in canonical order (BTC first); generators take a prefix of it. */
export const UNIVERSE: readonly AssetSpec[] = Object.freeze([
  A('BTCUSDT', 96500, 1.0, 0.3, 'major'),
  A('ETHUSDT', 3350, 1.05, 0.9, 'major'),
  A('SOLUSDT', 185, 1.25, 1.3, 'l1'),
  A('BNBUSDT', 655, 0.7, 0.8, 'major'),
  A('XRPUSDT', 2.35, 1.1, 1.4, 'major'),
  A('DOGEUSDT', 0.325, 1.35, 1.6, 'meme'),
  A('ADAUSDT', 0.93, 1.15, 1.3, 'l1'),
  A('AVAXUSDT', 36.2, 1.3, 1.4, 'l1'),
  A('LINKUSDT', 21.4, 1.2, 1.3, 'defi'),
  A('DOTUSDT', 6.7, 1.15, 1.3, 'l1'),
  A('TRXUSDT', 0.245, 0.6, 0.8, 'l1'),
  A('LTCUSDT', 104.5, 0.95, 1.1, 'major'),
  A('BCHUSDT', 432, 1.0, 1.2, 'major'),
  A('NEARUSDT', 5.15, 1.3, 1.5, 'ai'),
  A('ATOMUSDT', 6.6, 1.1, 1.3, 'l1'),
  A('UNIUSDT', 13.1, 1.2, 1.4, 'defi'),
  A('APTUSDT', 9.2, 1.3, 1.5, 'l1'),
  A('ARBUSDT', 0.76, 1.35, 1.5, 'l2'),
  A('OPUSDT', 1.93, 1.35, 1.5, 'l2'),
  A('FILUSDT', 5.1, 1.15, 1.4, 'l2'),
  A('ETCUSDT', 26.3, 1.0, 1.2, 'l1'),
  A('XLMUSDT', 0.41, 1.05, 1.4, 'major'),
  A('HBARUSDT', 0.285, 1.2, 1.6, 'l1'),
  A('ICPUSDT', 10.2, 1.2, 1.5, 'ai'),
  A('INJUSDT', 22.5, 1.4, 1.6, 'defi'),
  A('SUIUSDT', 4.05, 1.4, 1.7, 'l1'),
  A('SEIUSDT', 0.42, 1.4, 1.7, 'l1'),
  A('TIAUSDT', 5.0, 1.4, 1.7, 'l2'),
  A('RENDERUSDT', 7.1, 1.4, 1.6, 'ai'),
  A('FETUSDT', 1.32, 1.45, 1.7, 'ai'),
  A('WLDUSDT', 2.3, 1.45, 1.8, 'ai'),
  A('AAVEUSDT', 310, 1.15, 1.3, 'defi'),
  A('LDOUSDT', 1.82, 1.25, 1.5, 'defi'),
  A('STXUSDT', 1.55, 1.3, 1.6, 'l2'),
  A('IMXUSDT', 1.3, 1.35, 1.6, 'gaming'),
  A('GRTUSDT', 0.205, 1.3, 1.5, 'ai'),
  A('SANDUSDT', 0.52, 1.25, 1.5, 'gaming'),
  A('MANAUSDT', 0.5, 1.25, 1.5, 'gaming'),
  A('AXSUSDT', 6.2, 1.25, 1.5, 'gaming'),
  A('APEUSDT', 1.22, 1.3, 1.6, 'gaming'),
  A('CRVUSDT', 0.92, 1.3, 1.7, 'defi'),
  A('DYDXUSDT', 1.52, 1.35, 1.6, 'defi'),
  A('GALAUSDT', 0.036, 1.35, 1.6, 'gaming'),
  A('CHZUSDT', 0.092, 1.15, 1.5, 'gaming'),
  A('ALGOUSDT', 0.36, 1.1, 1.4, 'l1'),
  A('EGLDUSDT', 31.5, 1.15, 1.4, 'l1'),
  A('RUNEUSDT', 4.1, 1.4, 1.7, 'defi'),
  A('1000PEPEUSDT', 0.0182, 1.5, 2.0, 'meme'),
  A('1000SHIBUSDT', 0.0221, 1.3, 1.6, 'meme'),
  A('WIFUSDT', 2.05, 1.5, 2.1, 'meme'),
  A('1000BONKUSDT', 0.0315, 1.5, 2.0, 'meme'),
  A('ORDIUSDT', 31.2, 1.4, 1.8, 'meme'),
  A('JUPUSDT', 0.92, 1.35, 1.6, 'defi'),
  A('ENAUSDT', 0.95, 1.45, 1.8, 'defi'),
  A('TONUSDT', 5.55, 0.85, 1.2, 'l1'),
  A('ONDOUSDT', 1.35, 1.35, 1.7, 'defi'),
  A('MKRUSDT', 1720, 1.05, 1.3, 'defi'),
  A('KASUSDT', 0.125, 1.2, 1.7, 'l1'),
  A('ENSUSDT', 38.5, 1.25, 1.6, 'defi'),
  A('TAOUSDT', 460, 1.45, 1.8, 'ai'),
]);

/** Sectors in factor-index order. */
export const SECTORS: readonly Sector[] = ['major', 'l1', 'l2', 'defi', 'meme', 'ai', 'gaming'];

/** The first `count` assets of {@link UNIVERSE}; throws a ConfigError when count is out of range. */
export function universe(count: number): readonly AssetSpec[] {
  if (!Number.isInteger(count) || count < 2 || count > UNIVERSE.length) {
    throw new ConfigError([`assets must be an integer in [2, ${UNIVERSE.length}], was ${count}`]);
  }
  return UNIVERSE.slice(0, count);
}
