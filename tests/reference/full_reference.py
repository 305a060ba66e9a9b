#!/usr/bin/env python3
"""PyTorch reference of a full fine-tuning run with L2-SP / EWC, for the engine's full fine-tuning parity test.

Usage: full_reference.py JOB.json → prints {"losses": [...], "params": {name: flat list}} (every trained weight).
JOB.json: {"model_dir", "steps": [[{"input_ids", "labels"}, ...micro-batches], ...], "lrs": [...], "momentum",
           "weight_decay", "max_grad_norm", "l2sp": λ or 0, "ewc": λ or 0, "fisher": .safetensors file or null}
Semantics: every checkpoint weight trains in float32 (the embedding too). Per step the micro-batches' summed token
losses are backpropagated, the gradients divided by the step's counted tokens; then the penalties' gradients are added
as if (λ/2)·Σ F⊙(w − w0)² (F = 1 for L2-SP) were part of the loss, clip_grad_norm_ clips, torch.optim.SGD steps.
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from causal_lm_reference import Config, Model, read_checkpoint, read_safetensors  # noqa: E402
from train_step import accumulate  # noqa: E402


def main():
    with open(sys.argv[1]) as f:
        job = json.load(f)
    with open(os.path.join(job["model_dir"], "config.json")) as f:
        cfg = Config(json.load(f))
    w0 = {k: v.float() for k, v in read_checkpoint(job["model_dir"]).items()}
    weights = {k: v.clone().requires_grad_(True) for k, v in w0.items()}
    names = sorted(weights)
    fisher = read_safetensors(job["fisher"]) if job.get("fisher") else None
    model = Model(cfg, weights, None, torch.float32)
    opt = torch.optim.SGD([weights[n] for n in names], lr=job["lrs"][0], momentum=job["momentum"], weight_decay=job["weight_decay"])
    losses = []
    for step, micro_batches in enumerate(job["steps"]):
        opt.zero_grad()
        total, count = accumulate(model, micro_batches)
        penalty = torch.zeros(())
        for n in names:
            weights[n].grad /= max(count, 1)
            d = weights[n] - w0[n]
            if job["l2sp"]:
                penalty = penalty + 0.5 * job["l2sp"] * (d * d).sum()
            if job["ewc"]:
                penalty = penalty + 0.5 * job["ewc"] * (fisher[n].float() * d * d).sum()
        if penalty.requires_grad:
            penalty.backward()
        if job["max_grad_norm"] > 0:
            torch.nn.utils.clip_grad_norm_([weights[n] for n in names], job["max_grad_norm"])
        opt.param_groups[0]["lr"] = job["lrs"][step]
        opt.step()
        losses.append(total / max(count, 1))
    json.dump({"losses": losses, "params": {n: weights[n].detach().reshape(-1).tolist() for n in names}}, sys.stdout)


if __name__ == "__main__":
    main()
