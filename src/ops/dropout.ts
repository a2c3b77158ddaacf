/**
 * Dropout with a counter-based generator on the device (Philox4x32-10; src/ref/dropout.ts has
 * the formulas): inputs [x, rng], rng an int32 pair (seed, step) that the trainer feeds each
 * step (the graph input DROPOUT_RNG), so masks are a pure function of the run's seed, the step,
 * the layer (`stream`) and the element: reproducible runs, bit-exact resume, no mask stored or
 * uploaded. y = x · keep / (1 − p) (PyTorch's inverted scaling); the backward rule is the same
 * op on the gradient. Eval mode builds no dropout node (the identity).
 */
import { ShapeError } from '../errors.js';
import { defineOp, out, requireF32 } from './schema.js';

export interface DropoutAttrs {
  /** Probability of dropping an element, in [0, 1] (1: every element, as PyTorch's zeros). */
  p: number;
  /** Tells the dropout layers of one graph apart (their order in the graph). */
  stream: number;
}

/** The name of the graph input that carries (seed, step) for every dropout layer. */
export const DROPOUT_RNG = 'dropout_rng';

/**
 * The kernel's integer threshold on an element's top 24 random bits: below it, the element is
 * dropped (so p is exact to 2⁻²⁴, and p = 1 drops every element).
 */
export const dropThreshold = (p: number): number => Math.round(p * 2 ** 24);

/** The scale of kept elements, 1 / (1 − p) (PyTorch's inverted dropout); 0 when p = 1. */
export const dropScale = (p: number): number => (p >= 1 ? 0 : 1 / (1 - p));

export const dropout = defineOp({
  name: 'dropout', kind: 'kernel', family: 'dropout',
  infer([x, rng], at: DropoutAttrs) {
    requireF32('dropout', x);
    if (!rng || rng.dtype !== 'i32' || rng.size !== 2)
      throw new ShapeError(`dropout: rng must be an int32 pair (seed, step), got ${rng}`);
    if (!(at.p >= 0 && at.p <= 1)) throw new ShapeError(`dropout: p must be in [0, 1], got ${at.p}`);
    if (!Number.isInteger(at.stream) || at.stream < 0 || at.stream >= 2 ** 32)
      throw new ShapeError(`dropout: stream must be a u32, got ${at.stream}`);
    return out(x.shape);
  },
});

export const DROPOUT_OPS = { dropout };
