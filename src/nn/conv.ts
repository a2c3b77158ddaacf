/**
 * Convolutional layers with PyTorch's names, defaults, parameter names and initialization, so a
 * state dict moves between slope and the same torch.nn.Sequential: Conv2d (weight (K, C/groups,
 * R, S) and bias (K) from U(−1/√fan_in, 1/√fan_in), fan_in = C/groups·R·S: kaiming_uniform with
 * a = √5), MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Dropout (no parameters or buffers).
 * Errors from a layer name it and its arguments, then the shapes.
 */
import { ArgumentError, SlopeError } from '../errors.js';
import { Parameter, type Tensor } from '../graph/tensor.js';
import {
  adaptiveAvgPool2d, avgPool2d, conv2d, maxPool2d, pairOf, type Conv2dOptions, type Pair,
} from '../graph/ops/conv.js';
import { dropout } from '../graph/ops/dropout.js';
import { defaultGenerator, linearInit, type Generator } from './init.js';
import { Module } from './module.js';

/** Run `f`, prefixing a thrown slope error's message with the layer's description. */
function named<T>(layer: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof SlopeError && !e.message.startsWith(layer)) e.message = `${layer}: ${e.message}`;
    throw e;
  }
}

const show = (v: Pair): string => (typeof v === 'number' ? `(${v}, ${v})` : `(${v[0]}, ${v[1]})`);
const isOne = (v: Pair | undefined) => v === undefined || (typeof v === 'number' ? v === 1 : v[0] === 1 && v[1] === 1);

/** As PyTorch's repr: the arguments, and the options that are not their defaults. */
function convDesc(inC: number, outC: number, k: Pair, o: Conv2dModuleOptions): string {
  const pad = o.padding;
  const extra = [!isOne(o.stride) ? `stride=${show(o.stride!)}` : '',
    pad !== undefined && pad !== 0 ? `padding=${typeof pad === 'string' ? `'${pad}'` : show(pad as Pair)}` : '',
    !isOne(o.dilation) ? `dilation=${show(o.dilation!)}` : '', (o.groups ?? 1) !== 1 ? `groups=${o.groups}` : '',
    o.bias === false ? 'bias=False' : ''].filter(Boolean);
  return `Conv2d(${[inC, outC, `kernel_size=${show(k)}`, ...extra].join(', ')})`;
}

export interface Conv2dModuleOptions extends Conv2dOptions {
  bias?: boolean;
  /** Only zero padding (PyTorch's default 'zeros'). */
  paddingMode?: 'zeros';
  generator?: Generator;
  /** Name prefix for the parameters (default 'conv<n>'). */
  name?: string;
}

let convCount = 0;

/** torch.nn.Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True). */
export class Conv2d extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  readonly kernelSize: [number, number];
  readonly options: Conv2dOptions;
  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Pair,
    opts: Conv2dModuleOptions = {}) {
    super();
    const desc = convDesc(inChannels, outChannels, kernelSize, opts);
    this.desc = desc;
    for (const [k, v] of [['inChannels', inChannels], ['outChannels', outChannels]] as const) {
      if (!Number.isSafeInteger(v) || v < 1)
        throw new ArgumentError(`${desc}: ${k} must be a positive integer, got ${v}`);
    }
    this.kernelSize = named(desc, () => pairOf('Conv2d', 'kernelSize', kernelSize, 1));
    const groups = opts.groups ?? 1;
    if (!Number.isSafeInteger(groups) || groups < 1 || inChannels % groups || outChannels % groups) {
      throw new ArgumentError(`${desc}: in_channels ${inChannels} and out_channels ${outChannels} must be ` +
        `divisible by groups ${groups}`);
    }
    if ((opts.paddingMode ?? 'zeros') !== 'zeros')
      throw new ArgumentError(`${desc}: only padding_mode 'zeros' is supported, got '${opts.paddingMode}'`);
    const [sh, sw] = named(desc, () => pairOf('Conv2d', 'stride', opts.stride ?? 1, 1));
    if (opts.padding === 'same' && (sh !== 1 || sw !== 1))
      throw new ArgumentError(`${desc}: padding='same' is not supported for strided convolutions`);
    this.options = { stride: opts.stride ?? 1, padding: opts.padding ?? 0, dilation: opts.dilation ?? 1, groups };
    const gen = opts.generator ?? defaultGenerator;
    const name = opts.name ?? `conv${convCount++}`;
    const [R, S] = this.kernelSize;
    const fanIn = (inChannels / groups) * R * S;
    const wShape = [outChannels, inChannels / groups, R, S];
    this.weight = this.registerParameter('weight', new Parameter(`${name}.weight`, wShape, linearInit(fanIn,
      outChannels * fanIn, gen)));
    this.bias = opts.bias === false ? null : this.registerParameter('bias', new Parameter(`${name}.bias`,
      [outChannels], linearInit(fanIn, outChannels, gen)));
  }
  /** The layer as PyTorch prints it; errors begin with it. */
  private readonly desc: string;
  forward(x: Tensor): Tensor {
    return named(this.desc, () => {
      if (x.rank !== 4 || x.shape[1] !== this.inChannels) {
        throw new ArgumentError(`input ${x} must be (N, ${this.inChannels}, H, W)`);
      }
      const g = x.graph;
      return conv2d(x, g.param(this.weight), this.bias ? g.param(this.bias) : null, this.options);
    });
  }
}

export interface MaxPool2dModuleOptions { stride?: Pair | null; padding?: Pair; dilation?: Pair; ceilMode?: boolean }
export interface AvgPool2dModuleOptions {
  stride?: Pair | null; padding?: Pair; ceilMode?: boolean; countIncludePad?: boolean;
}

/** A window pooling layer: its kernel size checked when built; errors begin with the layer. */
abstract class Pool2d<O> extends Module {
  private readonly desc: string;
  constructor(readonly kernelSize: Pair, readonly opts: O, layer: string,
    private readonly op: (x: Tensor, o: O & { kernelSize: Pair }) => Tensor) {
    super();
    this.desc = `${layer}(kernel_size=${JSON.stringify(kernelSize)})`;
    named(this.desc, () => pairOf(layer, 'kernelSize', kernelSize, 1));
  }
  forward(x: Tensor): Tensor {
    return named(this.desc, () => this.op(x, { kernelSize: this.kernelSize, ...this.opts }));
  }
}

/** torch.nn.MaxPool2d(kernel_size, stride=None (= kernel_size), padding=0, dilation=1, ceil_mode=False). */
export class MaxPool2d extends Pool2d<MaxPool2dModuleOptions> {
  constructor(kernelSize: Pair, opts: MaxPool2dModuleOptions = {}) {
    super(kernelSize, opts, 'MaxPool2d', maxPool2d);
  }
}

/** torch.nn.AvgPool2d(kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True). */
export class AvgPool2d extends Pool2d<AvgPool2dModuleOptions> {
  constructor(kernelSize: Pair, opts: AvgPool2dModuleOptions = {}) {
    super(kernelSize, opts, 'AvgPool2d', avgPool2d);
  }
}

/** torch.nn.AdaptiveAvgPool2d(output_size); a null entry keeps that axis's size. */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: number | readonly [number | null, number | null]) {
    super();
  }
  forward(x: Tensor): Tensor {
    return named(`AdaptiveAvgPool2d(output_size=${JSON.stringify(this.outputSize)})`, () => adaptiveAvgPool2d(x,
      this.outputSize));
  }
}

/**
 * torch.nn.Dropout(p=0.5): in training mode zeroes each element with probability p and scales
 * the rest by 1/(1 − p), from the graph's 'dropout_rng' feed (seed, step); the identity in eval
 * mode. Layers of one graph draw independent masks (their order in the graph).
 */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (typeof p !== 'number' || !(p >= 0 && p <= 1))
      throw new ArgumentError(`Dropout: p must be a probability in [0, 1], got ${p}`);
  }
  forward(x: Tensor): Tensor {
    return this.training && this.p > 0 ? dropout(x, this.p) : x;
  }
}
