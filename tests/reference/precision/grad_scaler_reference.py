# torch.cuda.amp.GradScaler's scale sequence for scripted overflow patterns (stdin: JSON scenarios, stdout: JSON).
#
# GradScaler is CUDA-only: on a CPU-only machine it disables itself, and torch 1.13 has no CPU kernels for
# _amp_update_scale_ / _amp_foreach_non_finite_check_and_unscale_. We still drive torch's own GradScaler class
# (scale → backward → step → update, its step skipping and state handling), forcing it enabled; where the CPU kernels
# are missing they are replaced by line-for-line transcriptions of aten/src/ATen/native/cuda/AmpKernels.cu (1.13),
# and the output says which kernels ran ("torch" or "transcribed").
import json
import math
import sys

import torch
import torch.cuda.amp.grad_scaler as gs


def update_scale_(scale, tracker, found_inf, growth_factor, backoff_factor, growth_interval):
    # amp_update_scale_cuda_kernel(float* current_scale, int* growth_tracker, const float* found_inf,
    # double growth_factor, double backoff_factor, int growth_interval): products are formed in double and stored
    # into the float32 scale (not tensor.mul_, which would round the factor to float32 first).
    if found_inf.item():
        scale.fill_(scale.item() * backoff_factor)
        tracker.fill_(0)
    else:
        successful = int(tracker.item()) + 1
        if successful == growth_interval:
            new_scale = torch.tensor(scale.item() * growth_factor, dtype=torch.float32)  # static_cast<float>
            if math.isfinite(new_scale.item()):
                scale.copy_(new_scale)
            tracker.fill_(0)
        else:
            tracker.fill_(successful)
    return scale


def non_finite_check_and_unscale_(grads, found_inf, inv_scale):
    # _amp_foreach_non_finite_check_and_unscale_cuda_: flag any inf/NaN, multiply every grad by inv_scale.
    for g in grads:
        if not torch.isfinite(g).all():
            found_inf.fill_(1.0)
        g.mul_(inv_scale)


def kernels():
    try:
        torch._amp_update_scale_(torch.ones(1), torch.zeros(1, dtype=torch.int32), torch.zeros(1), 2.0, 0.5, 2)
        torch._amp_foreach_non_finite_check_and_unscale_([torch.ones(1)], torch.zeros(1), torch.ones(1))
        return 'torch'
    except (NotImplementedError, RuntimeError):
        torch._amp_update_scale_ = update_scale_
        torch._amp_foreach_non_finite_check_and_unscale_ = non_finite_check_and_unscale_
        return 'transcribed'


def scale(scaler, loss):
    # GradScaler.scale's tensor branch minus its `assert outputs.is_cuda`: lazy init, then multiply.
    if scaler._scale is None:
        scaler._lazy_init_scale_growth_tracker(loss.device)
    return loss * scaler._scale.to(device=loss.device)


class CpuReplicator(gs._MultiDeviceReplicator):
    # The same per-device cache without its `assert master_tensor.is_cuda`.
    def __init__(self, master_tensor):
        self.master = master_tensor
        self._per_device_tensors = {}


def run(sc):
    gs.amp_definitely_not_available = lambda: False  # keep the scaler enabled on CPU
    gs._MultiDeviceReplicator = CpuReplicator
    scaler = gs.GradScaler(init_scale=sc['initScale'], growth_factor=sc['growthFactor'],
                           backoff_factor=sc['backoffFactor'], growth_interval=sc['growthInterval'])
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=1e-3)
    out = {'usedScale': [], 'skipped': [], 'scale': [], 'tracker': []}
    for event in sc['pattern']:
        v = {'ok': 1.0, 'inf': math.inf, 'nan': math.nan}[event]
        opt.zero_grad()
        loss = scale(scaler, (p * v).sum())
        out['usedScale'].append(scaler.get_scale())
        loss.backward()
        scaler.step(opt)
        found = sum(f.item() for f in scaler._found_inf_per_device(opt).values())
        out['skipped'].append(found > 0)
        scaler.update()
        out['scale'].append(scaler.get_scale())
        out['tracker'].append(scaler.state_dict()['_growth_tracker'])
    return out


if __name__ == '__main__':
    scenarios = json.load(sys.stdin)
    which = kernels()
    json.dump({'kernels': which, 'torch': torch.__version__, 'results': [run(sc) for sc in scenarios]}, sys.stdout)
