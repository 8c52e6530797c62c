export * from './evaluation.types.js';
export * from './periods.js';
export { evaluate, DEFAULT_THRESHOLDS, DEFAULT_TZ } from './rules.js';
