#!/usr/bin/env python3
"""Reference LoRA merge in plain PyTorch, to check ftstudio's merged Hugging Face folders (tests/unit/models/merge*).

For every module the adapter adapts: W' = W + (lora_alpha / r) * B @ A, computed in float64 from the stored weights
and rounded once to float32, then to the checkpoint's dtype (torch's round-to-nearest-even casts). Every other tensor
must be unchanged. Compares with the merged folder tensor by tensor and prints JSON:
{"tensors": N, "merged": [names], "max_abs_diff": {name: float}, "mismatched_elements": {name: int}, "dtypes": {name: dtype},
 "unchanged_equal": bool, "missing": [names], "extra": [names]}

Usage: merge_reference.py BASE_DIR ADAPTER_DIR MERGED_DIR
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import torch  # noqa: E402
from causal_lm_reference import read_checkpoint, read_safetensors  # noqa: E402

NAMES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}


def main():
    base_dir, adapter_dir, merged_dir = sys.argv[1:4]
    with open(os.path.join(adapter_dir, "adapter_config.json")) as f:
        cfg = json.load(f)
    scale = cfg["lora_alpha"] / cfg["r"]
    base = read_checkpoint(base_dir)
    merged = read_checkpoint(merged_dir)
    adapter = read_safetensors(os.path.join(adapter_dir, "adapter_model.safetensors"))
    expected = dict(base)
    names = []
    for key, a in adapter.items():
        if not key.endswith(".lora_A.weight"):
            continue
        module = key[len("base_model.model."):-len(".lora_A.weight")]
        b = adapter[key.replace(".lora_A.", ".lora_B.")]
        w = base[module + ".weight"]
        delta = b.double() @ a.double()
        expected[module + ".weight"] = (w.double() + scale * delta).float().to(w.dtype)
        names.append(module + ".weight")
    out = {"tensors": len(merged), "merged": sorted(names), "max_abs_diff": {}, "mismatched_elements": {}, "dtypes": {},
           "missing": sorted(set(expected) - set(merged)), "extra": sorted(set(merged) - set(expected))}
    unchanged_equal = True
    for name, want in expected.items():
        got = merged.get(name)
        if got is None:
            continue
        out["dtypes"][name] = NAMES.get(got.dtype, str(got.dtype))
        if name in names:
            out["max_abs_diff"][name] = float((got.double() - want.double()).abs().max())
            out["mismatched_elements"][name] = int((got != want).sum())
        elif got.dtype != want.dtype or not torch.equal(got, want):
            unchanged_equal = False
    out["unchanged_equal"] = unchanged_equal
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
