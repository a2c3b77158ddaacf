/**
 * C = op(A)·op(B), op = identity or transpose, with an optional batch dimension (a rank-2
 * operand is shared across the batch). `linear(x, W, b)` is PyTorch's x·Wᵀ + b. The compiler
 * fuses a following bias add and activation into the matmul's epilogue.
 */
import { ShapeError } from '../../errors.js';
import { defineOp, Tensor } from '../tensor.js';
import { requireF32, sameGraph } from './shape.js';
import { add } from './elementwise.js';
import { sum } from './reduce.js';

export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
}

export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  sameGraph('matmul', a, b);
  return a.graph.node('matmul', [a, b], { transA: !!opts.transA, transB: !!opts.transB, bias: false, act: 'none' });
}

/** PyTorch's F.linear: x (N, in) · Wᵀ (W is (out, in)) + b (out). */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const y = matmul(x, weight, { transB: true });
  return bias ? add(y, bias) : y;
}

/** M, N, K and batch of a matmul call, or a ShapeError naming both shapes. */
export function matmulDims(a: readonly number[], b: readonly number[], transA: boolean, transB: boolean) {
  const fail = (why: string) => {
    throw new ShapeError(`matmul: ${why}: A [${a}]${transA ? 'ᵀ' : ''} · B [${b}]${transB ? 'ᵀ' : ''}`);
  };
  if (a.length < 2 || a.length > 3 || b.length < 2 || b.length > 3) fail('operands must have rank 2 or 3');
  const ab = a.length === 3 ? a[0] : 1;
  const bb = b.length === 3 ? b[0] : 1;
  if (a.length === 3 && b.length === 3 && ab !== bb) fail(`batch sizes differ (${ab} vs ${bb})`);
  const a0 = a[a.length - 2], a1 = a[a.length - 1];
  const b0 = b[b.length - 2], b1 = b[b.length - 1];
  const M = transA ? a1 : a0, K = transA ? a0 : a1;
  const Kb = transB ? b1 : b0, N = transB ? b0 : b1;
  if (K !== Kb) fail(`inner dimensions differ (K = ${K} vs ${Kb})`);
  const batch = Math.max(ab, bb);
  const batched = a.length === 3 || b.length === 3;
  return { M, N, K, batch, batched, batchA: a.length === 3, batchB: b.length === 3 };
}

defineOp({
  name: 'matmul',
  infer(inputs, attrs) {
    const [a, b] = inputs;
    requireF32('matmul', a, b);
    const d = matmulDims(a.shape, b.shape, !!attrs.transA, !!attrs.transB);
    if (attrs.bias) {
      const bias = inputs[2];
      if (!bias || bias.rank !== 1 || bias.shape[0] !== d.N) throw new ShapeError(`matmul: fused bias must have shape [${d.N}], got ${bias}`);
    }
    return { shape: d.batched ? [d.batch, d.M, d.N] : [d.M, d.N], dtype: 'f32' };
  },
  vjp(out, g) {
    if (out.attrs.bias || out.attrs.act !== 'none') throw new Error('fused matmul nodes exist only after compilation');
    const [a, b] = out.inputs;
    const tA = !!out.attrs.transA, tB = !!out.attrs.transB;
    let ga = tA ? matmul(b, g, { transA: tB, transB: true }) : matmul(g, b, { transB: !tB });
    let gb = tB ? matmul(g, a, { transA: true, transB: tA }) : matmul(a, g, { transA: !tA });
    // A rank-2 operand shared across a batch receives the sum of its per-batch gradients.
    if (a.rank === 2 && ga.rank === 3) ga = sum(ga, 0);
    if (b.rank === 2 && gb.rank === 3) gb = sum(gb, 0);
    return [ga, gb];
  },
});
