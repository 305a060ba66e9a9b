// Evaluation: the mean loss over all counted tokens of a set of examples, with or without an adapter.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelSpec } from '../../common/model-spec';
import type { LoadedAdapter } from '../io/peft-adapter';
import { buildEvalGraph, type LoraConfig } from '../nn';
import { EngineSession, type Feed } from '../runtime';
import { collate, type Example } from './batches';
import { adapterFeeds, loadEvalAdapter } from './eval-adapter';
import { adapterLoraConfig } from './lora-state';
import { resolveWeightRefs } from './weights';

export interface EvalResult { loss: number; tokens: number; ppl: number }

/** Runs an eval graph over the examples in order; feeds the adapter's tensors when the graph has one. */
export async function evaluateOnSession(session: EngineSession, examples: readonly Example[], batchSize: number, padId: number,
  adapterFeeds: Record<string, Feed>): Promise<EvalResult> {
  let lossSum = 0;
  let tokens = 0;
  for (let i = 0; i < examples.length; i += batchSize) {
    const batch = collate(examples.slice(i, i + batchSize), padId);
    const out = await session.run({
      input_ids: { data: batch.inputIds, dims: batch.dims },
      labels: { data: batch.labels, dims: batch.dims },
      ...adapterFeeds,
    }, ['loss_sum', 'token_count']);
    lossSum += (out.loss_sum.data as Float32Array)[0];
    tokens += (out.token_count.data as Float32Array)[0];
  }
  if (tokens === 0) throw new Error('The evaluation data has no counted tokens (every label is -100).');
  const loss = lossSum / tokens;
  return { loss, tokens, ppl: Math.exp(loss) };
}

export interface EvaluateOptions {
  modelDir: string;
  spec: ModelSpec;
  workDir: string; // the compiled graph and the hard-linked weights go here
  /** A LoRA adapter already read, or any adapter folder this app writes (LoRA or prompt), or neither. */
  adapter: LoadedAdapter | null;
  adapterDir?: string;
  examples: readonly Example[];
  batchSize: number;
  padId: number;
  threads: number;
}

/** Compiles the forward graph for this model (and adapter), evaluates, and releases the session. */
export async function evaluateLoss(opts: EvaluateOptions): Promise<EvalResult> {
  if (!opts.examples.length) throw new Error('The evaluation data is empty.');
  mkdirSync(opts.workDir, { recursive: true });
  const weights = resolveWeightRefs(opts.modelDir, opts.workDir);
  const fromDir = opts.adapterDir ? loadEvalAdapter(opts.adapterDir) : null;
  const lora: LoraConfig | null = opts.adapter ? adapterLoraConfig(opts.adapter.config) : null;
  const built = buildEvalGraph(opts.spec, weights, { ...(fromDir?.graph ?? { lora }), name: 'eval' });
  const tensors = fromDir?.tensors ?? new Map([...(opts.adapter?.tensors ?? [])].map(([n, t]) => [n, t.data]));
  const path = join(opts.workDir, 'eval.onnx');
  writeFileSync(path, built.serialize());
  const session = await EngineSession.create(path, { intraOpThreads: opts.threads });
  try {
    const feeds = adapterFeeds(built.params, tensors);
    return await evaluateOnSession(session, opts.examples, opts.batchSize, opts.padId, feeds);
  } finally {
    await session.release();
  }
}
