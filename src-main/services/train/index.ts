// Main's side of training: config resolution (run.yaml + flags) and run preparation (OUT/data, OUT/run.json, job params).
export { ConfigError, flagOf, resolveTrainConfig, stepsForEpochs, trainFlagOptions, type ResolveOptions } from './config';
export { DEFAULT_MAX_SEQ_LEN, defaultLossScale, EXPECTED, TRAIN_DEFAULTS, TRAIN_KEYS, TRAIN_PRECISIONS, TrainConfigInput, type TrainConfig, type TrainKey, type TrainPrecision } from './config-schema';
export { precisionNotes, precisionParams, precisionRecord, type PrecisionRecord } from './precision';
export { padIdOf, prepareRun, type PreparedRun } from './prepare-run';
export { discardUnstartedRun, ERROR_FILE, RUN_FILE, readRunInfo, runDataFiles, runEnvironment, type DatasetInfo, type RunInfo } from './run-info';
