/**
 * Every kernel case, and the variants each family's cases run under. A harness runs the whole
 * list of a family once per variant, forcing it with init({ variants: { [family]: variant } }).
 */
import type { Engine } from '../../src/index.js';
import type { KernelCase } from './types.js';
import type { DeviceLimits } from '../../src/gpu/device.js';
import { ELEMENTWISE_VARIANTS } from '../../src/kernels/elementwise.js';
import { REDUCE_VARIANTS } from '../../src/kernels/reduce.js';
import { MATMUL_VARIANTS, matmulVariantSupported, type MatmulVariant } from '../../src/kernels/matmul.js';
import { SOFTMAX_VARIANTS } from '../../src/kernels/softmax.js';
import { NORM_VARIANTS } from '../../src/kernels/norm.js';
import { CONV_VARIANTS, convVariantSupported, type ConvVariant } from '../../src/kernels/conv.js';
import { cases as elementwise } from './elementwise.js';
import { cases as reduce } from './reduce.js';
import { cases as matmul } from './matmul.js';
import { cases as softmax } from './softmax.js';
import { cases as crossEntropy } from './cross_entropy.js';
import { cases as metrics } from './metrics.js';
import { cases as batchnorm } from './batchnorm.js';
import { cases as norm } from './norm.js';
import { cases as gather } from './gather.js';
import { cases as optim } from './optim.js';
import { cases as conv } from './conv.js';
import { cases as pool } from './pool.js';
import { cases as dropout } from './dropout.js';
import { cases as torch } from '../golden/torch_cases.js';

export type { KernelCase } from './types.js';

export const allCases: KernelCase[] = [...elementwise, ...reduce, ...matmul, ...softmax, ...crossEntropy, ...metrics, ...norm, ...batchnorm, ...gather, ...optim, ...conv, ...pool, ...dropout, ...torch];

/**
 * Variants per family, from the kernels' own lists ('default' = whatever the engine picks, for
 * families with one kernel). cross_entropy picks its row kernel as softmax does.
 */
export const VARIANTS: Record<string, readonly string[]> = {
  elementwise: ELEMENTWISE_VARIANTS,
  reduce: REDUCE_VARIANTS,
  matmul: MATMUL_VARIANTS,
  softmax: SOFTMAX_VARIANTS,
  cross_entropy: SOFTMAX_VARIANTS,
  metrics: ['default'],
  batchnorm: ['default'],
  norm: NORM_VARIANTS,
  gather: ['default'],
  optim: ['default'],
  conv: CONV_VARIANTS,
  pool: ['default'],
  dropout: ['default'],
  torch: ['default'],
};

export function casesOf(family: string): KernelCase[] {
  return allCases.filter((c) => c.family === family);
}

/** The limits of a WebGPU engine's device (what variantUnsupported needs). */
export function limitsOf(engine: Engine): Pick<DeviceLimits, 'subgroupMinSize'> {
  return (engine.backend as unknown as { gpu: { limits: DeviceLimits } }).gpu.limits;
}

/** Why a device with these limits cannot run a variant (sg needs subgroups of ≥ 8 lanes), or null. */
export function variantUnsupported(limits: Pick<DeviceLimits, 'subgroupMinSize'>, family: string, variant: string): string | null {
  const ok = family === 'matmul' ? matmulVariantSupported(variant as MatmulVariant, limits)
    : family === 'conv' ? convVariantSupported(variant as ConvVariant, limits) : true;
  if (ok) return null;
  return `${family} [${variant}] needs subgroups of at least 8 lanes (the adapter has ${limits.subgroupMinSize || 'none'})`;
}

/** init() options that force a variant of a family. */
export function variantOptions(family: string, variant: string): { variants?: Record<string, string> } {
  return variant === 'default' ? {} : { variants: { [family]: variant } };
}
