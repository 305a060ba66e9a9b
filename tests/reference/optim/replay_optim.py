# Replays optimizer scenarios (JSON written by the TS side) with torch.optim and writes what torch computes.
#
# Usage: /usr/bin/python3 replay_optim.py scenarios.json out.json
# Per step, as the Hugging Face Trainer does with our contract: grads of the summed token loss are
# unscaled (GradScaler style: g * float32(1/scale)), divided by max(token_count, 1), clipped with
# torch.nn.utils.clip_grad_norm_ (when max_grad_norm > 0; otherwise the same total norm is only
# measured), then optimizer.step() with each group's lr = float32 base lr (as a Python float) * multiplier.
import json
import sys

import torch


def short(x):
    """float32 values as the shortest decimal that round-trips to the same float32."""
    return [float('%.9g' % v) for v in x.detach().reshape(-1).tolist()]


def total_norm(grads):
    # clip_grad_norm_'s norm (norm_type 2) without clipping.
    return torch.norm(torch.stack([torch.norm(g.detach(), 2.0) for g in grads]), 2.0)


def replay(sc):
    cfg = sc['config']
    groups_cfg = cfg.get('groups') or [{}]
    params = []
    for p in sc['params']:
        t = torch.tensor(p['init'], dtype=torch.float32).reshape(p['shape']).requires_grad_(True)
        params.append(t)
    groups = []
    for gi, gc in enumerate(groups_cfg):
        members = [t for t, p in zip(params, sc['params']) if p.get('group', 0) == gi]
        groups.append({'params': members, 'lr': 0.0, 'weight_decay': gc.get('weightDecay', 0.0),
                       'mult': gc.get('lrMultiplier', 1.0)})
    if cfg['optimizer'] == 'adamw':
        opt = torch.optim.AdamW(groups, lr=0.0, betas=tuple(cfg.get('betas', [0.9, 0.999])),
                                eps=cfg.get('eps', 1e-8), foreach=False)
    else:
        opt = torch.optim.SGD(groups, lr=0.0, momentum=cfg.get('momentum', 0.0),
                              dampening=cfg.get('dampening', 0.0), nesterov=cfg.get('nesterov', False),
                              foreach=False)
    max_norm = cfg.get('maxGradNorm', 0.0)
    out = {'name': sc['name'], 'params': [], 'gradNorm': [], 'states': {}}
    for st in sc['steps']:
        for t, p in zip(params, sc['params']):
            t.grad = torch.tensor(st['grads'][p['name']], dtype=torch.float32).reshape(p['shape'])
        for t in params:
            if 'lossScale' in st:
                inv = torch.tensor(st['lossScale'], dtype=torch.float64).reciprocal().float()
                t.grad.mul_(inv)
            t.grad.div_(max(st['tokenCount'], 1))
        if max_norm > 0:
            norm = torch.nn.utils.clip_grad_norm_(params, max_norm)
        else:
            norm = total_norm([t.grad for t in params])
        for g in opt.param_groups:
            g['lr'] = st['lr'] * g['mult']
        opt.step()
        out['gradNorm'].append(float('%.9g' % norm.item()))
        out['params'].append({p['name']: short(t) for t, p in zip(params, sc['params'])})
    for t, p in zip(params, sc['params']):
        s = opt.state[t]
        if cfg['optimizer'] == 'adamw':
            out['states']['m.' + p['name']] = short(s['exp_avg'])
            out['states']['v.' + p['name']] = short(s['exp_avg_sq'])
        elif s.get('momentum_buffer') is not None:
            out['states']['m.' + p['name']] = short(s['momentum_buffer'])
    return out


def main():
    torch.set_num_threads(1)
    with open(sys.argv[1]) as f:
        data = json.load(f)
    res = {'digest': data['digest'], 'torch': torch.__version__, 'results': [replay(sc) for sc in data['scenarios']]}
    with open(sys.argv[2], 'w') as f:
        json.dump(res, f, separators=(',', ':'))


if __name__ == '__main__':
    main()
