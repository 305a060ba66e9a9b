// The 'init-check' engine job: proves on the user's own model that a fresh adapter changes nothing at step 0. With
// B = 0, (α/r)·B·A·x is exactly zero, so the adapted model's loss must equal the base model's bit for bit (with DoRA,
// m = ‖W‖ row-wise makes the rescale 1, up to one rounding). A control with B drawn like A must move the loss, so the
// check is one that could fail.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InitCheckParams, type InitCheckResult } from '../../common/jobs';
import { readModelConfig } from '../../models/hf/config';
import { TextTokenizer } from '../../models/tokenizer';
import { buildEvalGraph, checkpointWeightReader, initDoraMagnitudes, initLoraWeights, loraTensors, Prng, type LoraConfig } from '../nn';
import { EngineSession, type Feed } from '../runtime';
import { evaluateOnSession } from '../train/evaluate';
import { settingsLoraConfig } from '../train/lora-state';
import { resolveWeightRefs } from '../train/weights';
import type { EngineJob } from './types';

export const INIT_CHECK_FILE = 'init-check.json';
const SAMPLE_TEXT = 'The adapter starts as a no-op: before the first step the model answers exactly as the base model does.';
const MAX_TOKENS = 64;

export const initCheckJob: EngineJob = {
  kind: 'init-check',
  async run(ctx) {
    const parsed = InitCheckParams.safeParse(ctx.params);
    if (!parsed.success) throw new Error(`Invalid init-check parameters: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    if (!ctx.runDir) throw new Error('An init-check job needs a run folder.');
    const p = parsed.data;
    const spec = readModelConfig(p.modelDir);
    const ids = existsSync(join(p.modelDir, 'tokenizer.json'))
      ? TextTokenizer.fromFolder(p.modelDir).encode(p.text ?? SAMPLE_TEXT).slice(0, MAX_TOKENS)
      : Array.from({ length: 32 }, (_, i) => (i * 7919 + 13) % spec.vocabSize); // no tokenizer: any fixed ids will do
    if (ids.length < 2) throw new Error('The text must give at least two tokens.');
    const graphDir = join(ctx.runDir, 'graph');
    mkdirSync(graphDir, { recursive: true });
    const weights = resolveWeightRefs(p.modelDir, graphDir);
    const examples = [{ inputIds: ids, labels: ids }];
    const threads = p.threads ?? 2;

    const lossWith = async (file: string, lora: LoraConfig | null, values: Map<string, Float32Array>): Promise<number> => {
      const built = buildEvalGraph(spec, weights, { lora, name: file });
      writeFileSync(join(graphDir, `${file}.onnx`), built.serialize());
      const session = await EngineSession.create(join(graphDir, `${file}.onnx`), { intraOpThreads: threads });
      try {
        const feeds: Record<string, Feed> = Object.fromEntries(built.params.map((q) => [q.name, { data: values.get(q.name) as Float32Array, dims: q.shape }]));
        return (await evaluateOnSession(session, examples, 1, 0, feeds)).loss;
      } finally {
        await session.release();
      }
    };

    const cfg = settingsLoraConfig(p.lora);
    const fresh = initLoraWeights(spec, cfg, p.seed, p.lora.init);
    if (cfg.useDora) for (const [k, v] of initDoraMagnitudes(spec, cfg, checkpointWeightReader(p.modelDir))) fresh.set(k, v);
    ctx.emit({ type: 'progress', progress: 0.1, message: `evaluating ${ids.length} tokens without and with the adapter`, rate: null, etaSeconds: null });
    const base = await lossWith('base', null, new Map());
    const adapted = await lossWith('adapted', cfg, fresh);
    // The control: B drawn like A (same scale), so the adapter is no longer zero.
    const control = new Map(fresh);
    const rng = new Prng(p.seed + 1);
    for (const t of loraTensors(spec, cfg)) if (t.kind === 'B') control.set(t.name, rng.normalArray(t.shape[0] * t.shape[1], 1 / cfg.r));
    const controlLoss = await lossWith('control', cfg, control);
    const result: InitCheckResult = {
      tokens: ids.length, base_loss: base, adapter_loss: adapted, identical: Object.is(base, adapted), abs_diff: Math.abs(base - adapted), control_loss: controlLoss,
    };
    writeFileSync(join(ctx.runDir, INIT_CHECK_FILE), `${JSON.stringify(result, null, 2)}\n`);
    return { status: 'done', result: { ...result } };
  },
};
