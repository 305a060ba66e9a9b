"""One optimizer step's forward/backward over its micro-batches, shared by the training references.

The summed token losses of every micro-batch are backpropagated (gradients accumulate in .grad); returns the summed
loss and the counted tokens, which the caller divides by — as the engine's trainer does.
"""
import torch

from causal_lm_reference import causal_lm_loss


def accumulate(model, micro_batches):
    total, count = 0.0, 0
    for mb in micro_batches:
        loss_sum, n = causal_lm_loss(model.logits(torch.tensor(mb["input_ids"])), torch.tensor(mb["labels"]))
        loss_sum.backward()
        total += float(loss_sum)
        count += n
    return total, count
