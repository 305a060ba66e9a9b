// Full fine-tuning: every base weight trains (the embedding too), as float32 graph inputs. Guards against forgetting:
// L2-SP pulls each weight toward its pre-trained value, EWC does the same weighted by a diagonal Fisher estimated before
// the first step (engine/optim/anchor.ts, train/fisher.ts). Checkpoints and the result are sharded safetensors; the
// result is a complete model folder (OUT/model/) in the base model's dtype.
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readFloatCheckpoint, writeShardedSafetensors } from '../../io/sharded-safetensors';
import { anchorFeeds } from '../../optim/anchor';
import type { ParamSpec } from '../../optim';
import { MODEL_SIDE_FILES } from '../../../models/merge';
import { readTokenizedExamples } from '../examples';
import { DEFAULT_FISHER_SAMPLES, estimateFisher, loadFisher, saveFisher } from '../fisher';
import type { MethodContext, TrainMethodPlan } from './types';

/** The base checkpoint's dtype for the exported model: what config.json's torch_dtype says, float32 when unsure. */
function exportDtype(torchDtype: string | null): 'F32' | 'F16' | 'BF16' {
  if (torchDtype === 'bfloat16') return 'BF16';
  if (torchDtype === 'float16') return 'F16';
  return 'F32';
}

export function fullPlan(ctx: MethodContext): TrainMethodPlan {
  const p = ctx.params;
  if (p.initAdapter) throw new Error('Full fine-tuning trains the model itself: --init-adapter cannot be combined with method full.');
  const guards = p.guards ?? { l2spLambda: 0, ewcLambda: 0, ewcData: null, ewcSamples: DEFAULT_FISHER_SAMPLES };
  const anchored = guards.l2spLambda > 0 || guards.ewcLambda > 0;
  // The pre-trained weights, kept apart from the trained copies (the update graph reads both).
  let w0: Map<string, Float32Array> | null = null;
  let fisher: Map<string, Float32Array> | null = null;
  let specs: ParamSpec[] = [];

  const readBase = (names: readonly string[]) => {
    const all = readFloatCheckpoint(p.modelDir);
    return new Map(names.map((n) => {
      const t = all.get(n);
      if (!t) throw new Error(`${p.modelDir} has no tensor ${n}.`);
      return [n, t.data];
    }));
  };

  return {
    trainGraph: { trainable: 'all' },
    evalGraph: { trainable: 'all' },
    initialParams: (graphParams) => {
      const base = readBase(graphParams.map((g) => g.name));
      // The guards keep the decoded pre-trained values as w0: one checkpoint read, not a second in prepare().
      if (anchored) w0 = base;
      return new Map([...base].map(([n, d]) => [n, Float32Array.from(d)]));
    },
    optimizerParams: (params) => (specs = params.map((q) => ({ ...q, group: 0, anchored }))),
    optimizerAnchor: anchored ? { ...(guards.l2spLambda > 0 ? { l2sp: guards.l2spLambda } : {}), ...(guards.ewcLambda > 0 ? { ewc: guards.ewcLambda } : {}) } : undefined,
    prepare: async (train, built, trained) => {
      if (!anchored) return;
      w0 ??= readBase(built.params.map((q) => q.name)); // a resumed run did not call initialParams
      if (guards.ewcLambda <= 0) return;
      const saved = loadFisher(ctx.runDir);
      if (saved) {
        fisher = saved.fisher;
        ctx.log(`EWC: Fisher from ${saved.examples} examples (read back from the run folder)`);
        return;
      }
      const source = guards.ewcData ?? p.trainData;
      const examples = readTokenizedExamples(source);
      const feeds = Object.fromEntries(built.params.map((q) => [q.name, { data: trained.get(q.name) as Float32Array, dims: q.shape }]));
      if (built.lossScale) feeds[built.lossScale] = { data: Float32Array.of(1), dims: [] };
      ctx.log(`EWC: estimating the diagonal Fisher on ${Math.min(guards.ewcSamples, examples.length)} examples of ${guards.ewcData ? 'the general data' : 'the training data (no ewc_data given)'}`);
      const r = await estimateFisher(train, examples, feeds, { params: built.params, samples: guards.ewcSamples, seed: p.seed });
      saveFisher(ctx.runDir, r);
      fisher = r.fisher;
      ctx.log(`EWC: Fisher mean ${r.mean.toExponential(3)}, max ${r.max.toExponential(3)} over ${r.examples} examples`);
    },
    updateFeeds: () => (anchored ? anchorFeeds(specs, w0 as Map<string, Float32Array>, guards.ewcLambda > 0 ? (fisher as Map<string, Float32Array>) : undefined) : {}),
    codec: {
      // Checkpoints keep float32 (a resume must continue exactly); the export converts to the base's dtype.
      write: (dir, params, shapes) => { writeShardedSafetensors(dir, [...params].map(([name, data]) => ({ name, shape: shapes.get(name) as number[], data }))); },
      read: (dir) => new Map([...readFloatCheckpoint(dir)].map(([n, t]) => [n, t.data])),
    },
    exportFinal: (runDir, params, shapes) => {
      const dir = join(runDir, 'model');
      const tmp = `${dir}.partial`;
      rmSync(tmp, { recursive: true, force: true });
      mkdirSync(tmp, { recursive: true });
      writeShardedSafetensors(tmp, [...params].map(([name, data]) => ({ name, shape: shapes.get(name) as number[], data })), { dtype: exportDtype(p.spec.torchDtype) });
      for (const f of MODEL_SIDE_FILES) if (f !== 'model.safetensors.index.json' && existsSync(join(p.modelDir, f))) copyFileSync(join(p.modelDir, f), join(tmp, f));
      rmSync(dir, { recursive: true, force: true });
      renameSync(tmp, dir);
      return { adapterDir: dir, extra: [] };
    },
    describe: () => [
      `full fine-tuning: every weight trains${anchored ? `; guards: ${[guards.l2spLambda > 0 ? `L2-SP λ=${guards.l2spLambda}` : '', guards.ewcLambda > 0 ? `EWC λ=${guards.ewcLambda}` : ''].filter(Boolean).join(', ')}` : ''}`,
    ],
  };
}
