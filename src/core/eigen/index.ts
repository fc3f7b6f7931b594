/** Eigen kernels: correlation of log returns, symmetric eigen solvers, eigen features. */

export * from './correlation.js';
export * from './rolling-correlation.js';
export * from './symmetric-eigen.js';
export * from './top-eigen.js';
export * from './eigen-features.js';
export * from './eigen-scanner.js';
export * from './price-feature-stream.js';
