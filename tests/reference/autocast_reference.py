"""Emulated autocast for the PyTorch references, rounding where engine/nn/precision.ts rounds.

AutocastModel's low-precision copy of a float32 tensor x is round(x) forward, and its backward rounds the gradient that
reaches the copy before passing it to x — exactly the engine's lowp = GradRound(roundToFormat(x)). A cast to bfloat16 /
float16 and back rounds to nearest-even with overflow to ±inf, bit for bit as the engine's in-graph rounding; the
matmuls themselves run on the rounded operands with float32 results, as the engine's do.

Those matmuls are computed in float64 and rounded once to float32, forward and backward: the correctly rounded fp32
product, the same on every CPU. A float32 BLAS sums in an order of its own choosing that differs between CPUs (OpenBLAS
runs its SkylakeX kernel on an AVX-512 machine, Haswell on AVX2); now and then that lands a value on the other side of a
bf16/fp16 rounding boundary, and over a few AdamW steps the reference itself moved by 5e-4 in loss between those two
kernels. With exact products the reference is one trajectory on every machine; only the engine's own summation varies.
"""
import contextlib

import torch

from causal_lm_reference import Model

FORMATS = {"bf16": torch.bfloat16, "fp16": torch.float16}


class RoundBoth(torch.autograd.Function):
    """y = round(x) to `low`; dx = round(dy) to `low` (a low-precision copy and its low-precision gradient)."""

    @staticmethod
    def forward(ctx, x, low):
        ctx.low = low
        return x.to(low).to(x.dtype)

    @staticmethod
    def backward(ctx, dy):
        return dy.to(ctx.low).to(dy.dtype), None


class AutocastModel(Model):
    def __init__(self, cfg, weights, lora, precision):
        super().__init__(cfg, weights, lora, torch.float32)
        self.low = FORMATS[precision]

    def lowp(self, x):
        return RoundBoth.apply(x, self.low)

    def logits(self, ids):
        with exact_matmul():
            return super().logits(ids)


@contextlib.contextmanager
def exact_matmul():
    """float32 @ float32 as float64 products rounded once to float32; autograd records the float64 ops, so the backward's
    matmuls are exact too."""
    plain = torch.Tensor.__matmul__

    def exact(a, b):
        if a.dtype == torch.float32 and b.dtype == torch.float32:
            return plain(a.double(), b.double()).float()
        return plain(a, b)

    torch.Tensor.__matmul__ = exact
    try:
        yield
    finally:
        torch.Tensor.__matmul__ = plain
