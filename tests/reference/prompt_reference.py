#!/usr/bin/env python3
"""Plain-PyTorch reference of PEFT prompt learning on the causal LMs of causal_lm_reference.py: P-tuning (PEFT
P_TUNING, MLP / LSTM encoders, and the encoder-less table), prefix tuning (PREFIX_TUNING, with and without
prefix_projection). transformers and peft are not installed here; written from the semantics of PEFT 0.20.1.dev0
(tuners/p_tuning/model.py, tuners/prefix_tuning/model.py, peft_model.py get_prompt and PeftModelForCausalLM.forward,
utils/other.py _prepare_prompt_learning_config) and of transformers' Llama attention with a DynamicCache past.

P-tuning: the encoder output [n, H] is repeated over the batch and prepended to the input embeddings; labels get n
times -100 in front; the model runs on n+S positions from position 0. The LSTM encoder is torch.nn.LSTM itself.
Prefix tuning: the encoder output [n, L*2*token_dim] is viewed as [B, n, 2L, kv_heads, head_dim] and permuted to
[2L, B, kv_heads, n, head_dim]; layer l's past key / value are entries 2l / 2l+1. The real tokens sit at positions
n..n+S-1; their keys are concatenated after the past (no RoPE, no k_norm on the past); all of the past is visible.

Usage: prompt_reference.py JOB.json -> {case_id: {dtype: result}}.
JOB.json: {"cases": [{"id", "model_dir", "input_ids", "labels", "params_file": safetensors of the prompt tensors
                      (PEFT names), "prompt": {"kind": "ptuning"|"prefix", "virtual_tokens", "encoder", "encoder_hidden",
                      "projection"}, "lr", "dtypes"}]}
result: {"loss", "loss_sum", "token_count", "grads": {name: flat}, "loss_after": loss after one SGD step
         p <- p - lr * grad(loss_sum), "prompt_embeddings": flat encoder output}.
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from causal_lm_reference import Config, Model, causal_lm_loss, read_checkpoint, read_safetensors, rms_norm, rope_cos_sin, rotate_half  # noqa: E402

PREFIX = "prompt_encoder.default."


def linear(p, x, module):
    return torch.nn.functional.linear(x, p[PREFIX + module + ".weight"], p[PREFIX + module + ".bias"])


def lstm_encoder(p, table, hidden, dtype):
    """torch.nn.LSTM(H, hidden, num_layers=2, bidirectional=True, batch_first=True) on table [n, H] -> [n, 2*hidden],
    through the kernel nn.LSTM.forward calls, with our tensors as its flat weights (so they get the gradients)."""
    lstm = torch.nn.LSTM(table.shape[1], hidden, num_layers=2, bidirectional=True, batch_first=True).to(dtype)
    flat = [p[PREFIX + "lstm_head." + name] for name in lstm._flat_weights_names]
    zeros = torch.zeros(4, 1, hidden, dtype=dtype)
    out = torch._VF.lstm(table[None], (zeros, zeros), flat, True, 2, 0.0, False, True, True)[0][0]
    # The module itself, loaded by state-dict names, must agree: checks the names and the flat-weight order.
    lstm.load_state_dict({name: p[PREFIX + "lstm_head." + name].detach() for name in lstm._flat_weights_names})
    with torch.no_grad():
        assert torch.equal(lstm(table[None].detach())[0][0], out.detach())
    return out


def encoder_output(p, prompt, dtype):
    table = p[PREFIX + "embedding.weight"]
    if prompt["kind"] == "prefix":
        if not prompt["projection"]:
            return table
        return linear(p, torch.tanh(linear(p, table, "transform.0")), "transform.2")
    if prompt["encoder"] == "none":
        return table
    if prompt["encoder"] == "mlp":
        h = torch.relu(linear(p, table, "mlp_head.0"))
        h = torch.relu(linear(p, h, "mlp_head.2"))
        return linear(p, h, "mlp_head.4")
    seq = lstm_encoder(p, table, prompt["encoder_hidden"], dtype)
    return linear(p, torch.relu(linear(p, seq, "mlp_head.0")), "mlp_head.2")


class PromptModel(Model):
    """Model run on input embeddings, optionally with a per-layer past (prefix tuning)."""

    def __init__(self, cfg, weights, dtype, past):
        super().__init__(cfg, weights, None, dtype)
        self.past = past  # None or [(key, value)] per layer, each [B, kv_heads, n, head_dim]

    def attention(self, x, i, cos, sin, mask):
        if self.past is None:
            return super().attention(x, i, cos, sin, mask)
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
        past_k, past_v = self.past[i]
        k = torch.cat((past_k, k), dim=2)  # DynamicCache.update: the past first
        v = torch.cat((past_v, v), dim=2)
        total = k.shape[2]
        rep = c.heads // c.kv_heads
        k = k[:, :, None].expand(bsz, c.kv_heads, rep, total, c.head_dim).reshape(bsz, c.heads, total, c.head_dim)
        v = v[:, :, None].expand(bsz, c.kv_heads, rep, total, c.head_dim).reshape(bsz, c.heads, total, c.head_dim)
        scores = (q @ k.transpose(2, 3)) * c.head_dim ** -0.5 + mask
        work = torch.float64 if scores.dtype == torch.float64 else torch.float32
        probs = torch.softmax(scores, dim=-1, dtype=work).to(q.dtype)
        out = (probs @ v).transpose(1, 2).reshape(bsz, seq, -1)
        return self.linear(out, p + ".o_proj", c.o_bias)

    def logits_from(self, h, offset):
        """h: input embeddings [B, T, H] at positions offset..offset+T-1 (offset = past length)."""
        c = self.cfg
        bsz, seq, _ = h.shape
        cos, sin = rope_cos_sin(c, bsz, offset + seq, self.dtype)
        cos, sin = cos[:, offset:], sin[:, offset:]
        mask = torch.full((seq, seq), torch.finfo(self.dtype).min, dtype=self.dtype).triu(1)
        if offset:
            mask = torch.cat((torch.zeros(seq, offset, dtype=self.dtype), mask), dim=1)
        for i in range(c.layers):
            p = "model.layers.%d" % i
            h = h + self.attention(rms_norm(h, self.w[p + ".input_layernorm.weight"], c.eps), i, cos, sin, mask)
            h = h + self.mlp(rms_norm(h, self.w[p + ".post_attention_layernorm.weight"], c.eps), i)
        h = rms_norm(h, self.w["model.norm.weight"], c.eps)
        head = self.w.get("lm_head.weight")
        if c.tie or head is None:
            head = self.w["model.embed_tokens.weight"]
        return self.mm(h, head.t())


def loss_of(cfg, weights, params, prompt, ids, labels, dtype):
    bsz = ids.shape[0]
    n = prompt["virtual_tokens"]
    out = encoder_output(params, prompt, dtype)
    embeds = weights["model.embed_tokens.weight"][ids]
    if prompt["kind"] == "ptuning":
        h = torch.cat((out[None].repeat(bsz, 1, 1), embeds), dim=1)
        full = torch.cat((torch.full((bsz, n), -100, dtype=torch.int64), labels), dim=1)
        return causal_lm_loss(PromptModel(cfg, weights, dtype, None).logits_from(h, 0), full), out
    kv_heads, head_dim = cfg.kv_heads, cfg.head_dim  # token_dim = kv_heads * head_dim for GQA configs
    past = out[None].repeat(bsz, 1, 1).view(bsz, n, cfg.layers * 2, kv_heads, head_dim).permute(2, 0, 3, 1, 4)
    layers = [(past[2 * i], past[2 * i + 1]) for i in range(cfg.layers)]
    return causal_lm_loss(PromptModel(cfg, weights, dtype, layers).logits_from(embeds, n), labels), out


def run_case(case, dtype_name):
    dtype = getattr(torch, dtype_name)
    with open(os.path.join(case["model_dir"], "config.json")) as f:
        cfg = Config(json.load(f))
    weights = {k: v.to(dtype) for k, v in read_checkpoint(case["model_dir"]).items()}
    params = {k: v.to(dtype).requires_grad_(True) for k, v in read_safetensors(case["params_file"]).items()}
    ids = torch.tensor(case["input_ids"], dtype=torch.int64)
    labels = torch.tensor(case["labels"], dtype=torch.int64)
    (loss_sum, count), out = loss_of(cfg, weights, params, case["prompt"], ids, labels, dtype)
    loss_sum.backward()
    grads = {k: v.grad.reshape(-1).tolist() for k, v in params.items()}
    with torch.no_grad():
        stepped = {k: (v - case["lr"] * v.grad).detach() for k, v in params.items()}
        (after, _), _ = loss_of(cfg, weights, stepped, case["prompt"], ids, labels, dtype)
    s = float(loss_sum)
    return {"loss": s / max(count, 1), "loss_sum": s, "token_count": count, "grads": grads,
            "loss_after": float(after) / max(count, 1), "prompt_embeddings": out.detach().reshape(-1).tolist()}


def main():
    torch.manual_seed(0)
    with open(sys.argv[1]) as f:
        job = json.load(f)
    out = {c["id"]: {d: run_case(c, d) for d in c.get("dtypes", ["float64", "float32"])} for c in job["cases"]}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
