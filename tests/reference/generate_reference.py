#!/usr/bin/env python3
"""Greedy decoding with causal_lm_reference.py's Model (plain PyTorch, HF semantics), for parity tests of the engine's
next-token graph and greedy decoder (src-main/engine/nn/next-token.ts, src-main/engine/train/generate.ts).

Like HF's generate(do_sample=False) without a KV cache: each step runs the whole sequence, takes the last position's
logits and appends their argmax (torch.argmax: the first index on a tie); an id in eos_ids ends the row and is not kept.

Usage: generate_reference.py JOB.json -> prints {case_id: {dtype: result}}.
JOB.json: {"cases": [{"id", "model_dir", "prompts": [[ids...], ...], "max_new_tokens", "eos_ids": [...],
                      "lora": null | {"r", "alpha", "targets": [...], "file": "adapter.safetensors", "use_rslora"?: bool},
                      "dtypes": ["float64", "float32"]}]}
result: {"tokens": [[new ids...] per prompt], "first_logits": [[V floats] per prompt: the logits after the prompt alone],
         "margins": [[top1 - top2 logit per step] per prompt]: how close each greedy choice was to a tie}.
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from causal_lm_reference import Config, Model, read_checkpoint, read_safetensors  # noqa: E402


def load_model(case, dtype):
    with open(os.path.join(case["model_dir"], "config.json")) as f:
        cfg = Config(json.load(f))
    weights = {k: v.to(dtype) for k, v in read_checkpoint(case["model_dir"]).items()}
    lora = None
    if case.get("lora"):
        lo = case["lora"]
        tensors = {k: v.to(dtype) for k, v in read_safetensors(lo["file"]).items()}
        lora = {"r": lo["r"], "alpha": lo["alpha"], "targets": set(lo["targets"]), "tensors": tensors,
                "use_rslora": bool(lo.get("use_rslora"))}
    return Model(cfg, weights, lora, dtype)


def greedy(model, prompt, max_new_tokens, eos_ids):
    seq = list(prompt)
    tokens, margins, first = [], [], None
    for _ in range(max_new_tokens):
        logits = model.logits(torch.tensor([seq], dtype=torch.int64))[0, -1]
        if first is None:
            first = logits.tolist()
        top = torch.topk(logits, 2).values
        margins.append(float(top[0] - top[1]))
        nxt = int(torch.argmax(logits))
        if nxt in eos_ids:
            break
        tokens.append(nxt)
        seq.append(nxt)
    return tokens, margins, first


def run_case(case, dtype_name):
    model = load_model(case, getattr(torch, dtype_name))
    out = {"tokens": [], "margins": [], "first_logits": []}
    with torch.no_grad():
        for prompt in case["prompts"]:
            tokens, margins, first = greedy(model, prompt, case["max_new_tokens"], set(case["eos_ids"]))
            out["tokens"].append(tokens)
            out["margins"].append(margins)
            out["first_logits"].append(first)
    return out


def main():
    with open(sys.argv[1]) as f:
        job = json.load(f)
    out = {c["id"]: {d: run_case(c, d) for d in c.get("dtypes", ["float64"])} for c in job["cases"]}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
