#!/usr/bin/env python3
"""PyTorch eager peer of the LoRA step benchmark: the same model folder, LoRA r=16 on all linear layers, AdamW, fp32.

Usage: lora_step_torch.py MODEL_DIR BATCH SEQ STEPS THREADS → prints JSON {tokens_per_s, step_s, peak_rss_mib, matmul_gflops}.
Uses the plain-torch HF-semantics model of tests/reference (transformers is not installed here)."""
import json
import os
import resource
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
from causal_lm_reference import Config, Model, causal_lm_loss, read_checkpoint  # noqa: E402

TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def matmul_peak(threads):
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    for _ in range(3):
        a @ b
    n, t0 = 20, time.perf_counter()
    for _ in range(n):
        a @ b
    return 2 * 1024 ** 3 * n / (time.perf_counter() - t0) / 1e9


def main():
    model_dir, batch, seq, steps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    with open(os.path.join(model_dir, "config.json")) as f:
        raw = json.load(f)
    cfg = Config(raw)
    weights = read_checkpoint(model_dir)
    r, alpha = 16, 32
    lora = {}
    for name, w in weights.items():
        parts = name.split(".")
        if len(parts) > 2 and parts[-2] in TARGETS and parts[-1] == "weight":
            module = name[: -len(".weight")]
            out_f, in_f = w.shape
            lora["base_model.model." + module + ".lora_A.weight"] = (torch.randn(r, in_f) / r).requires_grad_(True)
            lora["base_model.model." + module + ".lora_B.weight"] = torch.zeros(out_f, r).requires_grad_(True)
    model = Model(cfg, weights, {"r": r, "alpha": alpha, "targets": set(TARGETS), "tensors": lora}, torch.float32)
    opt = torch.optim.AdamW(list(lora.values()), lr=1e-4, weight_decay=0.0)
    gen = torch.Generator().manual_seed(1)
    ids = torch.randint(0, raw["vocab_size"], (batch, seq), generator=gen)
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        opt.zero_grad()
        loss_sum, n = causal_lm_loss(model.logits(ids), ids)
        (loss_sum / n).backward()
        torch.nn.utils.clip_grad_norm_(list(lora.values()), 1.0)
        opt.step()
        times.append(time.perf_counter() - t0)
    steady = times[1:] if len(times) > 1 else times
    step_s = sum(steady) / len(steady)
    json.dump({"tokens_per_s": batch * seq / step_s, "step_s": step_s, "steps_timed": len(steady),
               "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "matmul_gflops": matmul_peak(threads),
               "torch": torch.__version__}, sys.stdout)


if __name__ == "__main__":
    main()
