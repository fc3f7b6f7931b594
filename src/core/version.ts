/** Engine and strategy versions carried in every report fingerprint. */

/** Version of the engine code; a report from another version may differ for reasons outside the data. */
export const ENGINE_VERSION = '0.1.0';
/** Version of the trading rules (STRATEGY.md v1); reports with different rule versions are not comparable. */
export const STRATEGY_VERSION = 1;
