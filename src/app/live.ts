/**
 * The live paper-trading use case (library API of `dolphin live`): Hazelcast scans (or the own scanner's,
 * `exchange`) -> acceptance -> journal -> engine worker and shadow portfolios, state published to
 * Hazelcast, report written at stop, resumed from the journal. The steps live in src/app/live/
 * (LiveRun); this module resolves the options.
 */
import { withVolThreshold, type EngineConfig, type StrategyConfig } from '../core/config.js';
import { ConfigError, DolphinError } from '../core/errors.js';
import type { PaperState, ValidationState } from '../feeds/live/paper-state.js';
import type { Report } from '../report/report.js';
import type { PortfolioSpec } from '../workers/portfolio-host.js';
import { LiveRun, type LiveSessionOptions } from './live/live-session.js';

/**
 * Options of startLive: those of a live session (LiveSessionOptions documents each), with the strategy
 * config not yet resolved (a numeric volThreshold is required), shadows by name and config, and an
 * optional log.
 */
export interface LiveOptions extends Omit<LiveSessionOptions, 'config' | 'shadows' | 'log'> {
  readonly config: StrategyConfig;
  readonly shadows?: readonly { name: string; config: StrategyConfig }[];
  readonly log?: (message: string) => void;
}

/** A running live session. */
export interface LiveSession {
  readonly runId: string;
  readonly journalDir: string;
  readonly resumedScans: number;
  /**
   * Stops cleanly: writes report.json/report.md into the journal folder (or, when it cannot be written,
   * a fallback folder: see reportFolder) and returns the report. Also after a journal fault.
   */
  stop(): Promise<Report>;
  /** Engine decisions, recent scans: ms from the scan posted to the engine (after its journal write) to the engine's reply. */
  latenciesMs(): number[];
  /** Resolves with the first failure (journal fault, worker error); never resolves otherwise. */
  readonly failed: Promise<Error>;
  /** After a failure: true when stop() can still write the report of every durable scan (journal faults). */
  readonly canReport: boolean;
  /** Where stop() wrote report.json, once it has. */
  readonly reportFolder: string | null;
  /** Tears everything down without a report (after a failure): source, timers, worker, client, lock. */
  abort(): Promise<void>;
  state(): PaperState;
  /** Runs one validation now (also runs every validate.everyMs when configured). */
  validateNow(): Promise<ValidationState>;
}

/** Requires a numeric volThreshold and forces closeAtEnd false (STRATEGY.md 3, 4). */
export function liveEngineConfig(config: StrategyConfig, what = 'live mode'): EngineConfig {
  if (config.volThreshold === 'auto') {
    throw new ConfigError([`${what} requires a numeric volThreshold (calibrate on history: dolphin calibrate DIR, then --set volThreshold=<value>)`]);
  }
  return withVolThreshold({ ...config, closeAtEnd: false }, config.volThreshold);
}

/** Starts a live paper run; resolves once it listens to Hazelcast (or its own scanner runs). */
export async function startLive(o: LiveOptions): Promise<LiveSession> {
  if (o.exchange === undefined && o.address === undefined) throw new DolphinError('USAGE', 'the Hazelcast feed needs a member address (--hz host:port)');
  const config = liveEngineConfig(o.config);
  const shadows: PortfolioSpec[] = (o.shadows ?? []).map((s) => ({ name: s.name, config: liveEngineConfig(s.config, `shadow ${s.name}`) }));
  return LiveRun.start({ ...o, config, shadows, log: o.log ?? (() => undefined) });
}
