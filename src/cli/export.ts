/**
 * `slope export --checkpoint run.st --format torch --out model.py`: a short Python file that
 * builds the same torch.nn.Sequential as the checkpoint's model (layer for layer, so the
 * state_dict names match), reads the safetensors file with torch and the standard library alone
 * (no safetensors package needed), loads the weights strictly, and applies the stored
 * standardization before the network. Only numbers and names from closed lists reach the Python
 * text; class names and statistics are read from the checkpoint at load time.
 */
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import { writeFileAtomic, readCheckpointFile } from '../io/node.js';
import { checkpointSizes, modelInput, modelSpec } from '../train/predict.js';
import { buildModel } from '../train/factory.js';
import { Flatten, GELU, Linear, ReLU, Sequential, Sigmoid, Tanh, Unflatten } from '../nn/layers.js';
import { BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm } from '../nn/norm.js';
import { AdaptiveAvgPool2d, AvgPool2d, Conv2d, Dropout, MaxPool2d } from '../nn/conv.js';
import { ArgumentError } from '../errors.js';
import type { Parsed } from './args.js';
import { UsageError } from './args.js';
import type { Out } from './train.js';

/** A finite number as a Python literal (JavaScript's shortest round-trip form is valid Python). */
const num = (v: number) => String(v);
const py = (b: boolean) => (b ? 'True' : 'False');
/** A number or a pair of numbers as a Python tuple. */
type Pair = number | readonly [number, number];
const pair = (v: Pair) => (typeof v === 'number' ? `(${v}, ${v})` : `(${v[0]}, ${v[1]})`);

/**
 * One torch.nn layer per module of slope's model, read from the built modules themselves (sizes,
 * eps, momentum, GELU's form), so the exported network is the one slope runs for the checkpoint.
 */
export function torchLayers(model: Sequential): string[] {
  return model.layers.map((m, i) => {
    if (m instanceof Flatten) return 'nn.Flatten()';
    if (m instanceof Unflatten) return `nn.Unflatten(${m.dim}, (${m.sizes.join(', ')}))`;
    if (m instanceof Conv2d) {
      const o = m.options;
      const pad = typeof o.padding === 'string' ? `'${o.padding}'` : pair(o.padding ?? 0);
      return `nn.Conv2d(${m.inChannels}, ${m.outChannels}, kernel_size=${pair(m.kernelSize)}, ` +
        `stride=${pair(o.stride ?? 1)}, padding=${pad}, dilation=${pair(o.dilation ?? 1)}, groups=${o.groups ?? 1}, ` +
        `bias=${py(!!m.bias)})`;
    }
    if (m instanceof BatchNorm2d) {
      const momentum = m.momentum === null ? 'None' : num(m.momentum);
      const flags = `affine=${py(!!m.weight)}, track_running_stats=${py(!!m.runningMean)}`;
      return `nn.BatchNorm2d(${m.numFeatures}, eps=${num(m.eps)}, momentum=${momentum}, ${flags})`;
    }
    if (m instanceof GroupNorm && m.constructor === GroupNorm) {
      return `nn.GroupNorm(${m.numGroups}, ${m.numChannels}, eps=${num(m.eps)}, affine=${py(!!m.weight)})`;
    }
    if (m instanceof MaxPool2d) {
      const o = m.opts;
      return `nn.MaxPool2d(${pair(m.kernelSize)}, stride=${pair(o.stride ?? m.kernelSize)}, ` +
        `padding=${pair(o.padding ?? 0)}, dilation=${pair(o.dilation ?? 1)}, ceil_mode=${py(!!o.ceilMode)})`;
    }
    if (m instanceof AvgPool2d) {
      const o = m.opts;
      return `nn.AvgPool2d(${pair(m.kernelSize)}, stride=${pair(o.stride ?? m.kernelSize)}, ` +
        `padding=${pair(o.padding ?? 0)}, ceil_mode=${py(!!o.ceilMode)}, ` +
        `count_include_pad=${py(o.countIncludePad ?? true)})`;
    }
    if (m instanceof AdaptiveAvgPool2d) {
      const s = m.outputSize;
      const size = (v: number | null) => (v === null ? 'None' : String(v));
      return `nn.AdaptiveAvgPool2d(${typeof s === 'number' ? s : `(${size(s[0])}, ${size(s[1])})`})`;
    }
    if (m instanceof Dropout) return `nn.Dropout(p=${num(m.p)})`;
    if (m instanceof Linear) return `nn.Linear(${m.inFeatures}, ${m.outFeatures}, bias=${py(!!m.bias)})`;
    if (m instanceof BatchNorm1d) {
      const momentum = m.momentum === null ? 'None' : num(m.momentum);
      const flags = `affine=${py(!!m.weight)}, track_running_stats=${py(!!m.runningMean)}`;
      return `nn.BatchNorm1d(${m.numFeatures}, eps=${num(m.eps)}, momentum=${momentum}, ${flags})`;
    }
    if (m instanceof LayerNorm) {
      const shape = JSON.stringify(m.normalizedShape);
      return `nn.LayerNorm(${shape}, eps=${num(m.eps)}, elementwise_affine=${py(!!m.weight)})`;
    }
    if (m instanceof GELU) return `nn.GELU(approximate='${m.approximate}')`;
    if (m instanceof ReLU) return 'nn.ReLU()';
    if (m instanceof Tanh) return 'nn.Tanh()';
    if (m instanceof Sigmoid) return 'nn.Sigmoid()';
    throw new ArgumentError(`export: layer ${i} (${m.constructor.name}) has no PyTorch counterpart here yet`);
  });
}

/** The Python module text for a checkpoint (its path as the default, relative to the module when it can be). */
export function torchModule(bytes: Uint8Array, checkpoint: string, out: string): string {
  const sizes = checkpointSizes(bytes);
  const { config, input, features, numClasses } = sizes;
  const layers = torchLayers(buildModel(modelSpec(config), modelInput(sizes), numClasses));
  const rel = relative(dirname(resolve(out)), resolve(checkpoint));
  const path = isAbsolute(rel) || rel.startsWith('..')
    ? JSON.stringify(resolve(checkpoint))
    : `os.path.join(os.path.dirname(os.path.abspath(__file__)), ${JSON.stringify(rel)})`;
  const shape = JSON.stringify(input?.shape ?? [features]);
  return `"""${basename(checkpoint)} (a slope checkpoint) as a PyTorch model. Written by \`slope export\`.

Needs torch and the Python standard library only (no safetensors package):

    import model
    net = model.load()              # SlopeModel in eval mode: standardization, then net.net
    logits = net(x)                 # x: float32 tensor (N, ${(input?.shape ?? [features]).join(', ')})
    names = net.class_names         # class names in label order (None: plain indices)

net.net is the torch.nn.Sequential the weights were loaded into (strictly); train it further
like any PyTorch model.
"""
import json
import os
import struct

import torch
from torch import nn

CHECKPOINT = ${path}
INPUT_SHAPE = ${shape}


def build():
    """The network, layer for layer as slope built it (state_dict names match the checkpoint)."""
    return nn.Sequential(
${layers.map((l) => `        ${l},`).join('\n')}
    )


DTYPES = {'F64': torch.float64, 'F32': torch.float32, 'F16': torch.float16, 'BF16': torch.bfloat16,
          'I64': torch.int64, 'I32': torch.int32, 'I16': torch.int16, 'I8': torch.int8,
          'U8': torch.uint8, 'BOOL': torch.bool}


def read_safetensors(path):
    """Tensors and string metadata of a safetensors file: an 8-byte length, a JSON header, raw data."""
    with open(path, 'rb') as f:
        data = f.read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n].decode('utf-8'))
    meta = header.pop('__metadata__', None) or {}
    tensors = {}
    for name, info in header.items():
        start, end = info['data_offsets']
        raw = bytearray(data[8 + n + start:8 + n + end])
        dtype = DTYPES[info['dtype']]
        t = torch.frombuffer(raw, dtype=dtype) if raw else torch.empty(0, dtype=dtype)
        tensors[name] = t.reshape(info['shape'])
    return tensors, meta


class Standardize(nn.Module):
    """x̃ = (x − mean) / std per feature, in float64, as slope standardized the training data (std 0 → 1)."""

    def __init__(self, mean, std):
        super().__init__()
        std = torch.tensor(std, dtype=torch.float64)
        self.register_buffer('mean', torch.tensor(mean, dtype=torch.float64).reshape(INPUT_SHAPE))
        self.register_buffer('std', torch.where(std == 0, torch.ones_like(std), std).reshape(INPUT_SHAPE))

    def forward(self, x):
        return ((x.double() - self.mean) / self.std).to(x.dtype)


class SlopeModel(nn.Module):
    """The stored standardization (if any), then the network; outputs logits."""

    def __init__(self, net, standardize=None, class_names=None):
        super().__init__()
        self.standardize = standardize if standardize is not None else nn.Identity()
        self.net = net
        self.class_names = class_names

    def forward(self, x):
        return self.net(self.standardize(x))


def load(path=CHECKPOINT):
    tensors, meta = read_safetensors(path)
    net = build()
    state = {k: v for k, v in tensors.items() if not k.startswith('optimizer.')}
    net.load_state_dict(state, strict=True)
    info = json.loads(meta['input']) if 'input' in meta else {}
    st = info.get('standardize')
    standardize = Standardize(st['mean'], st['std']) if st else None
    return SlopeModel(net, standardize, info.get('classNames')).eval()


if __name__ == '__main__':
    import sys
    m = load(sys.argv[1] if len(sys.argv) > 1 else CHECKPOINT)
    print(m)
    print('classes:', m.class_names)
`;
}

export async function exportCommand(p: Parsed, io: Out): Promise<void> {
  const f = p.flags;
  const file = f.checkpoint as string | undefined;
  const out = f.out as string | undefined;
  if (!file) throw new UsageError('export needs --checkpoint FILE', 'export');
  if (!out) throw new UsageError('export needs --out FILE (e.g. model.py)', 'export');
  const bytes = await readCheckpointFile(file);
  const text = torchModule(bytes, file, out);
  await writeFileAtomic(out, new TextEncoder().encode(text));
  const mod = basename(out).replace(/\.py$/, '');
  io.out(`wrote ${out}: a torch.nn.Sequential for ${basename(file)}; in Python: import ${mod}; net = ${mod}.load()`);
}
