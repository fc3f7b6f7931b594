/** Overfitting statistics of sweeps: CSCV/PBO, the deflated Sharpe ratio and their building blocks. */
export * from './normal-distribution.js';
export * from './return-moments.js';
export * from './cscv.js';
export * from './deflated-sharpe.js';
export * from './period-returns.js';
