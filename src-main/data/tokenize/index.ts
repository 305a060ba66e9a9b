// Tokenization of data files for training and evaluation: the public entry points.
export { tokenizeDataset, countTrainedTokens, type TokenizeOptions, type TokenizeSummary, type TokenizedDataset } from './tokenize-dataset';
export { packExamples, type TrainingExample } from './packing';
export { writeTokenizedJsonl, readTokenizedJsonl } from './tokenized-jsonl';
export { encodeRow } from './encode-row';
export { checkVocabRange } from './vocab-range';
