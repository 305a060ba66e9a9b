# L2-SP / EWC anchored optimizer steps in torch, for the update graph's anchor term (tests/unit/engine/optim/anchor.test.ts).
#
# Usage: /usr/bin/python3 anchor_reference.py scenarios.json out.json
# Per step, as a PyTorch user adding the penalty to the loss before backward() would get it: the loss gradient
# (grads of the summed token loss, divided by max(token_count, 1)) is set as .grad, then the penalty
#   (l2sp/2)·Σ (w − w0)²  +  (ewc/2)·Σ F·(w − w0)²     over the anchored params (F constant, no grad)
# is back-propagated into the same .grad; then clip_grad_norm_ (when max_grad_norm > 0, else the norm is only
# measured) and optimizer.step() with group lr = base lr * multiplier. Scenario and result layout as replay_optim.py.
import json
import sys

import torch

from replay_optim import short, total_norm


def make_optimizer(cfg, groups):
    if cfg['optimizer'] == 'adamw':
        return torch.optim.AdamW(groups, lr=0.0, betas=tuple(cfg.get('betas', [0.9, 0.999])),
                                 eps=cfg.get('eps', 1e-8), foreach=False)
    return torch.optim.SGD(groups, lr=0.0, momentum=cfg.get('momentum', 0.0), dampening=cfg.get('dampening', 0.0),
                           nesterov=cfg.get('nesterov', False), foreach=False)


def penalty(params, specs, anchor):
    total = torch.zeros((), dtype=torch.float32)
    for t, p in zip(params, specs):
        if not p.get('anchored'):
            continue
        d = t - torch.tensor(p['w0'], dtype=torch.float32).reshape(p['shape'])
        if anchor.get('l2sp') is not None:
            total = total + 0.5 * anchor['l2sp'] * (d * d).sum()
        if anchor.get('ewc') is not None:
            fisher = torch.tensor(p['fisher'], dtype=torch.float32).reshape(p['shape'])
            total = total + 0.5 * anchor['ewc'] * (fisher * d * d).sum()
    return total


def replay(sc):
    cfg = sc['config']
    specs = sc['params']
    params = [torch.tensor(p['init'], dtype=torch.float32).reshape(p['shape']).requires_grad_(True) for p in specs]
    groups = []
    for gi, gc in enumerate(cfg.get('groups') or [{}]):
        members = [t for t, p in zip(params, specs) if p.get('group', 0) == gi]
        groups.append({'params': members, 'lr': 0.0, 'weight_decay': gc.get('weightDecay', cfg.get('weightDecay', 0.0)),
                       'mult': gc.get('lrMultiplier', 1.0)})
    opt = make_optimizer(cfg, groups)
    max_norm = cfg.get('maxGradNorm', 0.0)
    out = {'name': sc['name'], 'params': [], 'gradNorm': [], 'states': {}}
    for st in sc['steps']:
        for t, p in zip(params, specs):
            t.grad = torch.tensor(st['grads'][p['name']], dtype=torch.float32).reshape(p['shape']) / max(st['tokenCount'], 1)
        penalty(params, specs, cfg['anchor']).backward()
        if max_norm > 0:
            norm = torch.nn.utils.clip_grad_norm_(params, max_norm)
        else:
            norm = total_norm([t.grad for t in params])
        for g in opt.param_groups:
            g['lr'] = st['lr'] * g['mult']
        opt.step()
        out['gradNorm'].append(float('%.9g' % norm.item()))
        out['params'].append({p['name']: short(t) for t, p in zip(params, specs)})
    for t, p in zip(params, specs):
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
