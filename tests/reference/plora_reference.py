#!/usr/bin/env python3
"""PyTorch reference of a PLoRA run (LoRA in stages, each merged into the weights), for the engine's PLoRA parity test.

Usage: plora_reference.py JOB.json → prints {"losses": [...], "stages": [{name: flat list}, ...], "eval_loss_merged"}.
JOB.json: {"model_dir", "r", "alpha", "targets", "stages": [{"file": initial adapter .safetensors,
           "steps": [[{"input_ids", "labels"}, ...micro-batches], ...]}, ...], "lrs": [...] (per step, whole run),
           "optimizer": "adamw" | "sgd", "weight_decay", "betas", "eps", "momentum", "max_grad_norm",
           "eval": {"input_ids", "labels"}}
Semantics: each stage is a LoRA run as train_reference.py does it (summed token losses, divided by the step's counted
tokens, clip_grad_norm_, torch.optim.AdamW or SGD) from that stage's initial adapter and a fresh optimizer; at its end
W += (alpha/r)·B·A for every adapted module (what PEFT's merge_and_unload does), in float32. "eval_loss_merged" is the
mean token loss of "eval" under the final merged weights without any adapter.
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from causal_lm_reference import Config, Model, causal_lm_loss, read_checkpoint, read_safetensors  # noqa: E402
from train_step import accumulate  # noqa: E402

PREFIX = "base_model.model."


def main():
    with open(sys.argv[1]) as f:
        job = json.load(f)
    with open(os.path.join(job["model_dir"], "config.json")) as f:
        cfg = Config(json.load(f))
    weights = {k: v.float() for k, v in read_checkpoint(job["model_dir"]).items()}
    scale = job["alpha"] / job["r"]
    losses, finals = [], []
    step = 0
    for stage in job["stages"]:
        tensors = {k: v.float().requires_grad_(True) for k, v in read_safetensors(stage["file"]).items()}
        names = sorted(tensors)
        lora = {"r": job["r"], "alpha": job["alpha"], "targets": set(job["targets"]), "tensors": tensors}
        model = Model(cfg, weights, lora, torch.float32)
        params = [tensors[n] for n in names]
        if job.get("optimizer", "adamw") == "sgd":
            opt = torch.optim.SGD(params, lr=job["lrs"][0], momentum=job["momentum"], weight_decay=job["weight_decay"])
        else:
            opt = torch.optim.AdamW(params, lr=job["lrs"][0], betas=tuple(job["betas"]), eps=job["eps"], weight_decay=job["weight_decay"])
        for micro_batches in stage["steps"]:
            opt.zero_grad()
            total, count = accumulate(model, micro_batches)
            for n in names:
                tensors[n].grad /= max(count, 1)
            if job["max_grad_norm"] > 0:
                torch.nn.utils.clip_grad_norm_([tensors[n] for n in names], job["max_grad_norm"])
            opt.param_groups[0]["lr"] = job["lrs"][step]
            opt.step()
            losses.append(total / max(count, 1))
            step += 1
        finals.append({n: tensors[n].detach().reshape(-1).tolist() for n in names})
        with torch.no_grad():
            for n in names:
                if ".lora_A." not in n:
                    continue
                module = n[len(PREFIX):n.index(".lora_A.")]
                b = tensors[n.replace(".lora_A.", ".lora_B.")]
                weights[module + ".weight"] = weights[module + ".weight"] + scale * (b @ tensors[n])
    plain = Model(cfg, weights, None, torch.float32)
    ev = job["eval"]
    with torch.no_grad():
        loss_sum, n = causal_lm_loss(plain.logits(torch.tensor(ev["input_ids"])), torch.tensor(ev["labels"]))
    json.dump({"losses": losses, "stages": finals, "eval_loss_merged": float(loss_sum) / max(n, 1)}, sys.stdout)


if __name__ == "__main__":
    main()
