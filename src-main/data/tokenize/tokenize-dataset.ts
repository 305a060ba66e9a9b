// A data file → training examples (input ids + labels) under the length, vocabulary and packing rules, with a summary.
import { ApiError } from '../../common/errors';
import { DataError, openDataset, type FormatName, type FormatOption } from '../formats';
import { ChatTemplateError } from '../../models/chat-template-sandbox';
import { IGNORE_INDEX, type TextTokenizer, type TokenizedExample } from '../../models/tokenizer';
import { encodeRow, needsTokenizer } from './encode-row';
import { packExamples, type TrainingExample } from './packing';
import { checkVocabRange } from './vocab-range';

export interface TokenizeOptions {
  format?: FormatOption;
  /** Longest sequence (in tokens) an example may have. */
  maxSeqLen: number;
  /** Also train on system/user turns (labels = inputs); default false, only assistant replies are trained. */
  trainOnPrompt?: boolean;
  /** A row longer than maxSeqLen: 'error' (default) stops with its line, 'truncate' keeps its first maxSeqLen tokens. */
  overLength?: 'error' | 'truncate';
  /** Concatenate rows into sequences of up to maxSeqLen tokens (see packExamples for the caveat). */
  packing?: boolean;
  /** The model's max_position_embeddings: maxSeqLen may not exceed it. */
  maxPositions?: number;
  /** Rows of the model's embedding; every id must be below it (it may exceed the tokenizer's vocabulary). */
  vocabSize: number;
}

export interface TokenizeSummary {
  /** Rows read from the file. */
  rows: number;
  /** Examples produced (sequences, after packing). */
  examples: number;
  tokens: number;
  /** Tokens the loss counts: labels ≠ -100 after the shift (position 0's label is never predicted). */
  trainedTokens: number;
  truncated: number;
  /** Rows dropped because none of their tokens would be trained. */
  skippedNoLabels: number;
  longestRow: number;
  packed: boolean;
}

export interface TokenizedDataset {
  file: string;
  format: FormatName;
  examples: TrainingExample[];
  summary: TokenizeSummary;
  /** Sentences for a person (CLI output, wizard): skipped and truncated rows, suspicious labels. */
  warnings: string[];
}

const LISTED_LINES = 10;

/** Tokens the shifted loss counts: labels[i] for i ≥ 1 that are not IGNORE_INDEX. */
export function countTrainedTokens(labels: readonly number[]): number {
  let n = 0;
  for (let i = 1; i < labels.length; i++) if (labels[i] !== IGNORE_INDEX) n++;
  return n;
}

function lineList(lines: number[], total: number): string {
  return `line${total > 1 ? 's' : ''} ${lines.join(', ')}${total > lines.length ? ', …' : ''}`;
}

function checkOptions(o: TokenizeOptions): void {
  const positiveInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v > 0;
  if (!positiveInt(o.maxSeqLen)) throw new ApiError('invalid-input', `maxSeqLen must be a positive integer, got ${o.maxSeqLen}.`);
  if (!positiveInt(o.vocabSize)) throw new ApiError('invalid-input', `vocabSize must be a positive integer, got ${o.vocabSize}.`);
  if (o.maxPositions !== undefined && o.maxSeqLen > o.maxPositions) {
    throw new ApiError('invalid-input', `maxSeqLen ${o.maxSeqLen} exceeds the model's ${o.maxPositions} positions (max_position_embeddings); use at most ${o.maxPositions}.`);
  }
}

/** Reports, once, why a format cannot be encoded with the tokenizer at hand. */
function checkTokenizer(file: string, format: FormatName, tokenizer: TextTokenizer | null): void {
  if (format === 'tokens') return;
  if (!tokenizer) {
    throw new DataError(`${file} holds ${format} rows, which need the model's tokenizer (tokenizer.json), and none was given; only pre-tokenized rows ({"input_ids": …}) need none.`, { file });
  }
  if (format !== 'text' && !tokenizer.hasChatTemplate) {
    throw new DataError(`${file} holds ${format} chat rows, but the tokenizer has no chat template (tokenizer_config.json "chat_template"); use a model that has one, or plain-text or pre-tokenized data.`, { file });
  }
}

/**
 * Reads FILE row by row and turns it into training examples. Errors name the file and line: a malformed or unknown
 * row, an id outside the vocabulary, a row longer than maxSeqLen (unless truncating). Rows that would train nothing
 * are skipped and reported in `warnings`. With packing, rows are concatenated after these checks.
 */
export async function tokenizeDataset(file: string, tokenizer: TextTokenizer | null, options: TokenizeOptions): Promise<TokenizedDataset> {
  checkOptions(options);
  const { maxSeqLen, vocabSize, trainOnPrompt = false, overLength = 'error', packing = false } = options;
  const dataset = await openDataset(file, options.format ?? 'auto');
  checkTokenizer(file, dataset.format, tokenizer);
  let examples: TrainingExample[] = [];
  let rows = 0;
  let longestRow = 0;
  const truncated: number[] = [];
  const skipped: number[] = [];
  const relabelled: number[] = [];
  let truncatedCount = 0;
  let skippedCount = 0;
  let relabelledCount = 0;
  for await (const { line, parsed } of dataset.rows) {
    rows++;
    let ex: TokenizedExample;
    try {
      ex = await encodeRow(parsed, tokenizer, trainOnPrompt);
    } catch (err) {
      if (!needsTokenizer(parsed) || err instanceof DataError) throw err;
      if (err instanceof ChatTemplateError) throw DataError.at(file, line, err.message);
      throw DataError.at(file, line, `cannot encode the row: ${(err as Error).message}`);
    }
    checkVocabRange(file, line, ex, vocabSize, parsed.kind === 'tokens');
    if (parsed.kind === 'tokens' && ex.labels.some((l, i) => l !== IGNORE_INDEX && l !== ex.inputIds[i])) {
      if (relabelledCount++ < LISTED_LINES) relabelled.push(line);
    }
    longestRow = Math.max(longestRow, ex.inputIds.length);
    if (ex.inputIds.length > maxSeqLen) {
      if (overLength !== 'truncate') {
        const limit = options.maxPositions !== undefined ? ` (the model allows up to ${options.maxPositions})` : '';
        throw DataError.at(file, line, `the row is ${ex.inputIds.length} tokens long, more than maxSeqLen ${maxSeqLen}; raise maxSeqLen${limit}, shorten the row, or choose truncation`);
      }
      ex = { inputIds: ex.inputIds.slice(0, maxSeqLen), labels: ex.labels.slice(0, maxSeqLen) };
      if (truncatedCount++ < LISTED_LINES) truncated.push(line);
    }
    if (countTrainedTokens(ex.labels) === 0) {
      if (skippedCount++ < LISTED_LINES) skipped.push(line);
      continue;
    }
    examples.push({ inputIds: ex.inputIds, labels: ex.labels, sourceLine: line });
  }
  if (examples.length === 0) {
    throw new DataError(`${file}: no usable rows: all ${rows} row${rows === 1 ? '' : 's'} would train no token (every label is masked${truncatedCount ? ' or was cut off by truncation' : ''}).`, { file });
  }
  if (packing) examples = packExamples(examples, maxSeqLen);

  const warnings: string[] = [];
  if (skippedCount) warnings.push(`${skippedCount} row${skippedCount > 1 ? 's' : ''} skipped because no token would be trained (all labels -100): ${lineList(skipped, skippedCount)}.`);
  if (truncatedCount) warnings.push(`${truncatedCount} row${truncatedCount > 1 ? 's' : ''} cut to ${maxSeqLen} tokens; their ends (often the answer's end and its end-of-turn token) are not trained: ${lineList(truncated, truncatedCount)}.`);
  if (relabelledCount) warnings.push(`${relabelledCount} pre-tokenized row${relabelledCount > 1 ? 's have' : ' has'} labels that differ from input_ids where not -100 (${lineList(relabelled, relabelledCount)}); labels are shifted inside the loss, so they must not be shifted in the file.`);
  let tokens = 0;
  let trainedTokens = 0;
  for (const ex of examples) {
    tokens += ex.inputIds.length;
    trainedTokens += countTrainedTokens(ex.labels);
  }
  const summary: TokenizeSummary = {
    rows, examples: examples.length, tokens, trainedTokens, truncated: truncatedCount, skippedNoLabels: skippedCount, longestRow, packed: packing,
  };
  return { file, format: dataset.format, examples, summary, warnings };
}
