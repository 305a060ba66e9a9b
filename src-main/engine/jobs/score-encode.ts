// A score record → the two token sequences the score job evaluates: the whole conversation through the chat template with
// only the assistant turns labelled (as training labels it), and the assistant text alone as plain text, all labelled.
import { z } from 'zod';
// The score job tokenizes the records main wrote with exactly the code training uses (models/tokenizer.ts: pure, so the
// engine may import it; see scripts/eslint/import-boundaries.js).
import { IGNORE_INDEX, type ChatMessage, type TextTokenizer } from '../../models/tokenizer';
import type { Example } from '../train/batches';

/** One line of the data file: the canonical conversation of DESIGN §4 with the record's idx. */
export const ScoreRecord = z.object({
  idx: z.number().int().min(0),
  messages: z.array(z.object({ role: z.enum(['user', 'assistant', 'tool']), content: z.string() })),
  system: z.string().optional(),
  tools: z.array(z.unknown()).optional(),
  /** The first n messages are context (a baseline's few-shot examples): their assistant turns are not scored. */
  contextTurns: z.number().int().min(0).optional(),
});
export type ScoreRecord = z.infer<typeof ScoreRecord>;

export interface ScorePair {
  conditioned: Example;
  unconditioned: Example;
  /** Tokens the conditioned loss counts (labels after the shift), i.e. the answer tokens. */
  answerTokens: number;
}

/** Why a record cannot be scored; the job writes it as the record's error line instead of failing. */
export class RecordError extends Error {}

/** Labels the shifted loss counts: position 0 is never predicted. */
export function countedTokens(labels: readonly number[]): number {
  let n = 0;
  for (let i = 1; i < labels.length; i++) if (labels[i] !== IGNORE_INDEX) n++;
  return n;
}

/** The conversation as training encodes it by default (encodeRow with trainOnPrompt false): system first, assistant labelled. */
export function conditionedExample(tokenizer: TextTokenizer, record: ScoreRecord): Example {
  // Same refusal as training: the template is rendered without its `tools` variable, so such rows are not what training sees.
  if (record.tools?.length) throw new RecordError('the record has "tools", which cannot be rendered into the chat template yet');
  const chat: ChatMessage[] = record.system !== undefined ? [{ role: 'system', content: record.system }, ...record.messages] : [...record.messages];
  const example = tokenizer.encodeChat(chat, false);
  const context = record.messages.slice(0, record.contextTurns ?? 0).filter((m) => m.role === 'assistant').length;
  return context ? unlabelFirstAnswers(example, context) : example;
}

/** Unlabels the first n labelled spans (one per assistant turn, as encodeChat labels them): context, not what is scored. */
export function unlabelFirstAnswers(example: Example, n: number): Example {
  const labels = [...example.labels];
  let spans = 0;
  for (let i = 0; i < labels.length && spans <= n; i++) {
    const starts = labels[i] !== IGNORE_INDEX && (i === 0 || example.labels[i - 1] === IGNORE_INDEX);
    if (starts) spans++;
    if (spans <= n && labels[i] !== IGNORE_INDEX) labels[i] = IGNORE_INDEX;
  }
  if (spans < n) throw new RecordError(`expected ${n} labelled context answers, found ${spans}`);
  return { inputIds: example.inputIds, labels };
}

/**
 * The answer alone, as IFD's unconditioned loss wants it: the assistant contents joined with "\n", tokenized as plain
 * text with the tokenizer's own special tokens (a BOS where it adds one) and no EOS — every token labelled. Without a
 * BOS the first token has nothing before it, so the loss counts the answer from its second token on.
 */
export function unconditionedExample(tokenizer: TextTokenizer, record: ScoreRecord): Example {
  const text = record.messages.slice(record.contextTurns ?? 0).filter((m) => m.role === 'assistant').map((m) => m.content).join('\n');
  const ids = tokenizer.encode(text, true);
  return { inputIds: ids, labels: [...ids] };
}

/** Both sequences, checked against the length limit and the model's vocabulary; throws RecordError otherwise. */
export function encodeScorePair(tokenizer: TextTokenizer, record: ScoreRecord, maxSeqLen: number, vocabSize: number): ScorePair {
  if (!record.messages.some((m) => m.role === 'assistant')) throw new RecordError('no assistant turn to score');
  let conditioned: Example;
  try {
    conditioned = conditionedExample(tokenizer, record);
  } catch (err) {
    if (err instanceof RecordError) throw err;
    throw new RecordError(`cannot render the conversation: ${(err as Error).message}`);
  }
  const unconditioned = unconditionedExample(tokenizer, record);
  const length = Math.max(conditioned.inputIds.length, unconditioned.inputIds.length);
  if (length > maxSeqLen) throw new RecordError(`longer than max_seq_len (${length} tokens > ${maxSeqLen})`);
  const answerTokens = countedTokens(conditioned.labels);
  if (answerTokens === 0) throw new RecordError('no assistant tokens to score');
  if (countedTokens(unconditioned.labels) === 0) throw new RecordError('the answer is too short to score without its prompt (one token)');
  const outside = [...conditioned.inputIds, ...unconditioned.inputIds].find((id) => id < 0 || id >= vocabSize);
  if (outside !== undefined) throw new RecordError(`token id ${outside} is outside the model's vocabulary (${vocabSize})`);
  return { conditioned, unconditioned, answerTokens };
}

/** What greedy generation needs for a record's exact match: its prompt, its reference answer, and how to read the output. */
export interface GenerationTask {
  /** The conditioned tokens before the last answer's labelled span: the turns before it rendered with the generation prompt. */
  promptIds: number[];
  /** The last assistant turn's text: what exact match compares the generated answer with. */
  reference: string;
  /** The labelled span's length (the template's wrapping and end-of-turn included): the answer's size in new tokens. */
  answerTokens: number;
  /**
   * Text the template puts between the generation prompt and the answer's own text (Qwen3: an empty think block), which
   * a model trained on this template generates first; it is cut from the generated text before comparing. '' for most.
   */
  answerPrefix: string;
}

/** The last assistant turn as a generation task, from the conditioned example the losses are computed on. */
export function generationTask(tokenizer: TextTokenizer, record: ScoreRecord, conditioned: Example): GenerationTask {
  let start = -1;
  for (let i = 0; i < conditioned.labels.length; i++) {
    if (conditioned.labels[i] !== IGNORE_INDEX && (i === 0 || conditioned.labels[i - 1] === IGNORE_INDEX)) start = i;
  }
  if (start <= 0) throw new RecordError('no prompt before the answer to generate from');
  let end = start;
  while (end < conditioned.labels.length && conditioned.labels[end] !== IGNORE_INDEX) end++;
  const last = record.messages.map((m) => m.role).lastIndexOf('assistant');
  const reference = record.messages[last].content;
  const system: ChatMessage[] = record.system !== undefined ? [{ role: 'system', content: record.system }] : [];
  const before = tokenizer.renderChat([...system, ...record.messages.slice(0, last)], true);
  const full = tokenizer.renderChat([...system, ...record.messages.slice(0, last + 1)], false);
  const contentAt = full.startsWith(before) ? full.indexOf(reference, before.length) : -1;
  return {
    promptIds: conditioned.inputIds.slice(0, start), reference, answerTokens: end - start,
    answerPrefix: contentAt >= 0 ? full.slice(before.length, contentAt) : '',
  };
}
