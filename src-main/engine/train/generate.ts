// Greedy decoding on the next-token graph (nn/next-token.ts): one record at a time, argmax each step, stop at an EOS.
// No KV cache: step t runs the whole prompt + t tokens again, so n new tokens cost n forwards; meant for short answers.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelSpec } from '../../common/model-spec';
import { buildNextTokenGraph, NEXT_TOKEN_LOGITS } from '../nn';
import { EngineSession, type Feed } from '../runtime';
import { adapterFeeds, type EvalAdapter } from './eval-adapter';
import { resolveWeightRefs } from './weights';

export interface GreedyOptions {
  maxNewTokens: number;
  /** Any of these ends the answer (the tokenizer's EOS, a template's end-of-turn); it is not part of the result. */
  eosIds: readonly number[];
  /** The adapter's tensors, when the graph has an adapter. */
  feeds?: Record<string, Feed>;
  /** Prompt + generated tokens never exceed this (the model's positions); absent: no limit but maxNewTokens. */
  maxLength?: number;
}

export interface Generated {
  /** The new tokens, without the stopping EOS. */
  ids: number[];
  stop: 'eos' | 'max-new-tokens' | 'max-length';
}

/** The index of the largest value in row `row` of [rows, V]; the first one on a tie, as torch.argmax picks. */
export function argmaxRow(logits: Float32Array, row: number, vocab: number): number {
  let best = -1;
  let value = -Infinity;
  for (let i = row * vocab, end = i + vocab; i < end; i++) {
    if (logits[i] > value) {
      value = logits[i];
      best = i - row * vocab;
    }
  }
  if (best < 0) throw new Error('The model produced no usable logits (all NaN or -Infinity).');
  return best;
}

/** Greedy decoding of one prompt: each step feeds prompt + generated so far and appends the argmax token. */
export async function greedyDecode(session: EngineSession, promptIds: readonly number[], opts: GreedyOptions): Promise<Generated> {
  if (!promptIds.length) throw new Error('Greedy decoding needs at least one prompt token.');
  const eos = new Set(opts.eosIds);
  const seq = [...promptIds];
  const ids: number[] = [];
  while (ids.length < opts.maxNewTokens) {
    if (opts.maxLength !== undefined && seq.length >= opts.maxLength) return { ids, stop: 'max-length' };
    const out = await session.run({ input_ids: { data: BigInt64Array.from(seq, (t) => BigInt(t)), dims: [1, seq.length] }, ...opts.feeds }, [NEXT_TOKEN_LOGITS]);
    const logits = out[NEXT_TOKEN_LOGITS];
    const next = argmaxRow(logits.data as Float32Array, 0, logits.dims[1]);
    if (eos.has(next)) return { ids, stop: 'eos' };
    ids.push(next);
    seq.push(next);
  }
  return { ids, stop: 'max-new-tokens' };
}

/** The next-token graph of the model (with the adapter, if any), compiled into graphDir; and the adapter feeds. */
export async function openNextTokenSession(modelDir: string, spec: ModelSpec, graphDir: string, threads: number, adapter: EvalAdapter | null): Promise<{ session: EngineSession; feeds: Record<string, Feed> }> {
  mkdirSync(graphDir, { recursive: true });
  const built = buildNextTokenGraph(spec, resolveWeightRefs(modelDir, graphDir), { ...(adapter?.graph ?? {}), name: 'generate' });
  const path = join(graphDir, 'generate.onnx');
  writeFileSync(path, built.serialize());
  return { session: await EngineSession.create(path, { intraOpThreads: threads }), feeds: adapterFeeds(built.params, adapter?.tensors) };
}
