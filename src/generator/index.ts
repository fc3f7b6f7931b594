/** Synthetic scanner output for tests, demos and the shipped sample data (no file I/O here). */

export { generateScans, planMarket, type MarketOptions, type MarketPlan } from './market.js';
export { generateFactors, isStressDay, type DailyFactors, type FactorOptions } from './factors.js';
export { UNIVERSE, SECTORS, universe, type AssetSpec, type Sector } from './universe.js';
export { Rng } from './rng.js';
export { EigenScanner, MIN_RETURNS } from '../core/eigen/eigen-scanner.js';
export { MarketModel, Regime } from './market-model.js';
export { PlantedEdge, EDGE_SIGNAL, EDGE_MOVE, EDGE_CADENCE_MS, edgeProblem } from './planted-edge.js';
