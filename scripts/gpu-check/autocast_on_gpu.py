#!/usr/bin/env python3
"""Our emulated mixed precision against the real thing: trains the tiny model of JOB_DIR (scripts/gpu-check/
write-autocast-job.ts) with LoRA for the job's steps in five ways and prints one JSON object.

  fp32            plain float32 (TF32 off)
  bf16_emulated   tests/reference/autocast_reference.py: float32 math with exact bf16 rounding where the engine rounds
                  (the engine matches this to ≤ 1e-3 per step on CPU: tests/unit/engine/precision/autocast-train-parity)
  bf16_autocast   torch.autocast(dtype=bfloat16) on the device: what a GPU run really does (tensor-core kernels)
  fp16_emulated / fp16_autocast   the same for float16, both with the same scripted dynamic GradScaler

Usage: autocast_on_gpu.py JOB_DIR [cuda|cpu]   (fp16 autocast needs cuda)
"""
import json
import os
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "reference"))
from autocast_reference import AutocastModel  # noqa: E402
from causal_lm_reference import Config, Model, causal_lm_loss, read_checkpoint, read_safetensors  # noqa: E402
from train_reference import Scaler  # noqa: E402


def run(job, root, device, mode):
    precision = None if mode == "fp32" else mode.split("_")[0]
    real = mode.endswith("_autocast")
    with open(os.path.join(root, job["model_dir"], "config.json")) as f:
        cfg = Config(json.load(f))
    weights = {k: v.float().to(device) for k, v in read_checkpoint(os.path.join(root, job["model_dir"])).items()}
    ad = job["adapter"]
    tensors = {k: v.float().to(device).requires_grad_(True) for k, v in read_safetensors(os.path.join(root, ad["file"])).items()}
    names = sorted(tensors)
    lora = {"r": ad["r"], "alpha": ad["alpha"], "targets": set(ad["targets"]), "tensors": tensors}
    model = AutocastModel(cfg, weights, lora, precision) if precision and not real else Model(cfg, weights, lora, torch.float32)
    scaler = Scaler({"init": 2.0 ** 16} if precision == "fp16" else None)
    opt = torch.optim.AdamW([tensors[n] for n in names], lr=job["lrs"][0], betas=tuple(job["betas"]), eps=job["eps"], weight_decay=job["weight_decay"])
    losses, skipped, updates = [], 0, 0
    low = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(precision)
    for micro_batches in job["steps"]:
        opt.zero_grad()
        total, count = 0.0, 0
        for mb in micro_batches:
            ids = torch.tensor(mb["input_ids"], dtype=torch.int64, device=device)
            labels = torch.tensor(mb["labels"], dtype=torch.int64, device=device)
            if real:
                with torch.autocast(device_type=device, dtype=low):
                    logits = model.logits(ids)
            else:
                logits = model.logits(ids)
            loss_sum, n = causal_lm_loss(logits.float(), labels)
            (loss_sum * scaler.factor() if scaler.on else loss_sum).backward()
            total += float(loss_sum)
            count += n
        found_inf = scaler.unscale([tensors[n] for n in names])
        for n in names:
            tensors[n].grad /= max(count, 1)
        torch.nn.utils.clip_grad_norm_([tensors[n] for n in names], job["max_grad_norm"])
        # As Trainer: the lr schedule follows applied updates (a skipped step steps neither AdamW nor the scheduler).
        for g in opt.param_groups:
            g["lr"] = job["lrs"][updates]
        if found_inf:
            skipped += 1
        else:
            opt.step()
            updates += 1
        scaler.update(found_inf)
        losses.append(total / max(count, 1))
    return {"losses": losses, "skipped": skipped}


def main():
    root = sys.argv[1]
    device = sys.argv[2] if len(sys.argv) > 2 else ("cuda" if torch.cuda.is_available() else "cpu")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    if hasattr(torch, "set_default_device"):
        torch.set_default_device(device)  # the reference model makes its masks and positions with factory functions
    with open(os.path.join(root, "job.json")) as f:
        job = json.load(f)
    modes = ["fp32", "bf16_emulated", "bf16_autocast", "fp16_emulated"] + (["fp16_autocast"] if device == "cuda" else [])
    runs = {}
    for mode in modes:
        started = time.time()
        runs[mode] = run(job, root, device, mode)
        runs[mode]["seconds"] = round(time.time() - started, 2)

    def rel(a, b):
        return max(abs(x - y) / abs(y) for x, y in zip(a, b))

    summary = {}
    for p in ("bf16", "fp16"):
        if f"{p}_autocast" in runs:
            em, au, fp = runs[f"{p}_emulated"]["losses"], runs[f"{p}_autocast"]["losses"], runs["fp32"]["losses"]
            summary[p] = {
                "emulated_vs_autocast_max_rel": rel(em, au),
                "autocast_vs_fp32_max_rel": rel(au, fp),
                "emulated_vs_fp32_max_rel": rel(em, fp),
                "final_loss": {"fp32": fp[-1], "emulated": em[-1], "autocast": au[-1]},
            }
    print(json.dumps({
        "device": torch.cuda.get_device_name(0) if device == "cuda" else "cpu", "torch": torch.__version__,
        "steps": len(job["steps"]), "summary": summary, "runs": runs,
    }, indent=1))


if __name__ == "__main__":
    main()
