/**
 * C = act(op(A)·op(B) + bias), op = identity or transpose, with an optional batch dimension
 * (a rank-2 operand is shared across the batch). Graphs hold plain matmuls (no bias, no
 * activation); the planner's epilogue rule folds a following bias add and activation in.
 */
import { ShapeError } from '../errors.js';
import { ACTIVATIONS, type Activation } from './activation.js';
import { binary, unary } from './elementwise.js';
import { isOp, type Fusion, type FusionRule } from './fusion.js';
import { defineOp, out, requireF32, sameShape, type Shape } from './schema.js';

export interface MatmulAttrs {
  transA: boolean;
  transB: boolean;
  /** A third input (N) is added to every row (epilogue). */
  bias: boolean;
  /** Applied after the bias (epilogue), with its two parameters. */
  act: Activation;
  alpha: number;
  beta: number;
}

export interface MatmulDims {
  M: number; N: number; K: number;
  batch: number; batched: boolean; batchA: boolean; batchB: boolean;
}

/** M, N, K and batch of a matmul call, or a ShapeError naming both shapes. */
export function matmulDims(a: Shape, b: Shape, transA: boolean, transB: boolean): MatmulDims {
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

export const matmul = defineOp({
  name: 'matmul', kind: 'kernel', family: 'matmul',
  infer(inputs, at: MatmulAttrs) {
    const [a, b, bias] = inputs;
    requireF32('matmul', a, b);
    const d = matmulDims(a.shape, b.shape, at.transA, at.transB);
    if (at.bias && (!bias || bias.rank !== 1 || bias.shape[0] !== d.N)) {
      throw new ShapeError(`matmul: fused bias must have shape [${d.N}], got ${bias}`);
    }
    return out(d.batched ? [d.batch, d.M, d.N] : [d.M, d.N]);
  },
});

export const MATMUL_OPS = { matmul };

/**
 * The matmul epilogue: matmul → add(bias row) [→ activation], when nothing else reads the
 * intermediate results, becomes one matmul with a bias and activation epilogue.
 */
export const MATMUL_EPILOGUE_RULE: FusionRule = {
  name: 'matmul epilogue',
  find(order, ctx) {
    const found: Fusion<(typeof order)[number]>[] = [];
    for (const t of order) {
      if (!isOp(t, matmul) || t.attrs.bias || !ctx.single(t) || ctx.absorbed(t)) continue;
      const add = ctx.consumerOf(t)!;
      if (!isOp(add, binary) || add.attrs.kind !== 'add') continue;
      const other = add.inputs[0] === t ? add.inputs[1] : add.inputs[1] === t ? add.inputs[0] : null;
      const N = t.shape[t.rank - 1];
      if (!other || other === t || other.rank !== 1 || other.shape[0] !== N || !sameShape(add.shape, t.shape)) continue;
      const next = ctx.single(add) ? ctx.consumerOf(add) : undefined;
      const withAct = !!next && isOp(next, unary) && ACTIVATIONS[next.attrs.kind].epilogue;
      const last = withAct ? next! : add;
      const act = withAct && isOp(next!, unary) ? next!.attrs : { kind: 'none' as const, alpha: 0, beta: 0 };
      found.push({
        at: t, op: matmul, inputs: [t.inputs[0], t.inputs[1], other] as (typeof t)[],
        attrs: { ...t.attrs, bias: true, act: act.kind, alpha: act.alpha, beta: act.beta },
        outputs: [last], absorbs: withAct ? [t, add, last] : [t, add],
      });
    }
    return found;
  },
};
