"""Emulated autocast for the PyTorch references, rounding where engine/nn/precision.ts rounds.

AutocastModel's low-precision copy of a float32 tensor x is round(x) forward, and its backward rounds the gradient that
reaches the copy before passing it to x — exactly the engine's lowp = GradRound(roundToFormat(x)). A cast to bfloat16 /
float16 and back rounds to nearest-even with overflow to ±inf, bit for bit as the engine's in-graph rounding; the
matmuls themselves run in float32 on the rounded operands, as the engine's do (fp32 accumulation).
"""
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
