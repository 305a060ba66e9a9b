#!/usr/bin/env python3
"""PyTorch reference of a LoRA training run, step for step, for the engine's trainer parity test.

Usage: train_reference.py JOB.json → prints {"losses": [...], "grad_norms": [...], "params": {name: flat list}}.
JOB.json: {"model_dir", "adapter": {"file", "r", "alpha", "targets"}, "steps": [[{"input_ids", "labels"}, ...micro-batches], ...],
           "lrs": [...], "weight_decay", "betas", "eps", "max_grad_norm", "loraplus_ratio"?}
Semantics (transformers Trainer + PEFT): per optimizer step the gradients of every micro-batch's summed token loss are
accumulated, divided by the step's counted tokens (the loss is the mean over all of them), clipped by global norm
(clip_grad_norm_), then torch.optim.AdamW steps with that step's learning rate. With "loraplus_ratio" λ (LoRA+), the
lora_B tensors form a second parameter group at lr × λ, both groups with the run's weight decay.
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from causal_lm_reference import Config, Model, causal_lm_loss, read_checkpoint, read_safetensors  # noqa: E402


def main():
    with open(sys.argv[1]) as f:
        job = json.load(f)
    dtype = getattr(torch, job.get("dtype", "float32"))
    with open(os.path.join(job["model_dir"], "config.json")) as f:
        cfg = Config(json.load(f))
    weights = {k: v.to(dtype) for k, v in read_checkpoint(job["model_dir"]).items()}
    ad = job["adapter"]
    tensors = {k: v.to(dtype).requires_grad_(True) for k, v in read_safetensors(ad["file"]).items()}
    names = sorted(tensors)
    lora = {"r": ad["r"], "alpha": ad["alpha"], "targets": set(ad["targets"]), "tensors": tensors}
    model = Model(cfg, weights, lora, dtype)
    ratio = job.get("loraplus_ratio")
    if ratio is None:
        groups, multipliers = [[tensors[n] for n in names]], [1.0]
    else:
        groups = [[tensors[n] for n in names if "lora_B" not in n], [tensors[n] for n in names if "lora_B" in n]]
        multipliers = [1.0, float(ratio)]
    opt = torch.optim.AdamW([{"params": g, "lr": job["lrs"][0] * m} for g, m in zip(groups, multipliers)],
                            betas=tuple(job["betas"]), eps=job["eps"], weight_decay=job["weight_decay"])
    losses, norms = [], []
    for step, micro_batches in enumerate(job["steps"]):
        opt.zero_grad()
        total, count = 0.0, 0
        for mb in micro_batches:
            ids = torch.tensor(mb["input_ids"], dtype=torch.int64)
            labels = torch.tensor(mb["labels"], dtype=torch.int64)
            loss_sum, n = causal_lm_loss(model.logits(ids), labels)
            loss_sum.backward()
            total += float(loss_sum)
            count += n
        for n in names:
            tensors[n].grad /= max(count, 1)
        norm = torch.nn.utils.clip_grad_norm_([tensors[n] for n in names], job["max_grad_norm"]) if job["max_grad_norm"] > 0 else None
        for g, m in zip(opt.param_groups, multipliers):
            g["lr"] = job["lrs"][step] * m
        opt.step()
        losses.append(total / max(count, 1))
        norms.append(float(norm) if norm is not None else None)
    json.dump({"losses": losses, "grad_norms": norms, "params": {n: tensors[n].detach().reshape(-1).tolist() for n in names}}, sys.stdout)


if __name__ == "__main__":
    main()
