// Public surface of optim/: the per-step update graph (AdamW, SGD, clipping, groups, loss scale), state init, lr schedules.

export { buildUpdateGraph, stateKinds, type UpdateGraph } from './update-graph';
export { initOptimizerState, scalarFeeds, type ScalarInputs, type StateTensor } from './state';
export { lrAt, lrFactor, lrForUpdate, warmupStepsFor, type Schedule, type ScheduleKind } from './schedule';
export { ADAMW_DEFAULTS } from './adamw';
export { clipByGlobalNorm, globalNorm, isFiniteNorm, normaliseGrads } from './grad-norm';
export * from './types';
