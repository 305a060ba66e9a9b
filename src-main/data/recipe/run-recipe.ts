// Runs resolved recipe steps over a stream of records in one pass: each record goes through the steps in order until
// one removes it; every removal and change is handed to `onChange` with the record as the step saw it.
import { ApiError } from '../../common/errors';
import type { Conversation } from '../formats';
import type { DataRecord, OperatorContext, RecordDecider } from '../ops/operator';
import type { ResolvedStep } from './recipe-file';

export interface RecipeChange {
  idx: number;
  step: number;
  operator: string;
  action: 'removed' | 'changed';
  reason: string;
  duplicateOf: number | null;
  before: Conversation;
  after: Conversation | null;
}

export interface RunOptions {
  /** Receives each change; awaited so a store can take them in batches. */
  onChange: (change: RecipeChange) => void | Promise<void>;
  signal?: AbortSignal;
  /** Stop after this many records (previews). */
  limit?: number;
  onProgress?: (examined: number) => void;
}

export interface RunSummary {
  examined: number;
  kept: number;
  steps: { step: number; op: string; removed: number; changed: number }[];
}

function conversationOf(record: DataRecord): Conversation {
  return { messages: record.messages, ...(record.system !== undefined ? { system: record.system } : {}), ...(record.tools ? { tools: record.tools } : {}) };
}

/** Builds every step's decider first, so a missing tokenizer or eval set fails (in `create`) before any record is read. */
export async function runRecipe(records: AsyncIterable<DataRecord>, steps: readonly ResolvedStep[], ctx: OperatorContext, options: RunOptions): Promise<RunSummary> {
  const deciders: RecordDecider[] = [];
  for (const s of steps) {
    deciders.push(await s.op.create(s.params, ctx));
  }
  const summary: RunSummary = { examined: 0, kept: 0, steps: steps.map((s) => ({ step: s.step, op: s.op.name, removed: 0, changed: 0 })) };
  for await (const record of records) {
    if (options.limit !== undefined && summary.examined >= options.limit) break;
    if (options.signal?.aborted) throw new ApiError('cancelled', 'The recipe run was cancelled; no version was written.');
    summary.examined += 1;
    let current = record;
    let removed = false;
    for (let i = 0; i < steps.length && !removed; i++) {
      const decision = deciders[i](current);
      if (decision.action === 'keep') continue;
      const before = conversationOf(current);
      if (decision.action === 'remove') {
        removed = true;
        summary.steps[i].removed += 1;
        await options.onChange({ idx: record.idx, step: steps[i].step, operator: steps[i].op.name, action: 'removed', reason: decision.reason, duplicateOf: decision.duplicateOf ?? null, before, after: null });
      } else {
        summary.steps[i].changed += 1;
        await options.onChange({ idx: record.idx, step: steps[i].step, operator: steps[i].op.name, action: 'changed', reason: decision.reason, duplicateOf: null, before, after: decision.record });
        current = { idx: record.idx, ...decision.record };
      }
    }
    if (!removed) summary.kept += 1;
    if (summary.examined % 5000 === 0) options.onProgress?.(summary.examined);
  }
  options.onProgress?.(summary.examined);
  return summary;
}
