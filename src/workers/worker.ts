/** Worker entry for the piscina pool: named tasks only, no module-level mutable state. */
export { decodeFiles } from './decode-files.task.js';
export { featureRange } from './feature-range.task.js';
export { readColumns } from './read-columns.task.js';
export { sweepConfigs } from './sweep.task.js';
export { shadowHost } from './shadow-host.task.js';
export { walkForwardSegments } from './walk-forward.task.js';
