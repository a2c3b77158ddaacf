#!/usr/bin/env python3
"""Golden values computed by PyTorch, an oracle written by other hands than slope's kernels.

Writes test/golden/torch.safetensors (committed: the tests read it and never need torch). Rerun
from the repository root with
    /usr/bin/python3 scripts/golden_torch.py
(Debian bookworm: apt-get install python3-torch python3-numpy; PyTorch 1.13). There is no
safetensors package for Python there, so this script reads and writes the format itself: an
8-byte little-endian header length, a JSON header, the raw little-endian data.

Every input lies on a grid of 1/64 (exact in float32 and float64) and every output is computed
in float64. What the fixture holds (tensor names '<section>.<case>.<what>', the options of each
case as JSON in the metadata under the section's name):

  optim.*      every optimizer and option slope exposes: 20 steps on fixed gradients, two
               parameter groups with different options; the parameters after every step.
               Gradient clipping by value and by norm (clip_grad_value_, clip_grad_norm_), and
               a NaN gradient under clipGradNorm (where slope skips the step, by design).
  schedule.*   the learning rates of torch.optim.lr_scheduler's StepLR, MultiStepLR,
               ExponentialLR, CosineAnnealingLR (past T_max too), LinearLR, SequentialLR and
               ReduceLROnPlateau.
  loss.*       cross-entropy (class labels, probabilities, label smoothing, every reduction),
               MSE, softmax and log-softmax: values and gradients.
  norm.*       BatchNorm1d/2d (training forward and backward; running statistics over three
               steps, momentum 0.1 and None; then eval), LayerNorm, GroupNorm, InstanceNorm1d/2d,
               weight_norm and spectral_norm (power-iteration vectors u, v injected).
  mlp.*        one training step of Linear-BatchNorm1d-ReLU-Linear with cross-entropy and Adam:
               the loss, every gradient and every updated parameter.
  roundtrip.*  test/golden/slope_mlp.safetensors, a checkpoint written by slope (see
               scripts/golden_slope_checkpoint.mjs), loaded into the same torch.nn.Sequential:
               its logits on fixed inputs, in eval mode.
"""
import json
import os
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
OUT = os.path.join(ROOT, 'test', 'golden', 'torch.safetensors')
CHECKPOINT = os.path.join(ROOT, 'test', 'golden', 'slope_mlp.safetensors')

torch.manual_seed(14)
D = torch.float64
tensors = {}
metadata = {}


def rnd(*shape, scale=1.0):
    """Uniform in [-scale, scale), on a grid of scale/64."""
    return torch.round((torch.rand(*shape, dtype=D) * 2 - 1) * 64) / 64 * scale


def put(name, t):
    assert name not in tensors, name
    t = torch.as_tensor(t).detach()
    tensors[name] = t.to(torch.int32 if not t.is_floating_point() else D).clone().contiguous()  # a copy: in-place updates come later


# ---- safetensors, by hand ----------------------------------------------------------------

DTYPES = {torch.float64: ('F64', '<f8'), torch.float32: ('F32', '<f4'), torch.int32: ('I32', '<i4'), torch.int64: ('I64', '<i8')}
NUMPY = {'F64': '<f8', 'F32': '<f4', 'I32': '<i4', 'I64': '<i8'}


def write_safetensors(path, ts, meta):
    header = {'__metadata__': meta}
    blobs, off = [], 0
    for name, t in ts.items():
        code, np_dtype = DTYPES[t.dtype]
        b = t.numpy().astype(np_dtype).tobytes()
        header[name] = {'dtype': code, 'shape': list(t.shape), 'data_offsets': [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(',', ':')).encode('utf-8')
    h += b' ' * (-len(h) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    data = open(path, 'rb').read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n].decode('utf-8'))
    meta = header.pop('__metadata__', {})
    buf = data[8 + n:]
    out = {}
    for name, info in header.items():
        a, b = info['data_offsets']
        arr = np.frombuffer(buf[a:b], dtype=NUMPY[info['dtype']]).reshape(info['shape'])
        out[name] = torch.from_numpy(arr.copy())
    return out, meta


# ---- optimizers ---------------------------------------------------------------------------

STEPS = 20
TORCH_NAMES = {'lr': 'lr', 'momentum': 'momentum', 'dampening': 'dampening', 'weightDecay': 'weight_decay', 'nesterov': 'nesterov',
               'lrDecay': 'lr_decay', 'initialAccumulatorValue': 'initial_accumulator_value', 'eps': 'eps', 'alpha': 'alpha',
               'centered': 'centered', 'betas': 'betas', 'amsgrad': 'amsgrad'}
OPTIMIZERS = [
    # name, class, defaults (slope's option names; clipGradNorm/clipGradValue are the optimizer's), group 1's own options
    ('sgd', 'SGD', {'lr': 0.1}, {'lr': 0.05}),
    ('sgd-momentum', 'SGD', {'lr': 0.05, 'momentum': 0.9}, {'momentum': 0.5}),
    ('sgd-dampening', 'SGD', {'lr': 0.05, 'momentum': 0.9, 'dampening': 0.3}, {'dampening': 0.0}),
    ('sgd-nesterov', 'SGD', {'lr': 0.05, 'momentum': 0.9, 'nesterov': True}, {'weightDecay': 0.1}),
    ('sgd-weight-decay', 'SGD', {'lr': 0.1, 'weightDecay': 0.05}, {'weightDecay': 0.0, 'momentum': 0.8}),
    ('adagrad', 'Adagrad', {'lr': 0.1}, {'lr': 0.3}),
    ('adagrad-options', 'Adagrad', {'lr': 0.1, 'lrDecay': 0.05, 'weightDecay': 0.1, 'initialAccumulatorValue': 0.2, 'eps': 1e-3},
     {'lrDecay': 0.0, 'initialAccumulatorValue': 0.0}),
    ('rmsprop', 'RMSprop', {'lr': 0.01}, {'alpha': 0.9}),
    ('rmsprop-momentum', 'RMSprop', {'lr': 0.01, 'momentum': 0.9, 'weightDecay': 0.1}, {'momentum': 0.5, 'eps': 1e-3}),
    ('rmsprop-centered', 'RMSprop', {'lr': 0.01, 'centered': True}, {'momentum': 0.9}),
    ('adam', 'Adam', {'lr': 0.01}, {'betas': [0.8, 0.99]}),
    ('adam-options', 'Adam', {'lr': 0.01, 'weightDecay': 0.1, 'eps': 1e-3}, {'weightDecay': 0.0}),
    ('adam-amsgrad', 'Adam', {'lr': 0.01, 'amsgrad': True}, {'betas': [0.5, 0.9]}),
    ('adamw', 'AdamW', {'lr': 0.01}, {'weightDecay': 0.1}),
    ('adamw-amsgrad', 'AdamW', {'lr': 0.01, 'amsgrad': True, 'weightDecay': 0.05}, {'lr': 0.02}),
    ('adam-clip-norm', 'Adam', {'lr': 0.01, 'clipGradNorm': 1.0}, {'lr': 0.02}),
    ('sgd-clip-value', 'SGD', {'lr': 0.1, 'momentum': 0.9, 'clipGradValue': 0.5}, {'momentum': 0.0}),
    ('rmsprop-clip-both', 'RMSprop', {'lr': 0.01, 'clipGradValue': 0.75, 'clipGradNorm': 1.5}, {'centered': True}),
]


def torch_options(o):
    return {TORCH_NAMES[k]: (tuple(v) if k == 'betas' else v) for k, v in o.items() if k in TORCH_NAMES}


def run_optimizer(kind, defaults, group1, a0, b0, ga, gb, group_init=False):
    """Parameters after every step: group 0 holds a, group 1 holds b."""
    a = a0.clone().requires_grad_()
    b = b0.clone().requires_grad_()
    opt = getattr(torch.optim, kind)([{'params': [a]}, {'params': [b], **torch_options(group1)}], **torch_options(defaults))
    if group_init:
        # PyTorch 1.13's Adagrad fills 'sum' with the constructor's initial_accumulator_value
        # even for a group that sets its own; slope uses the group's. This replays torch with
        # the group's value put into its state, for the group-wise comparison.
        opt.state[b]['sum'].fill_(group1['initialAccumulatorValue'])
    pa, pb = [], []
    for t in range(ga.shape[0]):
        a.grad, b.grad = ga[t].clone(), gb[t].clone()
        if 'clipGradValue' in defaults:
            torch.nn.utils.clip_grad_value_([a, b], defaults['clipGradValue'])
        if 'clipGradNorm' in defaults:
            torch.nn.utils.clip_grad_norm_([a, b], defaults['clipGradNorm'])
        opt.step()
        pa.append(a.detach().clone())
        pb.append(b.detach().clone())
    return torch.stack(pa), torch.stack(pb)


def optimizers():
    a0, b0 = rnd(3, 2), rnd(4)
    ga, gb = rnd(STEPS, 3, 2, scale=2.0), rnd(STEPS, 4, scale=0.25)
    for name, t in [('a0', a0), ('b0', b0), ('ga', ga), ('gb', gb)]:
        put(f'optim.{name}', t)
    cases = []
    for name, kind, defaults, group1 in OPTIMIZERS:
        pa, pb = run_optimizer(kind, defaults, group1, a0, b0, ga, gb)
        put(f'optim.{name}.a', pa)
        put(f'optim.{name}.b', pb)
        case = {'name': name, 'kind': kind, 'defaults': defaults, 'group1': group1}
        if kind == 'Adagrad' and 'initialAccumulatorValue' in group1:
            _, pb = run_optimizer(kind, defaults, group1, a0, b0, ga, gb, group_init=True)
            put(f'optim.{name}.b-group-init', pb)
            case['groupInit'] = True
        cases.append(case)
    # A NaN gradient at step 3 under clipGradNorm: PyTorch writes NaN into the parameters; slope
    # skips that step and every later one (docs/optimizers.md, "Non-finite norm").
    gn = ga[:5].clone()
    gn[2, 1, 0] = float('nan')
    pa, pb = run_optimizer('Adam', {'lr': 0.01, 'clipGradNorm': 1.0}, {}, a0, b0, gn, gb[:5])
    put('optim.nonfinite.ga', gn)
    put('optim.nonfinite.a', pa)
    put('optim.nonfinite.b', pb)
    metadata['optim'] = json.dumps({'steps': STEPS, 'cases': cases, 'nonfinite': {'kind': 'Adam', 'defaults': {'lr': 0.01, 'clipGradNorm': 1.0}, 'step': 3}})


# ---- schedules ----------------------------------------------------------------------------

def schedules():
    n, lr = 40, 0.1
    lin = torch.optim.lr_scheduler
    specs = [
        ('step', {'stepSize': 7, 'gamma': 0.5}, lambda o: lin.StepLR(o, step_size=7, gamma=0.5)),
        ('multistep', {'milestones': [5, 12, 30], 'gamma': 0.3}, lambda o: lin.MultiStepLR(o, milestones=[5, 12, 30], gamma=0.3)),
        ('exponential', {'gamma': 0.9}, lambda o: lin.ExponentialLR(o, gamma=0.9)),
        ('cosine', {'tMax': 25, 'etaMin': 0.01}, lambda o: lin.CosineAnnealingLR(o, T_max=25, eta_min=0.01)),
        ('linear', {'startFactor': 0.25, 'totalIters': 8}, lambda o: lin.LinearLR(o, start_factor=0.25, total_iters=8)),
        ('sequential', {'startFactor': 0.1, 'warmup': 5, 'gamma': 0.9},
         lambda o: lin.SequentialLR(o, [lin.LinearLR(o, start_factor=0.1, total_iters=5), lin.ExponentialLR(o, gamma=0.9)], milestones=[5])),
    ]
    cases = []
    for name, args, make in specs:
        p = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([p], lr=lr)
        sched = make(opt)
        lrs = []
        for _ in range(n):
            lrs.append(opt.param_groups[0]['lr'])
            opt.step()
            sched.step()
        put(f'schedule.{name}', torch.tensor(lrs, dtype=D))
        cases.append({'name': name, 'lr': lr, **args})
    metrics = torch.tensor([1.0, 0.9, 0.95, 0.91, 0.905, 0.9, 0.92, 0.7, 0.71, 0.72, 0.7, 0.69, 0.695, 0.7, 0.75, 0.76, 0.77, 0.78], dtype=D)
    put('schedule.plateau.metrics', metrics)
    plateaus = [
        ('plateau-min', {'mode': 'min', 'factor': 0.5, 'patience': 2, 'threshold': 1e-2, 'thresholdMode': 'rel', 'cooldown': 1, 'minLr': 0.02}),
        ('plateau-max', {'mode': 'max', 'factor': 0.3, 'patience': 1, 'threshold': 0.005, 'thresholdMode': 'abs', 'cooldown': 0, 'minLr': 0.0}),
    ]
    for name, o in plateaus:
        p = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([p], lr=lr)
        sched = lin.ReduceLROnPlateau(opt, mode=o['mode'], factor=o['factor'], patience=o['patience'], threshold=o['threshold'],
                                      threshold_mode=o['thresholdMode'], cooldown=o['cooldown'], min_lr=o['minLr'])
        lrs = []
        for m in metrics:
            sched.step(float(m))
            lrs.append(opt.param_groups[0]['lr'])
        put(f'schedule.{name}', torch.tensor(lrs, dtype=D))
        cases.append({'name': name, 'lr': lr, **o})
    metadata['schedule'] = json.dumps({'steps': n, 'cases': cases})


# ---- losses -------------------------------------------------------------------------------

def losses():
    N, C = 6, 5
    z = rnd(N, C, scale=4.0)
    z[2] *= 5  # an outlier row: probabilities far from uniform
    y = torch.tensor([0, 4, 2, 2, 1, 3])
    p = torch.softmax(rnd(N, C, scale=3.0), 1)
    p = torch.round(p * 4096) / 4096
    p = p / p.sum(1, keepdim=True)
    w = rnd(N)  # upstream gradient of reduction 'none'
    put('loss.z', z)
    put('loss.y', y.to(torch.int32))
    put('loss.p', p)
    put('loss.w', w)
    cases = []
    for target in ['labels', 'probs']:
        for smoothing in [0.0, 0.1]:
            for reduction in ['mean', 'sum', 'none']:
                name = f'ce-{target}-{reduction}-{smoothing}'
                zz = z.clone().requires_grad_()
                loss = F.cross_entropy(zz, y if target == 'labels' else p, reduction=reduction, label_smoothing=smoothing)
                (loss * w if reduction == 'none' else loss).sum().backward()
                put(f'loss.{name}.loss', loss)
                put(f'loss.{name}.dz', zz.grad)
                cases.append({'name': name, 'target': target, 'reduction': reduction, 'labelSmoothing': smoothing})
    a, b = rnd(4, 3, scale=2.0), rnd(4, 3, scale=2.0)
    put('loss.mse.a', a)
    put('loss.mse.b', b)
    wm = rnd(4, 3)
    put('loss.mse.w', wm)
    for reduction in ['mean', 'sum', 'none']:
        aa = a.clone().requires_grad_()
        loss = F.mse_loss(aa, b, reduction=reduction)
        (loss * wm if reduction == 'none' else loss).sum().backward()
        put(f'loss.mse-{reduction}.loss', loss)
        put(f'loss.mse-{reduction}.da', aa.grad)
    x = rnd(5, 7, scale=8.0)
    x[1] = x[1] * 12 + 80  # large values: the max subtraction matters
    dy = rnd(5, 7)
    put('loss.softmax.x', x)
    put('loss.softmax.dy', dy)
    for name, fn in [('softmax', lambda t: torch.softmax(t, 1)), ('log-softmax', lambda t: torch.log_softmax(t, 1))]:
        xx = x.clone().requires_grad_()
        out = fn(xx)
        (out * dy).sum().backward()
        put(f'loss.{name}.y', out)
        put(f'loss.{name}.dx', xx.grad)
    metadata['loss'] = json.dumps({'cases': cases})


# ---- normalization ------------------------------------------------------------------------

def forward_backward(prefix, module, x, dy):
    """Training forward and backward: y, dx and the gradient of every parameter."""
    xx = x.clone().requires_grad_()
    y = module(xx)
    (y * dy).sum().backward()
    put(f'{prefix}.y', y)
    put(f'{prefix}.dx', xx.grad)
    for n, p in module.named_parameters():
        put(f'{prefix}.d.{n}', p.grad)


def set_params(prefix, module):
    """Non-default parameters (stored as inputs) for every parameter of a module."""
    with torch.no_grad():
        for n, p in module.named_parameters():
            p.copy_(rnd(*p.shape) + (1.0 if n.endswith('weight') else 0.0))
            put(f'{prefix}.p.{n}', p)


def batchnorm():
    cases = []
    for name, cls, shape in [('bn1d', nn.BatchNorm1d, (8, 3)), ('bn1d-ncl', nn.BatchNorm1d, (4, 3, 5)), ('bn2d', nn.BatchNorm2d, (3, 2, 4, 5))]:
        for momentum in [0.1, None]:
            case = f'{name}-{"cma" if momentum is None else momentum}'
            prefix = f'norm.{case}'
            m = cls(shape[1], momentum=momentum).to(D)
            set_params(prefix, m)
            xs = []
            for step in range(3):
                x = rnd(*shape, scale=0.5)
                x[:, 0] += 40  # a large mean over a small variance
                put(f'{prefix}.x{step}', x)
                xs.append(x)
            dy = rnd(*shape)
            put(f'{prefix}.dy', dy)
            forward_backward(prefix, m, xs[0], dy)
            with torch.no_grad():
                m(xs[1])
                m(xs[2])
            put(f'{prefix}.running_mean', m.running_mean)
            put(f'{prefix}.running_var', m.running_var)
            m.eval()
            xe = rnd(*shape, scale=2.0)
            put(f'{prefix}.xe', xe)
            put(f'{prefix}.ye', m(xe))
            cases.append({'name': case, 'kind': cls.__name__, 'shape': list(shape), 'momentum': momentum})
    return cases


def other_norms():
    cases = []
    specs = [
        ('layernorm', lambda: nn.LayerNorm(6), (4, 6), {'kind': 'LayerNorm', 'normalizedShape': [6]}),
        ('layernorm-2d', lambda: nn.LayerNorm([3, 4]), (2, 3, 4), {'kind': 'LayerNorm', 'normalizedShape': [3, 4]}),
        ('groupnorm', lambda: nn.GroupNorm(2, 6), (3, 6, 4), {'kind': 'GroupNorm', 'groups': 2, 'channels': 6}),
        ('groupnorm-2d', lambda: nn.GroupNorm(3, 6), (2, 6, 2, 3), {'kind': 'GroupNorm', 'groups': 3, 'channels': 6}),
        ('instancenorm1d', lambda: nn.InstanceNorm1d(3, affine=True), (2, 3, 5), {'kind': 'InstanceNorm1d', 'channels': 3}),
        ('instancenorm2d', lambda: nn.InstanceNorm2d(2, affine=True), (2, 2, 3, 3), {'kind': 'InstanceNorm2d', 'channels': 2}),
    ]
    for name, make, shape, info in specs:
        prefix = f'norm.{name}'
        m = make().to(D)
        set_params(prefix, m)
        x = rnd(*shape, scale=2.0)
        x[0] += 10
        dy = rnd(*shape)
        put(f'{prefix}.x', x)
        put(f'{prefix}.dy', dy)
        forward_backward(prefix, m, x, dy)
        cases.append({'name': name, 'shape': list(shape), **info})
    return cases


def parametrizations():
    P = torch.nn.utils.parametrizations
    cases = []
    # PyTorch 1.13 has weight_norm as a hook (weight_g, weight_v); the parametrization of the
    # same name (original0, original1, the names slope uses) arrived in 2.1 with the same math.
    for name, dim in [('weightnorm', 0), ('weightnorm-dim1', 1), ('weightnorm-all', None)]:
        prefix = f'norm.{name}'
        lin = nn.Linear(4, 3).to(D)
        with torch.no_grad():
            lin.weight.copy_(rnd(3, 4))
            lin.bias.copy_(rnd(3))
        put(f'{prefix}.weight', lin.weight)
        put(f'{prefix}.bias', lin.bias)
        m = torch.nn.utils.weight_norm(lin, dim=dim)
        x, dy = rnd(5, 4), rnd(5, 3)
        put(f'{prefix}.x', x)
        put(f'{prefix}.dy', dy)
        forward_backward(prefix, m, x, dy)
        cases.append({'name': name, 'dim': dim})
    prefix = 'norm.spectralnorm'
    lin = nn.Linear(5, 4).to(D)
    with torch.no_grad():
        lin.weight.copy_(rnd(4, 5))
        lin.bias.copy_(rnd(4))
    put(f'{prefix}.weight', lin.weight)
    put(f'{prefix}.bias', lin.bias)
    m = P.spectral_norm(lin)
    # Both start from the same power-iteration vectors: torch's own start, injected into slope.
    u0, v0 = torch.nn.functional.normalize(rnd(4), dim=0, eps=1e-12), torch.nn.functional.normalize(rnd(5), dim=0, eps=1e-12)
    with torch.no_grad():
        m.parametrizations.weight[0]._u.copy_(u0)
        m.parametrizations.weight[0]._v.copy_(v0)
    put(f'{prefix}.u0', u0)
    put(f'{prefix}.v0', v0)
    x, dy = rnd(6, 5), rnd(6, 4)
    put(f'{prefix}.x', x)
    put(f'{prefix}.dy', dy)
    forward_backward(prefix, m, x, dy)
    put(f'{prefix}.u', m.parametrizations.weight[0]._u)
    put(f'{prefix}.v', m.parametrizations.weight[0]._v)
    m.eval()
    with torch.no_grad():
        put(f'{prefix}.ye', m(x))
    cases.append({'name': 'spectralnorm'})
    return cases


def norms():
    metadata['norm'] = json.dumps({'cases': batchnorm() + other_norms() + parametrizations()})


# ---- a whole training step and the checkpoint round trip ---------------------------------

def mlp_step():
    # The Linear before the batch norm has no bias: its gradient would be zero up to rounding,
    # and Adam's first step (±lr·sign g) would amplify rounding noise into full-size updates.
    model = nn.Sequential(nn.Flatten(), nn.Linear(6, 8, bias=False), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3)).to(D)
    with torch.no_grad():
        for n, p in model.named_parameters():
            p.copy_(rnd(*p.shape) * (0.5 if n.endswith('weight') else 0.25) + (1.0 if n == '2.weight' else 0.0))
            put(f'mlp.init.{n}', p)
    x = rnd(10, 6, scale=2.0)
    y = torch.tensor([0, 1, 2, 2, 1, 0, 0, 2, 1, 1])
    put('mlp.x', x)
    put('mlp.y', y.to(torch.int32))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    put('mlp.loss', loss)
    for n, p in model.named_parameters():
        put(f'mlp.grad.{n}', p.grad)
    opt.step()
    for n, p in model.named_parameters():
        put(f'mlp.after.{n}', p)
    put('mlp.running_mean', model[2].running_mean)
    put('mlp.running_var', model[2].running_var)
    metadata['mlp'] = json.dumps({'optimizer': 'Adam', 'lr': 0.01, 'layers': ['Flatten', 'Linear(6, 8, bias=False)', 'BatchNorm1d(8)', 'ReLU', 'Linear(8, 3)']})


def roundtrip():
    """slope's checkpoint, loaded by name into the torch.nn.Sequential slope's buildModel describes."""
    ts, meta = read_safetensors(CHECKPOINT)
    config = json.loads(meta['config'])
    assert meta['format'] == 'slope.checkpoint', meta.get('format')
    widths = [int(w) for w in config['model'].split(':')[1].split(',')]
    features, classes = ts['1.weight'].shape[1], ts[f'{3 * len(widths) + 1}.weight'].shape[0]
    layers, width = [nn.Flatten()], features
    for h in widths:
        layers += [nn.Linear(width, h), nn.BatchNorm1d(h), nn.ReLU()]
        width = h
    layers.append(nn.Linear(width, classes))
    model = nn.Sequential(*layers).to(D)
    state = {k: v.to(D) if v.is_floating_point() else v.to(torch.int64) for k, v in ts.items() if not k.startswith('optimizer.')}
    model.load_state_dict(state, strict=True)
    model.eval()
    x = rnd(7, features, scale=3.0)
    put('roundtrip.x', x)
    with torch.no_grad():
        put('roundtrip.logits', model(x))
    metadata['roundtrip'] = json.dumps({'checkpoint': 'slope_mlp.safetensors', 'model': config['model'], 'norm': config['norm'], 'features': features, 'classes': classes})


def main():
    optimizers()
    schedules()
    losses()
    norms()
    mlp_step()
    roundtrip()
    metadata['generator'] = f'scripts/golden_torch.py with PyTorch {torch.__version__}'
    write_safetensors(OUT, tensors, metadata)
    print(f'wrote {os.path.relpath(OUT, ROOT)}: {len(tensors)} tensors, {os.path.getsize(OUT)} bytes')


if __name__ == '__main__':
    main()
