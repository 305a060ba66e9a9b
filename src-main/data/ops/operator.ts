// The one interface every cleaning operator implements (DESIGN §4): a name, a parameter schema with the defaults of
// established cleaning tools, and a per-record decision function. Set-level operators (dedup, decontamination) keep
// their state inside the closure `create` returns: records arrive in order, one at a time, so memory stays bounded by
// the operator's own index and the recipe runner can stream a million rows.
import type { z } from 'zod';
import type { Conversation } from '../formats/conversation';

/** One stored record as operators see it: its stable index in the dataset plus the canonical conversation. */
export interface DataRecord extends Conversation {
  idx: number;
  /** Scores computed for this record (e.g. ifd, ppl from the engine's forward pass), by name; absent when none. */
  scores?: Record<string, number>;
}

/** What an operator decides about one record. `reason` is shown to the person and kept with the record. */
export type Decision =
  | { action: 'keep' }
  | { action: 'remove'; reason: string; /** for dedup: the idx of the record this one duplicates */ duplicateOf?: number }
  | { action: 'change'; reason: string; record: Conversation };

export const KEEP: Decision = { action: 'keep' };

/** Counts a tokenizer gives; operators that need one say so with `needs: ['tokenizer']`. */
export interface TokenCounter {
  /** Tokens of TEXT under the chosen model's tokenizer (no special tokens). */
  count(text: string): number;
}

/** Records of another dataset version (e.g. an eval set for decontamination), streamed. */
export type RecordStream = AsyncIterable<DataRecord>;

export interface OperatorContext {
  tokenizer?: TokenCounter;
  /** Opens another dataset by name (or "name@version") for operators that compare against one. */
  openDataset?: (ref: string) => Promise<RecordStream>;
}

export type RecordDecider = (record: DataRecord) => Decision;

export type OperatorGroup = 'normalize' | 'filter' | 'pii' | 'dedup' | 'score';

export interface Operator<P extends Record<string, unknown> = Record<string, unknown>> {
  /** The recipe key: snake_case, stable (recipes saved as YAML name it). */
  name: string;
  /** A short title for the recipe builder. */
  title: string;
  /** One or two sentences: what it does and why (shown in the wizard and `ftstudio data ops`). */
  description: string;
  group: OperatorGroup;
  /** Parameters with defaults: `params.parse({})` gives the default configuration. */
  params: z.ZodType<P>;
  /** Context the operator cannot run without. */
  needs?: readonly ('tokenizer' | 'openDataset')[];
  /** Builds the decision function for one pass over a dataset (fresh state each time). */
  create(params: P, ctx: OperatorContext): RecordDecider | Promise<RecordDecider>;
}

/** Keeps the generic parameter when listing operators of different parameter types together. */
export function defineOperator<P extends Record<string, unknown>>(op: Operator<P>): Operator<P> {
  return op;
}
