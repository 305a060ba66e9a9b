// `ftstudio eval`: the mean loss (over counted tokens) and perplexity of a model, with or without an adapter, on a data file.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { tokenizeDataset } from '../../data/tokenize';
import type { FormatOption } from '../../data/formats';
import { readModelConfig } from '../../models/hf/config';
import { TextTokenizer } from '../../models/tokenizer';
import { DEFAULT_MAX_SEQ_LEN, padIdOf } from '../../services/train';
import { CliError, printResult, type CliContext } from '../output';
import type { FlagValues } from './train';

export const EVAL_OPTIONS = {
  model: { type: 'string' }, adapter: { type: 'string' }, data: { type: 'string' }, format: { type: 'string' },
  'max-seq-len': { type: 'string' }, 'batch-size': { type: 'string' }, threads: { type: 'string' },
  truncate: { type: 'boolean' }, 'train-on-prompt': { type: 'boolean' },
} as const;

/** A positive integer flag, or the fallback when it is absent. */
export function intFlag(values: FlagValues, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(n) || n < 1 || n > max) throw new CliError(`--${name} must be an integer from 1 to ${max}, got ${JSON.stringify(raw)}.`, 2);
  return n;
}

export function requiredPath(values: FlagValues, name: string, what: string): string {
  const raw = values[name];
  if (typeof raw !== 'string' || raw === '') throw new CliError(`--${name} is required: ${what}.`, 2);
  return resolve(raw);
}

export async function evaluate(ctx: CliContext, values: FlagValues): Promise<number> {
  const modelDir = requiredPath(values, 'model', 'a Hugging Face model folder');
  const data = requiredPath(values, 'data', 'a data file to evaluate on');
  const adapterDir = typeof values.adapter === 'string' ? resolve(values.adapter) : null;
  const batchSize = intFlag(values, 'batch-size', 1, 4096);
  const threads = intFlag(values, 'threads', os.availableParallelism(), 256);
  const spec = readModelConfig(modelDir);
  const maxSeqLen = intFlag(values, 'max-seq-len', Math.min(DEFAULT_MAX_SEQ_LEN, spec.maxPositions));
  // Pre-tokenized data needs no tokenizer; for text data tokenizeDataset says clearly that one is missing.
  const tokenizer = existsSync(join(modelDir, 'tokenizer.json')) ? TextTokenizer.fromFolder(modelDir) : null;
  const dataset = await tokenizeDataset(data, tokenizer, {
    format: (values.format as FormatOption | undefined) ?? 'auto', maxSeqLen, maxPositions: spec.maxPositions, vocabSize: spec.vocabSize,
    overLength: values.truncate ? 'truncate' : 'error', trainOnPrompt: values['train-on-prompt'] === true,
  }).finally(() => tokenizer?.close());
  // Loaded here, not at the top: it pulls in onnxruntime, which the other commands (and --help) do not need.
  const { evaluateLoss } = await import('../../engine/train/evaluate');
  const workDir = mkdtempSync(join(os.tmpdir(), 'ftstudio-eval-'));
  let result;
  try {
    result = await evaluateLoss({
      modelDir, spec, workDir, adapter: null, ...(adapterDir ? { adapterDir } : {}), examples: dataset.examples, batchSize, padId: padIdOf(tokenizer, spec.vocabSize), threads,
    });
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  const { loss, tokens, ppl } = result;
  if (!ctx.json) for (const w of dataset.warnings) ctx.stderr(`warning: ${w}`);
  printResult(ctx, { loss, tokens, ppl }, () => `loss ${loss.toFixed(6)}  ppl ${ppl.toFixed(3)}  over ${tokens} tokens (${dataset.examples.length} examples${adapterDir ? ', with the adapter' : ''})`);
  return 0;
}
