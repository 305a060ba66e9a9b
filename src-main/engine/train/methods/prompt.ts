// P-tuning and prefix tuning: the base model is frozen, only the prompt encoder trains. Checkpoints hold the encoder's
// tensors; the result is a PEFT prompt adapter (prompt_embeddings, the encoder's output, plus the encoder itself in a
// sidecar file so the run can be continued; engine/io/peft-prompt.ts explains the layout).
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainJobParams } from '../../../common/train';
import { writePeftPrompt } from '../../io/peft-prompt';
import { readSafetensorsHeader, readTensorF32, writeSafetensors } from '../../io/safetensors';
import type { PromptConfig } from '../../nn/prompt';
import { initPromptParams, validatePromptConfig } from '../../nn/prompt';
import { buildPromptEmbeddingGraph } from '../../nn/prompt-adapter';
import { EngineSession } from '../../runtime';
import type { MethodContext, TrainMethodPlan } from './types';

const ENCODER_FILE = 'prompt_encoder.safetensors';

/** The run's prompt settings as the graph builder's config; encoder 'mlp' means prefix_projection for prefix tuning. */
export function promptConfigOf(p: TrainJobParams): PromptConfig {
  const s = p.prompt;
  if (!s) throw new Error(`method ${p.method} needs prompt settings (virtual tokens, encoder, encoder hidden size)`);
  if (p.method === 'prefix') {
    if (s.encoder === 'lstm') throw new Error('prefix tuning has no LSTM encoder: choose mlp (a reparameterising MLP) or none');
    return { kind: 'prefix', virtualTokens: s.virtualTokens, projection: s.encoder === 'mlp', encoderHidden: s.encoderHidden };
  }
  return { kind: 'ptuning', virtualTokens: s.virtualTokens, encoder: s.encoder, encoderHidden: s.encoderHidden };
}

/** The encoder's output for these weights, from the small prompt_embeddings graph. */
async function promptEmbeddings(p: TrainJobParams, cfg: PromptConfig, dir: string, params: Map<string, Float32Array>): Promise<Float32Array> {
  const built = buildPromptEmbeddingGraph(p.spec, cfg);
  const file = join(dir, 'prompt_embeddings.onnx');
  writeFileSync(file, built.serialize());
  const session = await EngineSession.create(file, { intraOpThreads: p.threads });
  try {
    const out = await session.run(Object.fromEntries(built.params.map((q) => [q.name, { data: params.get(q.name) as Float32Array, dims: q.shape }])));
    return out[built.output].data as Float32Array;
  } finally {
    await session.release();
  }
}

export function promptPlan(ctx: MethodContext): TrainMethodPlan {
  const p = ctx.params;
  if (p.initAdapter) throw new Error(`--init-adapter continues a LoRA adapter; it cannot be combined with method ${p.method}.`);
  const cfg = promptConfigOf(p);
  validatePromptConfig(cfg);
  return {
    trainGraph: { prompt: cfg },
    evalGraph: { prompt: cfg },
    initialParams: () => initPromptParams(p.spec, cfg, p.seed),
    optimizerParams: (params) => params.map((q) => ({ ...q, group: 0 })),
    codec: {
      write: (dir, params, shapes) => writeSafetensors(join(dir, ENCODER_FILE), [...params].map(([name, data]) => ({ name, dtype: 'F32' as const, shape: shapes.get(name) as number[], data }))),
      read: (dir) => {
        const file = join(dir, ENCODER_FILE);
        if (!existsSync(file)) throw new Error(`${dir} has no ${ENCODER_FILE}`);
        return new Map([...readSafetensorsHeader(file).tensors].map(([name, loc]) => [name, readTensorF32(loc)]));
      },
    },
    exportFinal: async (runDir, params) => {
      const adapterDir = join(runDir, 'adapter');
      const embeddings = await promptEmbeddings(p, cfg, ctx.graphDir, params);
      writePeftPrompt(adapterDir, { spec: p.spec, config: cfg, baseModel: p.modelDir, promptEmbeddings: embeddings, encoder: params });
      return { adapterDir, extra: [] };
    },
    describe: () => [cfg.kind === 'prefix'
      ? `prefix tuning: ${cfg.virtualTokens} key/value prefixes in each of ${p.spec.numLayers} layers${cfg.projection ? ` through an MLP (hidden ${cfg.encoderHidden})` : ''}`
      : `P-tuning: ${cfg.virtualTokens} virtual tokens from ${cfg.encoder === 'none' ? 'a plain embedding table' : `an ${cfg.encoder.toUpperCase()} prompt encoder (hidden ${cfg.encoderHidden})`}`],
  };
}
