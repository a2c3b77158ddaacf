/**
 * C = op(A)·op(B), op = identity or transpose, with an optional batch dimension (a rank-2
 * operand is shared across the batch). `linear(x, W, b)` is PyTorch's x·Wᵀ + b. The planner
 * fuses a following bias add and activation into the matmul's epilogue.
 */
import { OPS } from '../../ops/index.js';
import { Tensor, build } from '../tensor.js';
import { sameGraph } from './shape.js';
import { add } from './elementwise.js';

export { matmulDims } from '../../ops/index.js';

export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
}

export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  sameGraph('matmul', a, b);
  return build(OPS.matmul, [a, b],
    { transA: !!opts.transA, transB: !!opts.transB, bias: false, act: 'none' as const, alpha: 0, beta: 0 });
}

/** PyTorch's F.linear: x (N, in) · Wᵀ (W is (out, in)) + b (out). */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const y = matmul(x, weight, { transB: true });
  return bias ? add(y, bias) : y;
}
