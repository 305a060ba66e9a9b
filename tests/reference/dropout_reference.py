#!/usr/bin/env python3
"""Plain-PyTorch reference of PEFT LoRA with lora_dropout, given the dropout masks the engine drew.

PEFT's lora/layer.py Linear.forward: result = base_layer(x) + lora_B(lora_A(dropout(x))) * scaling, with one
nn.Dropout per adapted module (inverted dropout: kept values * 1/(1-p)). The random masks are not redrawn here:
the engine's masks come in the job, so the reference computes exactly the same function and the gradients must
match. Everything else (model, loss) is causal_lm_reference.py's Model, reused unchanged.

Usage: dropout_reference.py JOB.json → prints {case_id: {dtype: result}} like causal_lm_reference.py.
JOB.json: {"cases": [{"id", "model_dir", "input_ids", "labels",
                      "lora": {"r", "alpha", "targets", "file", "dropout": p},
                      "masks": {module: flat 0/1 list, 1 = dropped, shape [B, S, in]}, "dtypes": [...]}]}
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from causal_lm_reference import Config, Model, causal_lm_loss, read_checkpoint, read_safetensors  # noqa: E402


class DropoutModel(Model):
    def __init__(self, cfg, weights, lora, dtype, p, masks):
        super().__init__(cfg, weights, lora, dtype)
        self.p, self.masks = p, masks

    def lora_input(self, x, module):
        keep = (1 - self.masks[module].reshape(x.shape)).to(x.dtype)
        return x * keep * (1.0 / (1.0 - self.p))  # what torch's dropout does with this mask

def run_case(case, dtype_name):
    dtype = getattr(torch, dtype_name)
    with open(os.path.join(case["model_dir"], "config.json")) as f:
        cfg = Config(json.load(f))
    weights = {k: v.to(dtype) for k, v in read_checkpoint(case["model_dir"]).items()}
    lo = case["lora"]
    tensors = {k: v.to(dtype).requires_grad_(True) for k, v in read_safetensors(lo["file"]).items()}
    lora = {"r": lo["r"], "alpha": lo["alpha"], "targets": set(lo["targets"]), "tensors": tensors}
    masks = {m: torch.tensor(v, dtype=torch.int64) for m, v in case["masks"].items()}
    ids = torch.tensor(case["input_ids"], dtype=torch.int64)
    labels = torch.tensor(case["labels"], dtype=torch.int64)
    model = DropoutModel(cfg, weights, lora, dtype, lo["dropout"], masks)
    loss_sum, count = causal_lm_loss(model.logits(ids), labels)
    loss_sum.backward()
    s = float(loss_sum)
    return {"loss": s / max(count, 1), "loss_sum": s, "token_count": count,
            "grads": {k: v.grad.reshape(-1).tolist() for k, v in tensors.items()}, "inv_freq": []}


def main():
    with open(sys.argv[1]) as f:
        job = json.load(f)
    out = {c["id"]: {d: run_case(c, d) for d in c.get("dtypes", ["float64"])} for c in job["cases"]}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
