// Prompt-learning adapters on disk (io/peft-prompt.ts): PEFT's config fields and prompt_embeddings, the encoder sidecar,
// and the round trip, for every method; prompt_embeddings is the encoder output the prompt_embeddings graph computes.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  PROMPT_ENCODER_WEIGHTS, peftPromptConfigJson, readPeftPrompt, writePeftPrompt,
} from '../../../../src-main/engine/io/peft-prompt';
import { initPromptParams, promptParamShapes } from '../../../../src-main/engine/nn/prompt';
import { buildPromptEmbeddingGraph } from '../../../../src-main/engine/nn/prompt-adapter';
import { EngineSession } from '../../../../src-main/engine/runtime';
import { readModelConfig } from '../../../../src-main/models/hf/config';
import { TINY_MODELS, writeTinyModel } from '../../../reference/tiny-models';
import { PROMPT_CONFIGS, promptFeeds } from './prompt-fixtures';

const work = mkdtempSync(join(tmpdir(), 'nn-peft-prompt-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
// llama: GQA (4 heads, 2 KV heads of 16): prefix token_dim is 32, not hidden_size 64.
const spec = readModelConfig(writeTinyModel(join(work, 'llama'), TINY_MODELS.find((m) => m.id === 'llama') as (typeof TINY_MODELS)[number]));

describe('PEFT prompt-learning adapters', () => {
  it('writes the config fields PEFT reads, with KV widths for prefix tuning', () => {
    expect(peftPromptConfigJson(spec, PROMPT_CONFIGS['ptuning-lstm'], 'base')).toMatchObject({
      peft_type: 'P_TUNING', task_type: 'CAUSAL_LM', inference_mode: true, num_virtual_tokens: 4, token_dim: 64,
      num_transformer_submodules: 1, num_attention_heads: 4, num_layers: 2, encoder_reparameterization_type: 'LSTM',
      encoder_hidden_size: 24, encoder_num_layers: 2, encoder_dropout: 0, base_model_name_or_path: 'base',
    });
    expect(peftPromptConfigJson(spec, PROMPT_CONFIGS['ptuning-mlp'], 'base')).toMatchObject({ encoder_reparameterization_type: 'MLP', encoder_hidden_size: 48 });
    expect(peftPromptConfigJson(spec, PROMPT_CONFIGS['ptuning-none'], 'base')).toMatchObject({ peft_type: 'PROMPT_TUNING', prompt_tuning_init: 'RANDOM', token_dim: 64 });
    expect(peftPromptConfigJson(spec, PROMPT_CONFIGS['prefix-proj'], 'base')).toMatchObject({
      peft_type: 'PREFIX_TUNING', token_dim: 32, num_attention_heads: 2, prefix_projection: true, encoder_hidden_size: 40,
    });
  });

  it.each(Object.keys(PROMPT_CONFIGS))('%s: round trip of prompt_embeddings (the encoder output), the sidecar and the config', async (c) => {
    const cfg = PROMPT_CONFIGS[c];
    const encoder = initPromptParams(spec, cfg, 9);
    const eg = buildPromptEmbeddingGraph(spec, cfg);
    const s = await EngineSession.create(eg.serialize(), { intraOpThreads: 1 });
    const promptEmbeddings = (await s.run(promptFeeds(spec, cfg, encoder)))[eg.output].data as Float32Array;
    await s.release();
    const dir = join(work, c);
    writePeftPrompt(dir, { spec, config: cfg, baseModel: 'org/tiny', promptEmbeddings, encoder });

    const back = readPeftPrompt(dir);
    expect(back.promptEmbeddings.shape).toEqual(eg.shape);
    expect(back.promptEmbeddings.data).toEqual(promptEmbeddings);
    expect(promptParamShapes(spec, back.config)).toEqual(promptParamShapes(spec, cfg));
    for (const p of promptParamShapes(spec, cfg)) {
      expect(back.encoder?.get(p.name)?.shape).toEqual(p.shape);
      expect(back.encoder?.get(p.name)?.data).toEqual(encoder.get(p.name));
    }
    // Encoder-less methods save their table itself.
    if (cfg.kind === 'ptuning' ? cfg.encoder === 'none' : !cfg.projection) expect(promptEmbeddings).toEqual(encoder.get('prompt_encoder.default.embedding.weight'));
    const header = readFileSync(join(dir, 'adapter_model.safetensors'));
    expect(header.toString('utf8', 8, 200)).toContain('"prompt_embeddings"');
  });

  it('reads a PEFT-written folder without our sidecar (inference only); a missing config is named', () => {
    const dir = join(work, 'prefix');
    rmSync(join(dir, PROMPT_ENCODER_WEIGHTS));
    expect(readPeftPrompt(dir).encoder).toBeNull();
    expect(() => readPeftPrompt(join(work, 'missing'))).toThrow(/adapter_config.json is missing/);
  });
});
