#!/usr/bin/env python3
"""Plain-PyTorch reference of Hugging Face transformers' Llama / Mistral / Qwen2 / Qwen3 causal-LM loss,
with PEFT LoRA (plain, rsLoRA and DoRA), for parity tests of the ONNX engine (tests/unit/engine/nn).

Written from the semantics of transformers' modeling_llama.py, modeling_qwen2.py, modeling_qwen3.py and
modeling_rope_utils.py (llama3 scaling) and PEFT's lora/layer.py, lora/dora.py and lora/variants.py; transformers
is not installed here.
Deliberate differences from HF, only where HF would lower precision:
  - in float64 runs RMSNorm, softmax and the loss stay float64 (HF upcasts to float32, which for a
    float64 model would be a downcast); in float32 runs they are float32 exactly as in HF;
  - RoPE cos/sin are computed in float32 in both runs, as HF does for every model dtype.

Usage: causal_lm_reference.py JOB.json  → prints one JSON object {case_id: {dtype: result}}.
JOB.json: {"cases": [{"id", "model_dir", "input_ids": [[...]], "labels": [[...]],
                      "lora": null | {"r", "alpha", "targets": [...], "file": "adapter.safetensors",
                                      "use_rslora"?: bool, "use_dora"?: bool},
                      "grad_weights": bool, "dtypes": ["float64", "float32"], "precision"?: "bf16" | "fp16",
                      "sgd_lr"?: number}]}
("precision": autocast_reference.py's emulated autocast, with dtypes ["float32"]. "use_dora": the adapter file holds
base_model.model.<module>.lora_magnitude_vector [out] per module besides A and B.)
result: {"loss", "loss_sum", "token_count", "grads": {name: flat list}, "inv_freq": RoPE inv_freq (float32)} — grads of loss_sum w.r.t. the
LoRA tensors (PEFT names, DoRA magnitudes included) and, with grad_weights, every base weight (checkpoint names).
With "sgd_lr": also "stepped": {name: flat list}, every LoRA tensor after p − lr·grad(loss mean), and "loss_after",
the mean loss on the same batch with the stepped tensors.
"""
import json
import math
import os
import struct
import sys

import torch

DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
          "I64": torch.int64, "I32": torch.int32}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    base = 8 + n
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        start, end = e["data_offsets"]
        buf = bytearray(data[base + start:base + end])
        out[name] = torch.frombuffer(buf, dtype=DTYPES[e["dtype"]]).reshape(e["shape"]).clone()
    return out


def read_checkpoint(folder):
    index = os.path.join(folder, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
    else:
        files = ["model.safetensors"]
    tensors = {}
    for name in files:
        tensors.update(read_safetensors(os.path.join(folder, name)))
    return tensors


class Config:
    def __init__(self, c):
        self.arch = c["architectures"][0]
        self.hidden = c["hidden_size"]
        self.layers = c["num_hidden_layers"]
        self.heads = c["num_attention_heads"]
        self.kv_heads = c.get("num_key_value_heads") or self.heads
        self.head_dim = c.get("head_dim") or self.hidden // self.heads
        self.eps = c.get("rms_norm_eps", 1e-6)
        self.theta = c.get("rope_theta", 10000.0)
        self.rope_scaling = c.get("rope_scaling")
        self.tie = c.get("tie_word_embeddings", False)
        bias = c.get("attention_bias", False)
        self.qkv_bias = True if self.arch == "Qwen2ForCausalLM" else bias
        self.o_bias = False if self.arch == "Qwen2ForCausalLM" else bias
        self.qk_norm = self.arch == "Qwen3ForCausalLM"


def inv_frequencies(cfg):
    """HF default RoPE inv_freq (float32), then llama3 scaling when configured."""
    dim = cfg.head_dim
    inv = 1.0 / (cfg.theta ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    s = cfg.rope_scaling
    if not s or s.get("rope_type", s.get("type")) in (None, "default"):
        return inv
    assert s.get("rope_type", s.get("type")) == "llama3"
    factor, low, high = s["factor"], s["low_freq_factor"], s["high_freq_factor"]
    old = s["original_max_position_embeddings"]
    low_wavelen, high_wavelen = old / low, old / high
    wavelen = 2 * math.pi / inv
    scaled = torch.where(wavelen > low_wavelen, inv / factor, inv)
    smooth = (old / wavelen - low) / (high - low)
    smoothed = (1 - smooth) * scaled / factor + smooth * scaled
    medium = ~(wavelen < high_wavelen) * ~(wavelen > low_wavelen)
    return torch.where(medium, smoothed, scaled)


def rope_cos_sin(cfg, batch, seq, dtype):
    inv = inv_frequencies(cfg)
    pos = torch.arange(seq)[None, :].expand(batch, seq)
    freqs = (inv[None, :, None].float().expand(batch, -1, 1) @ pos[:, None, :].float()).transpose(1, 2)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos().to(dtype), emb.sin().to(dtype)


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rms_norm(x, w, eps):
    work = torch.float64 if x.dtype == torch.float64 else torch.float32
    h = x.to(work)
    h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + eps)
    return w * h.to(x.dtype)


class Model:
    def __init__(self, cfg, weights, lora, dtype):
        self.cfg, self.w, self.lora, self.dtype = cfg, weights, lora, dtype

    def lowp(self, x):
        """Autocast's low-precision copy of x: x itself here (autocast_reference.py rounds)."""
        return x

    def mm(self, a, b):
        """An autocast matmul: operands and result as low-precision copies."""
        return self.lowp(self.lowp(a) @ self.lowp(b))

    def linear(self, x, module, bias=False):
        y = self.lowp(x) @ self.lowp(self.w[module + ".weight"]).t()
        if bias:
            y = y + self.lowp(self.w[module + ".bias"])
        y = self.lowp(y)  # addmm: the bias is added before the result is written in the low format
        lo = self.lora
        if lo and module.split(".")[-1] in lo["targets"]:
            a = lo["tensors"]["base_model.model." + module + ".lora_A.weight"]
            b = lo["tensors"]["base_model.model." + module + ".lora_B.weight"]
            # PEFT update_layer: alpha/sqrt(r) with use_rslora, else alpha/r
            scaling = lo["alpha"] / math.sqrt(lo["r"]) if lo.get("use_rslora") else lo["alpha"] / lo["r"]
            magnitude = lo["tensors"].get("base_model.model." + module + ".lora_magnitude_vector")
            if magnitude is not None:
                return self.dora(x, y, module, bias, a, b, magnitude, scaling)
            y = self.lowp(y + self.lowp(self.mm(self.mm(self.lora_input(x, module), a.t()), b.t()) * scaling))
        return y

    def dora(self, x, y, module, bias, a, b, magnitude, scaling):
        """DoRA (PEFT dora.py DoraLinearLayer.forward, variants.py DoraLinearVariant.forward) on the base output y."""
        w = self.w[module + ".weight"]
        # the norm of W + s*(B@A) over the input dim (one per output row), detached (DoRA paper sec. 4.3);
        # PEFT forms B@A as lora_B(lora_A(eye)), i.e. two autocast linears
        delta = self.mm(b, a).detach()
        norm = torch.linalg.norm(w + scaling * delta, dim=1).detach()
        scale = (magnitude / norm).view(1, -1)
        dropped = type(self).lora_input is not Model.lora_input  # a subclass drops the LoRA input (training dropout)
        xin = self.lora_input(x, module)
        lora_result = self.mm(self.mm(xin, a.t()), b.t())
        if dropped:  # PEFT recomputes the base part from the dropped input, without the bias
            base_result = self.lowp(self.lowp(xin) @ self.lowp(w).t())
        else:
            base_result = y - self.w[module + ".bias"] if bias else y
        return self.lowp(y + ((scale - 1) * base_result + scale * lora_result * scaling))

    def lora_input(self, x, module):
        """What the LoRA path reads: x itself (a subclass applies dropout here)."""
        return x

    def attention(self, x, i, cos, sin, mask):
        c = self.cfg
        bsz, seq, _ = x.shape
        p = "model.layers.%d.self_attn" % i
        q = self.linear(x, p + ".q_proj", c.qkv_bias).view(bsz, seq, -1, c.head_dim)
        k = self.linear(x, p + ".k_proj", c.qkv_bias).view(bsz, seq, -1, c.head_dim)
        v = self.linear(x, p + ".v_proj", c.qkv_bias).view(bsz, seq, -1, c.head_dim)
        if c.qk_norm:
            q = rms_norm(q, self.w[p + ".q_norm.weight"], c.eps)
            k = rms_norm(k, self.w[p + ".k_norm.weight"], c.eps)
        q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
        cos, sin = cos.unsqueeze(1), sin.unsqueeze(1)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        # Low-precision copies of K and V before repeat_kv, so each one's gradient is rounded once, after the sum over
        # the query heads sharing it (the engine broadcasts K/V over the group instead of copying them).
        k, v = self.lowp(k), self.lowp(v)
        rep = c.heads // c.kv_heads  # repeat_kv: kv head j serves query heads j*rep .. j*rep+rep-1
        k = k[:, :, None].expand(bsz, c.kv_heads, rep, seq, c.head_dim).reshape(bsz, c.heads, seq, c.head_dim)
        v = v[:, :, None].expand(bsz, c.kv_heads, rep, seq, c.head_dim).reshape(bsz, c.heads, seq, c.head_dim)
        scores = self.lowp(self.lowp(q) @ k.transpose(2, 3)) * c.head_dim ** -0.5 + mask
        work = torch.float64 if scores.dtype == torch.float64 else torch.float32
        probs = torch.softmax(scores, dim=-1, dtype=work).to(q.dtype)
        out = self.lowp(self.lowp(probs) @ v).transpose(1, 2).reshape(bsz, seq, -1)
        return self.linear(out, p + ".o_proj", c.o_bias)

    def mlp(self, x, i):
        p = "model.layers.%d.mlp" % i
        gate = self.linear(x, p + ".gate_proj")
        return self.linear(torch.nn.functional.silu(gate) * self.linear(x, p + ".up_proj"), p + ".down_proj")

    def logits(self, ids):
        c = self.cfg
        bsz, seq = ids.shape
        h = self.w["model.embed_tokens.weight"][ids]
        cos, sin = rope_cos_sin(c, bsz, seq, self.dtype)
        mask = torch.full((seq, seq), torch.finfo(self.dtype).min, dtype=self.dtype).triu(1)
        for i in range(c.layers):
            p = "model.layers.%d" % i
            h = h + self.attention(rms_norm(h, self.w[p + ".input_layernorm.weight"], c.eps), i, cos, sin, mask)
            h = h + self.mlp(rms_norm(h, self.w[p + ".post_attention_layernorm.weight"], c.eps), i)
        h = rms_norm(h, self.w["model.norm.weight"], c.eps)
        head = self.w.get("lm_head.weight")
        if c.tie or head is None:
            head = self.w["model.embed_tokens.weight"]
        return self.mm(h, head.t())


def causal_lm_loss(logits, labels):
    """HF ForCausalLMLoss with reduction sum: labels padded with -100 on the right, shifted by one."""
    work = torch.float64 if logits.dtype == torch.float64 else torch.float32
    shifted = torch.nn.functional.pad(labels, (0, 1), value=-100)[:, 1:]
    flat = logits.to(work).reshape(-1, logits.shape[-1])
    loss_sum = torch.nn.functional.cross_entropy(flat, shifted.reshape(-1), ignore_index=-100, reduction="sum")
    return loss_sum, int((shifted != -100).sum())


def run_case(case, dtype_name):
    dtype = getattr(torch, dtype_name)
    with open(os.path.join(case["model_dir"], "config.json")) as f:
        cfg = Config(json.load(f))
    raw = read_checkpoint(case["model_dir"])
    weights = {k: v.to(dtype).requires_grad_(bool(case.get("grad_weights"))) for k, v in raw.items()}
    lora = None
    if case.get("lora"):
        lo = case["lora"]
        tensors = {k: v.to(dtype).requires_grad_(True) for k, v in read_safetensors(lo["file"]).items()}
        lora = {"r": lo["r"], "alpha": lo["alpha"], "targets": set(lo["targets"]), "tensors": tensors,
                "use_rslora": bool(lo.get("use_rslora"))}
        has_magnitudes = any(k.endswith(".lora_magnitude_vector") for k in tensors)
        assert has_magnitudes == bool(lo.get("use_dora")), "use_dora must come with the magnitude tensors, and only then"
    ids = torch.tensor(case["input_ids"], dtype=torch.int64)
    labels = torch.tensor(case["labels"], dtype=torch.int64)
    if case.get("precision"):  # emulated fp16/bf16 autocast over float32, rounding where the engine does
        from autocast_reference import AutocastModel
        model = AutocastModel(cfg, weights, lora, case["precision"])
    else:
        model = Model(cfg, weights, lora, dtype)
    loss_sum, count = causal_lm_loss(model.logits(ids), labels)
    if loss_sum.requires_grad:  # a forward-only case (no LoRA, no weight gradients) has nothing to differentiate
        loss_sum.backward()
    grads = {}
    if lora:
        grads.update({k: v.grad.reshape(-1).tolist() for k, v in lora["tensors"].items()})
    if case.get("grad_weights"):
        grads.update({k: v.grad.reshape(-1).tolist() for k, v in weights.items()})
    s = float(loss_sum)
    result = {"loss": s / max(count, 1), "loss_sum": s, "token_count": count, "grads": grads,
              "inv_freq": inv_frequencies(cfg).tolist()}
    if case.get("sgd_lr") is not None and lora:
        result.update(sgd_step(model, lora["tensors"], ids, labels, case["sgd_lr"], count))
    return result


def sgd_step(model, tensors, ids, labels, lr, count):
    """One plain SGD step on the mean loss (the gradients above are of the sum), then the loss again."""
    with torch.no_grad():
        for t in tensors.values():
            t -= lr * (t.grad / count)
        after, _ = causal_lm_loss(model.logits(ids), labels)
    return {"stepped": {k: v.detach().reshape(-1).tolist() for k, v in tensors.items()},
            "loss_after": float(after) / max(count, 1)}


def main():
    torch.manual_seed(0)
    with open(sys.argv[1]) as f:
        job = json.load(f)
    out = {c["id"]: {d: run_case(c, d) for d in c.get("dtypes", ["float64", "float32"])} for c in job["cases"]}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
