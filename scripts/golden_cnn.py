#!/usr/bin/env python3
"""Golden values for the convolution and pooling references, computed by PyTorch in float64.

Writes test/golden/cnn.json (committed: the tests read it and never need torch). Rerun with
    python3 scripts/golden_cnn.py
(Debian: apt-get install python3-torch). Inputs are drawn from a seeded torch generator and
stored with the outputs, so the fixture alone is the whole test. Inputs lie on a grid of 1/64;
outputs are rounded to 12 significant digits.
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.manual_seed(12)
D = torch.float64


def rnd(*shape):
    """Uniform in [-1, 1), on a grid of 1/64: exact in binary and short in JSON."""
    return torch.round((torch.rand(*shape, dtype=D) * 2 - 1) * 64) / 64


def flat(t):
    """Values to 12 significant digits (the tests compare to 1e-10); NaN as null."""
    return [None if math.isnan(v) else float(f'{v:.12g}') for v in t.detach().reshape(-1).tolist()]


def conv_case(name, x_shape, w_shape, stride=1, padding=0, dilation=1, groups=1, bias=True):
    x = rnd(*x_shape).requires_grad_()
    w = rnd(*w_shape).requires_grad_()
    b = rnd(w_shape[0]).requires_grad_() if bias else None
    y = F.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
    dy = rnd(*y.shape)
    y.backward(dy)
    return {
        'name': name, 'x_shape': list(x_shape), 'w_shape': list(w_shape), 'y_shape': list(y.shape),
        'stride': stride, 'padding': padding, 'dilation': dilation, 'groups': groups,
        'x': flat(x), 'w': flat(w), 'b': flat(b) if bias else None, 'dy': flat(dy),
        'y': flat(y), 'dx': flat(x.grad), 'dw': flat(w.grad), 'db': flat(b.grad) if bias else None,
    }


def pool_case(kind, name, x, kernel, stride=None, padding=0, dilation=1, ceil_mode=False, count_include_pad=True):
    x = x.clone().requires_grad_()
    out = {'kind': kind, 'name': name, 'x_shape': list(x.shape), 'kernel': kernel, 'stride': stride,
           'padding': padding, 'ceil_mode': ceil_mode}
    if kind == 'max':
        y, idx = F.max_pool2d(x, kernel, stride, padding, dilation, ceil_mode=ceil_mode, return_indices=True)
        out.update(dilation=dilation, indices=idx.reshape(-1).tolist())
    elif kind == 'avg':
        y = F.avg_pool2d(x, kernel, stride, padding, ceil_mode=ceil_mode, count_include_pad=count_include_pad)
        out.update(count_include_pad=count_include_pad)
    dy = rnd(*y.shape)
    y.backward(dy)
    out.update(y_shape=list(y.shape), x=flat(x), dy=flat(dy), y=flat(y), dx=flat(x.grad))
    return out


def adaptive_case(name, x_shape, size):
    x = rnd(*x_shape).requires_grad_()
    y = F.adaptive_avg_pool2d(x, size)
    dy = rnd(*y.shape)
    y.backward(dy)
    return {'name': name, 'x_shape': list(x_shape), 'out': list(size), 'y_shape': list(y.shape),
            'x': flat(x), 'dy': flat(dy), 'y': flat(y), 'dx': flat(x.grad)}


conv = [
    conv_case('3×3, padding 1, batch 1', (1, 3, 7, 6), (5, 3, 3, 3), padding=1),
    conv_case('stride 2, padding (1, 2), dilation (1, 2), no bias', (2, 3, 9, 8), (4, 3, 3, 2), stride=2, padding=(1, 2), dilation=(1, 2), bias=False),
    conv_case('groups 2, stride (2, 1)', (2, 6, 7, 5), (4, 3, 2, 3), stride=(2, 1), groups=2),
    conv_case('depthwise 5 channels, padding 1', (1, 5, 6, 7), (5, 1, 3, 3), padding=1, groups=5),
    conv_case("padding 'same', 4×3 kernel (extra row at the bottom), dilation 2", (1, 2, 9, 7), (3, 2, 4, 3), padding='same', dilation=2),
    conv_case('1×1 kernel, stride 3', (2, 5, 7, 7), (6, 5, 1, 1), stride=3),
]

nan = float('nan')
xn = rnd(2, 2, 7, 9)
xn[0, 0, 1, 1] = nan
xn[0, 0, 2, 3] = nan
xn[1, 1, 4, 4] = nan
ties = torch.tensor([[[[1., 2., 2., 0., 2.], [2., 2., 1., 2., 2.], [0., 1., 2., 2., 1.], [2., 0., 2., 1., 2.]]]], dtype=D)
pool = [
    pool_case('max', '2×2 stride 2, odd sizes (floor)', rnd(1, 3, 7, 9), 2),
    pool_case('max', '3×3 stride 2 padding 1 ceil_mode', rnd(1, 2, 8, 7), 3, 2, 1, ceil_mode=True),
    pool_case('max', '2×3 stride (3, 2) ceil_mode: last window dropped', rnd(1, 2, 7, 6), (2, 3), (3, 2), ceil_mode=True),
    pool_case('max', '3×3 dilation 2 padding 1 stride 1', rnd(1, 2, 7, 8), 3, 1, 1, dilation=2),
    pool_case('max', 'NaN propagates (the last NaN of a window is the argmax)', xn, 3, 2, 1),
    pool_case('max', 'ties go to the first maximum', ties, 2, 1),
    pool_case('avg', '2×2 stride 2, odd sizes', rnd(1, 3, 7, 9), 2),
    pool_case('avg', '3×3 stride 2 padding 1 ceil_mode, count_include_pad', rnd(1, 2, 8, 7), 3, 2, 1, ceil_mode=True),
    pool_case('avg', '3×3 stride 2 padding 1 ceil_mode, exclude padding', rnd(1, 2, 8, 7), 3, 2, 1, ceil_mode=True, count_include_pad=False),
    pool_case('avg', '3×2 stride (2, 3) padding (1, 1) ceil_mode: clipped last window', rnd(1, 3, 6, 8), (3, 2), (2, 3), (1, 1), ceil_mode=True),
]
adaptive = [
    adaptive_case('7×9 → 3×4 (overlapping windows)', (1, 3, 7, 9), (3, 4)),
    adaptive_case('5×5 → 1×1 (global)', (2, 4, 5, 5), (1, 1)),
    adaptive_case('3×4 → 5×6 (upsampling: windows of one)', (1, 2, 3, 4), (5, 6)),
]

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
path = os.path.join(root, 'test', 'golden', 'cnn.json')
with open(path, 'w', encoding='utf-8') as f:
    json.dump({'torch': torch.__version__, 'conv2d': conv, 'pool2d': pool, 'adaptive_avg_pool2d': adaptive}, f, ensure_ascii=False)
    f.write('\n')
print(f'wrote {path}: {len(conv)} conv2d, {len(pool)} pool2d, {len(adaptive)} adaptive cases')
