#!/usr/bin/env python3
"""PyTorch reference of a LoRA+ training run, step for step, for the engine's LoRA+ parity test.

Usage: loraplus_reference.py JOB.json → prints {"losses": [...], "grad_norms": [...], "params": {name: flat list}}.
JOB.json: the keys of train_reference.py plus "loraplus_ratio" (λ).
LoRA+ as PEFT's create_loraplus_optimizer builds it (peft/optimizers/loraplus.py) for adapters on linear layers only:
one torch.optim.AdamW with two parameter groups, every lora_B at lr × λ and everything else (the lora_A) at lr, both
with the run's weight decay (PEFT's loraplus_weight_decay set to it). The schedule scales each group's own lr, as
transformers' LambdaLR does with a group's initial lr. Everything else is train_reference.py: per optimizer step the
gradients of each micro-batch's summed token loss are accumulated, divided by the step's counted tokens, clipped by
global norm, then the optimizer steps.
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
    ratio = float(job["loraplus_ratio"])
    with open(os.path.join(job["model_dir"], "config.json")) as f:
        cfg = Config(json.load(f))
    weights = {k: v.to(torch.float32) for k, v in read_checkpoint(job["model_dir"]).items()}
    ad = job["adapter"]
    tensors = {k: v.to(torch.float32).requires_grad_(True) for k, v in read_safetensors(ad["file"]).items()}
    names = sorted(tensors)
    model = Model(cfg, weights, {"r": ad["r"], "alpha": ad["alpha"], "targets": set(ad["targets"]), "tensors": tensors}, torch.float32)
    b_names = [n for n in names if "lora_B" in n]
    a_names = [n for n in names if "lora_B" not in n]
    multipliers = [1.0, ratio]
    groups = [
        {"params": [tensors[n] for n in a_names], "lr": job["lrs"][0], "weight_decay": job["weight_decay"]},
        {"params": [tensors[n] for n in b_names], "lr": job["lrs"][0] * ratio, "weight_decay": job["weight_decay"]},
    ]
    opt = torch.optim.AdamW(groups, betas=tuple(job["betas"]), eps=job["eps"])
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
        for g, mult in zip(opt.param_groups, multipliers):
            g["lr"] = job["lrs"][step] * mult
        opt.step()
        losses.append(total / max(count, 1))
        norms.append(float(norm) if norm is not None else None)
    json.dump({"losses": losses, "grad_norms": norms, "params": {n: tensors[n].detach().reshape(-1).tolist() for n in names}}, sys.stdout)


if __name__ == "__main__":
    main()
