// A seeded random LoRA adapter with A and B both non-zero (a trained adapter's shape), written in PEFT layout.
import type { ModelSpec } from '../../../src-main/common/model-spec';
import { loraTensors, Prng, type LoraConfig } from '../../../src-main/engine/nn';
import { writePeftAdapter, type AdapterTensor } from '../../../src-main/models/peft';

/** B ~ N(0, 0.05) makes the update (alpha/r)·B·A large enough to move the loss, small enough to keep it sane. */
export function writeRandomAdapter(dir: string, spec: ModelSpec, cfg: LoraConfig, seed: number, baseModel = 'tiny'): Map<string, AdapterTensor> {
  const rng = new Prng(seed);
  const tensors = new Map<string, AdapterTensor>();
  for (const t of loraTensors(spec, cfg)) {
    const std = t.kind === 'A' ? 1 / cfg.r : 0.05;
    tensors.set(t.name, { shape: [...t.shape], data: rng.normalArray(t.shape[0] * t.shape[1], std) });
  }
  const targets = cfg.targets === 'all-linear' ? ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] : [...cfg.targets];
  writePeftAdapter(dir, { r: cfg.r, alpha: cfg.alpha, dropout: 0, targetModules: targets, init: 'gaussian', baseModel }, tensors);
  return tensors;
}
