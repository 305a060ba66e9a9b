#!/usr/bin/env python3
"""PyTorch reference of an emulated fp8 LoRA training run (Transformer Engine's HYBRID delayed-scaling recipe), fake-
quantizing where the engine does (src-main/engine/precision/fp8-linear.ts), with the scales the engine's trainer used.

Usage: fp8_reference.py JOB.json → prints {"losses": [...], "first_grads": {name: flat list}, "params": {name: flat list}}
(first_grads: step 1's gradients of the summed loss over its micro-batches, before clipping).
JOB.json: {"model_dir", "adapter": {"file", "r", "alpha", "targets"}, "steps": [[{"input_ids", "labels"}, ...], ...],
           "lrs": [...], "weight_decay", "betas", "eps", "max_grad_norm",
           "scales": [{"fp8_scale.<module>.x|w|dy": scale, ...} per step]}
The model is autocast_reference.py's bf16 AutocastModel except each decoder projection's base matmul:
  x_q = round_E4M3(bf16(x)·s_x)·(1/s_x), W_q likewise, y = x_q W_qᵀ, and in the backward
  dY_q = round_E5M2(dY·s_dy)·(1/s_dy), all saturating (TE's casts are SATFINITE), gradients straight through the casts.
torch 1.13 has no float8 dtypes, so the rounding is explicit arithmetic, exact: in float64 the value is split by frexp,
its quantum 2^(e − mantissa bits) (e clamped to the format's minimum normal exponent, which gives the subnormals) divides
it exactly, torch.round rounds half to even, and the product is exact; the result clamps to ±max. The scales being
given, the check is of the arithmetic, not of the amax-history bookkeeping (tested on its own in TypeScript).
"""
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from autocast_reference import AutocastModel  # noqa: E402
from causal_lm_reference import Config, read_checkpoint, read_safetensors  # noqa: E402
from train_step import accumulate  # noqa: E402

# (mantissa bits, minimum normal exponent, max): OCP E4M3FN and E5M2.
FP8 = {"e4m3": (3, -6, 448.0), "e5m2": (2, -14, 57344.0)}


def round_fp8(v, fmt):
    """float32 v to the nearest fmt value, ties to even, saturating; returned as float32 (exact)."""
    mant, emin, vmax = FP8[fmt]
    d = v.double()
    _, e = torch.frexp(d)  # d = m·2^e with |m| in [0.5, 1): the binade's exponent is e − 1
    q = torch.pow(2.0, torch.clamp(e - 1, min=emin).double() - mant)
    r = torch.round(d / q) * q
    return torch.clamp(r, -vmax, vmax).float()


class Quantize(torch.autograd.Function):
    """Forward fake-quant round_fmt(v·s)·(1/s); gradient straight through."""

    @staticmethod
    def forward(ctx, v, s, fmt):
        return round_fp8(v * s, fmt) * torch.reciprocal(s)

    @staticmethod
    def backward(ctx, dy):
        return dy, None, None


class GradQuantize(torch.autograd.Function):
    """Identity forward; the gradient fake-quantized to E5M2 with scale s."""

    @staticmethod
    def forward(ctx, y, s):
        ctx.s = s
        return y.clone()

    @staticmethod
    def backward(ctx, dy):
        return round_fp8(dy * ctx.s, "e5m2") * torch.reciprocal(ctx.s), None


class Fp8Model(AutocastModel):
    def __init__(self, cfg, weights, lora):
        super().__init__(cfg, weights, lora, "bf16")
        self.scales = {}

    def scale(self, module, t):
        return torch.tensor(self.scales.get("fp8_scale.%s.%s" % (module, t), 1.0), dtype=torch.float32)

    def linear(self, x, module, bias=False):
        xq = Quantize.apply(self.lowp(x), self.scale(module, "x"), "e4m3")
        wq = Quantize.apply(self.lowp(self.w[module + ".weight"]), self.scale(module, "w"), "e4m3")
        y = GradQuantize.apply(xq @ wq.t(), self.scale(module, "dy"))
        if bias:
            y = y + self.lowp(self.w[module + ".bias"])
        y = self.lowp(y)
        lo = self.lora
        if lo and module.split(".")[-1] in lo["targets"]:  # plain LoRA in bf16 autocast, as Model.linear
            a = lo["tensors"]["base_model.model." + module + ".lora_A.weight"]
            b = lo["tensors"]["base_model.model." + module + ".lora_B.weight"]
            scaling = lo["alpha"] / lo["r"]
            y = self.lowp(y + self.lowp(self.mm(self.mm(self.lora_input(x, module), a.t()), b.t()) * scaling))
        return y


def main():
    with open(sys.argv[1]) as f:
        job = json.load(f)
    with open(os.path.join(job["model_dir"], "config.json")) as f:
        cfg = Config(json.load(f))
    weights = {k: v.float() for k, v in read_checkpoint(job["model_dir"]).items()}
    ad = job["adapter"]
    tensors = {k: v.float().requires_grad_(True) for k, v in read_safetensors(ad["file"]).items()}
    names = sorted(tensors)
    model = Fp8Model(cfg, weights, {"r": ad["r"], "alpha": ad["alpha"], "targets": set(ad["targets"]), "tensors": tensors})
    opt = torch.optim.AdamW([tensors[n] for n in names], lr=job["lrs"][0], betas=tuple(job["betas"]), eps=job["eps"],
                            weight_decay=job["weight_decay"])
    losses, first_grads = [], None
    for step, micro_batches in enumerate(job["steps"]):
        model.scales = job["scales"][step]
        opt.zero_grad()
        total, count = accumulate(model, micro_batches)
        if step == 0:  # the first step's summed gradients, before any normalisation (the engine's grad.<name>)
            first_grads = {n: tensors[n].grad.reshape(-1).tolist() for n in names}
        for n in names:
            tensors[n].grad /= max(count, 1)
        if job["max_grad_norm"] > 0:
            torch.nn.utils.clip_grad_norm_([tensors[n] for n in names], job["max_grad_norm"])
        for g in opt.param_groups:
            g["lr"] = job["lrs"][step]
        opt.step()
        losses.append(total / max(count, 1))
    assert all(math.isfinite(v) for v in losses)
    json.dump({"losses": losses, "first_grads": first_grads, "params": {n: tensors[n].detach().reshape(-1).tolist() for n in names}}, sys.stdout)


if __name__ == "__main__":
    main()
