/** runEngine: the one composition point shared by replay and live — a feed driving an engine. */
import type { EngineConfig } from './config.js';
import { Engine } from './engine.js';
import { PaperExecutor } from './paper-executor.js';
import type { DataFeedPort, FeedStatus } from './ports/data-feed.port.js';
import type { TradingPort } from './ports/trading.port.js';
import { Recorder } from './recorder.js';
import type { FactorRecord } from './trade.js';

/** Options of runEngine; everything has a replay-friendly default. */
export interface RunEngineOptions {
  /** Factor records known before the first scan (replays: one per external_factors file). */
  readonly factors?: readonly FactorRecord[];
  readonly trading?: TradingPort;
  readonly recorder?: Recorder;
  /** Called after each processed scan (state publishing, journaling, progress). */
  readonly afterScan?: (engine: Engine, t: number) => void;
  readonly onStatus?: (status: FeedStatus) => void;
  /** Called with the engine as soon as it exists (live: to hold it for stop/state). */
  readonly onEngine?: (engine: Engine) => void;
  /** Feature columns computed ahead (pool workers), bit-identical to the lazy ones; btcVol only for this config's volWindow/volAsset. */
  readonly featureColumns?: { readonly market?: Float64Array; readonly btcVol?: Float64Array };
}

/** Runs the engine over everything the feed delivers, then applies closeAtEnd. */
export async function runEngine(feed: DataFeedPort, config: EngineConfig, options: RunEngineOptions = {}): Promise<Engine> {
  const engine = new Engine(
    feed.store,
    config,
    options.trading ?? new PaperExecutor(config),
    options.factors ?? [],
    options.recorder ?? new Recorder(Math.max(1024, feed.store.n)),
  );
  const cols = options.featureColumns;
  if (cols?.market) engine.features.useMarketColumn(cols.market);
  if (cols?.btcVol) engine.features.useBtcVolColumn(cols.btcVol);
  options.onEngine?.(engine);
  const after = options.afterScan;
  await feed.run({
    onScan: (t) => {
      engine.onScan(t);
      if (after) after(engine, t);
    },
    onFactors: (r) => engine.factors.add(r),
    onStatus: options.onStatus,
  });
  engine.finish();
  return engine;
}
