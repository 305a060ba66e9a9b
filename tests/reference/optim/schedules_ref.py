# Reference learning rates for our schedules, from transformers' definitions and torch's LambdaLR.
#
# Usage: /usr/bin/python3 schedules_ref.py schedules.json out.json
# The lambdas are written from transformers' src/transformers/optimization.py
# (_get_constant_schedule_with_warmup_lr_lambda, _get_linear_schedule_with_warmup_lr_lambda,
# _get_cosine_schedule_with_warmup_lr_lambda with num_cycles=0.5); transformers itself is not installed.
# "factor" is lambda(n) for n = 0..N; "used" is the lr each optimizer.step() k = 1..N actually
# sees when a torch.optim.lr_scheduler.LambdaLR wraps the lambda and scheduler.step() follows each
# optimizer step, as the Hugging Face Trainer does.
import json
import math
import sys

import torch


def constant(n, w, t, cycles):
    if n < w:
        return float(n) / float(max(1.0, w))
    return 1.0


def linear(n, w, t, cycles):
    if n < w:
        return float(n) / float(max(1, w))
    return max(0.0, float(t - n) / float(max(1, t - w)))


def cosine(n, w, t, cycles):
    if n < w:
        return float(n) / float(max(1, w))
    progress = float(n - w) / float(max(1, t - w))
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(cycles) * 2.0 * progress)))


LAMBDAS = {'constant': constant, 'linear': linear, 'cosine': cosine}


def run(s):
    lam = LAMBDAS[s['kind']]
    w, t, cycles, n = s['warmupSteps'], s['totalSteps'], s.get('numCycles', 0.5), s['steps']
    factor = [lam(i, w, t, cycles) for i in range(n + 1)]
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=s['lr'])
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda i: lam(i, w, t, cycles))
    used = []
    for _ in range(n):
        used.append(opt.param_groups[0]['lr'])
        p.grad = torch.zeros(1)
        opt.step()
        sched.step()
    return {'factor': factor, 'used': used}


def main():
    with open(sys.argv[1]) as f:
        data = json.load(f)
    res = {'digest': data['digest'], 'torch': torch.__version__, 'results': [run(s) for s in data['schedules']]}
    with open(sys.argv[2], 'w') as f:
        json.dump(res, f)


if __name__ == '__main__':
    main()
