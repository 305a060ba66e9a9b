#!/usr/bin/env python3
"""PyTorch reference of a LoRA training run, step for step, for the engine's trainer parity test.

Usage: train_reference.py JOB.json → prints {"losses": [...], "grad_norms": [...], "params": {name: flat list}}.
JOB.json: {"model_dir", "adapter": {"file", "r", "alpha", "targets"}, "steps": [[{"input_ids", "labels"}, ...micro-batches], ...],
           "lrs": [...], "weight_decay", "betas", "eps", "max_grad_norm", "loraplus_ratio"?,
           "precision"?: "bf16" | "fp16", "loss_scale"?: {"init", "growth_factor", "backoff_factor", "growth_interval"},
           "update_lrs"?: [...]}
Semantics (transformers Trainer + PEFT): per optimizer step the gradients of every micro-batch's summed token loss are
accumulated, divided by the step's counted tokens (the loss is the mean over all of them), clipped by global norm
(clip_grad_norm_), then torch.optim.AdamW steps with that step's learning rate. With "loraplus_ratio" λ (LoRA+), the
lora_B tensors form a second parameter group at lr × λ, both groups with the run's weight decay.
With "precision" the model is autocast_reference.py's (the engine's emulated fp16/bf16 rounding points). With
"loss_scale" a GradScaler scripted in Python (torch 1.13's CUDA-only class): the summed loss is multiplied by the scale
before backward, gradients are multiplied by float32(1/scale) first, a non-finite gradient skips optimizer.step()
(AdamW's step count stays) and backs the scale off, growth_interval clean steps grow it. "update_lrs" gives the lr by
applied update instead of by step, as Trainer does not step its lr scheduler when the scaler skipped the step.
Output adds "skipped" and "scales" (the scale each step used).
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from autocast_reference import AutocastModel  # noqa: E402
from causal_lm_reference import Config, Model, causal_lm_loss, read_checkpoint, read_safetensors  # noqa: E402


class Scaler:
    """torch.cuda.amp.GradScaler's dynamic schedule (scale kept in float32), or no scaling when `cfg` is None."""

    def __init__(self, cfg):
        self.on = cfg is not None
        cfg = cfg or {}
        self.scale = torch.tensor(float(cfg.get("init", 2.0 ** 16)), dtype=torch.float32)
        self.growth, self.backoff = cfg.get("growth_factor", 2.0), cfg.get("backoff_factor", 0.5)
        self.interval, self.tracker = cfg.get("growth_interval", 2000), 0

    def factor(self):
        return float(self.scale) if self.on else 1.0

    def unscale(self, params):
        """Multiplies the grads by float32(1/scale) (computed in double, as unscale_); True when one is not finite."""
        if not self.on:
            return False
        inv = torch.tensor(1.0 / float(self.scale), dtype=torch.float32)
        found = False
        for p in params:
            p.grad.mul_(inv)
            found = found or not bool(torch.isfinite(p.grad).all())
        return found

    def update(self, found_inf):
        if not self.on:
            return
        if found_inf:
            self.scale = torch.tensor(float(self.scale) * self.backoff, dtype=torch.float32)
            self.tracker = 0
        elif self.tracker + 1 == self.interval:
            grown = torch.tensor(float(self.scale) * self.growth, dtype=torch.float32)
            if bool(torch.isfinite(grown)):
                self.scale = grown
            self.tracker = 0
        else:
            self.tracker += 1


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
    model = AutocastModel(cfg, weights, lora, job["precision"]) if job.get("precision") else Model(cfg, weights, lora, dtype)
    scaler = Scaler(job.get("loss_scale"))
    ratio = job.get("loraplus_ratio")
    if ratio is None:
        groups, multipliers = [[tensors[n] for n in names]], [1.0]
    else:
        groups = [[tensors[n] for n in names if "lora_B" not in n], [tensors[n] for n in names if "lora_B" in n]]
        multipliers = [1.0, float(ratio)]
    first_lr = job["update_lrs"][0] if "update_lrs" in job else job["lrs"][0]
    opt = torch.optim.AdamW([{"params": g, "lr": first_lr * m} for g, m in zip(groups, multipliers)],
                            betas=tuple(job["betas"]), eps=job["eps"], weight_decay=job["weight_decay"])
    losses, norms, skipped, scales = [], [], [], []
    updates = 0
    for step, micro_batches in enumerate(job["steps"]):
        opt.zero_grad()
        total, count = 0.0, 0
        scales.append(scaler.factor())
        for mb in micro_batches:
            ids = torch.tensor(mb["input_ids"], dtype=torch.int64)
            labels = torch.tensor(mb["labels"], dtype=torch.int64)
            loss_sum, n = causal_lm_loss(model.logits(ids), labels)
            (loss_sum * scaler.factor() if scaler.on else loss_sum).backward()
            total += float(loss_sum)
            count += n
        found_inf = scaler.unscale([tensors[n] for n in names])
        for n in names:
            tensors[n].grad /= max(count, 1)
        norm = torch.nn.utils.clip_grad_norm_([tensors[n] for n in names], job["max_grad_norm"]) if job["max_grad_norm"] > 0 else None
        lr = job["update_lrs"][updates] if "update_lrs" in job else job["lrs"][step]
        for g, m in zip(opt.param_groups, multipliers):
            g["lr"] = lr * m
        if not found_inf:
            opt.step()
            updates += 1
        scaler.update(found_inf)
        losses.append(total / max(count, 1))
        norms.append(float(norm) if norm is not None and bool(torch.isfinite(norm)) else None)  # JSON has no inf/NaN
        skipped.append(found_inf)
    json.dump({"losses": losses, "grad_norms": norms, "skipped": skipped, "scales": scales,
               "params": {n: tensors[n].detach().reshape(-1).tolist() for n in names}}, sys.stdout)


if __name__ == "__main__":
    main()
