/**
 * Every kernel case, and the variants each family's cases run under. A harness runs the whole
 * list of a family once per variant, forcing it with init({ variants: { [family]: variant } }).
 */
import type { Engine } from '../../src/index.js';
import type { KernelCase } from './types.js';
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

export type { KernelCase } from './types.js';

export const allCases: KernelCase[] = [...elementwise, ...reduce, ...matmul, ...softmax, ...crossEntropy, ...metrics, ...norm, ...batchnorm, ...gather, ...optim];

/** Variants per family ('default' = whatever the engine picks). */
export const VARIANTS: Record<string, readonly string[]> = {
  elementwise: ['x1', 'x8'],
  reduce: ['naive', 'wg'],
  matmul: ['naive', 'reg', 'tiled', 'bcast', 'sg'],
  softmax: ['naive', 'wg'],
  cross_entropy: ['naive', 'wg'],
  metrics: ['default'],
  batchnorm: ['default'],
  norm: ['naive', 'lanes', 'wg'],
  gather: ['default'],
  optim: ['default'],
};

export function casesOf(family: string): KernelCase[] {
  return allCases.filter((c) => c.family === family);
}

/** Whether this engine can run a variant (sg needs subgroups of at least 8 lanes). */
export function variantSupported(engine: Engine, family: string, variant: string): boolean {
  if (family !== 'matmul' || variant !== 'sg') return true;
  const gpu = (engine.backend as { gpu?: { limits?: { subgroupMinSize?: number } } }).gpu;
  return (gpu?.limits?.subgroupMinSize ?? 0) >= 8;
}

/** init() options that force a variant of a family. */
export function variantOptions(family: string, variant: string): { variants?: Record<string, string> } {
  return variant === 'default' ? {} : { variants: { [family]: variant } };
}
