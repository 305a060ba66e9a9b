// Benchmark (issue 3): LoRA r=16 on all linear layers of a Llama-shaped model (H 512, 8 layers, 8 heads, 4 kv heads,
// I 1408, V 8192), batch 4 × 256, AdamW, fp32, 2 threads — ours vs PyTorch eager on the identical step, same run.
// Run: npx tsx tests/bench/lora-step.bench.ts [steps]   Prints JSON. Target: ratio ≥ 1.5 and our peak RSS ≤ PyTorch's.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTinyModel } from '../reference/tiny-models';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const STEPS = Number(process.argv[2] ?? 6);
const [B, S, THREADS] = [4, 256, 2];
const config = {
  architectures: ['LlamaForCausalLM'], hidden_size: 512, intermediate_size: 1408, num_hidden_layers: 8, num_attention_heads: 8,
  num_key_value_heads: 4, vocab_size: 8192, max_position_embeddings: 2048, rms_norm_eps: 1e-6, rope_theta: 10000, tie_word_embeddings: false,
};

/** FLOPs of one step: forward 2·N·T over the matmul weights, the same again for input gradients (frozen weights still
 * pass gradients), LoRA's own weight gradients, and attention QKᵀ and PV (forward ×1, backward ×2). */
function stepFlops(): number {
  const { hidden_size: H, intermediate_size: I, num_hidden_layers: L, num_attention_heads: nh, num_key_value_heads: nkv, vocab_size: V } = config;
  const hd = H / nh;
  const T = B * S;
  const r = 16;
  const perLayer = H * nh * hd + 2 * H * nkv * hd + nh * hd * H + 3 * H * I;
  const matmulParams = L * perLayer + H * V; // + lm_head
  const loraParams = L * r * (2 * H + 2 * (H + nkv * hd) + 2 * H + 3 * (H + I)); // A and B of the 7 projections
  const attention = L * 2 * 2 * B * nh * S * S * hd; // QKᵀ and PV, forward
  return 2 * matmulParams * T * 2 + 3 * 2 * loraParams * T + attention * 3;
}

const work = mkdtempSync(join(tmpdir(), 'ftstudio-bench-model-'));
try {
  const modelDir = writeTinyModel(join(work, 'model'), { id: 'bench', dtype: 'F32', seed: 1, config });
  const env = { ...process.env, OMP_NUM_THREADS: String(THREADS) };
  const ours = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'tests/bench/lora-step-ours.ts'), modelDir, String(B), String(S), String(STEPS), String(THREADS)],
    { cwd: ROOT, encoding: 'utf8', env, maxBuffer: 16 << 20 }));
  const torch = JSON.parse(execFileSync('/usr/bin/python3', [join(ROOT, 'tests/bench/lora_step_torch.py'), modelDir, String(B), String(S), String(STEPS), String(THREADS)],
    { encoding: 'utf8', env, maxBuffer: 16 << 20 }));
  const flops = stepFlops();
  console.log(JSON.stringify({
    benchmark: 'lora-r16-all-linear llama-512x8 batch 4x256 adamw fp32',
    threads: THREADS,
    steps: STEPS,
    ours: { ...ours, achieved_gflops: flops / ours.step_s / 1e9, share_of_matmul_peak: flops / ours.step_s / 1e9 / ours.matmul_gflops },
    pytorch: { ...torch, achieved_gflops: flops / torch.step_s / 1e9, share_of_matmul_peak: flops / torch.step_s / 1e9 / torch.matmul_gflops },
    step_gflop: flops / 1e9,
    speedup_vs_pytorch: ours.tokens_per_s / torch.tokens_per_s,
    rss_ratio_ours_over_pytorch: ours.peak_rss_mib / torch.peak_rss_mib,
    targets: { speedup: 1.5, rss_ratio: 1 },
  }, null, 2));
} finally {
  rmSync(work, { recursive: true, force: true });
}
