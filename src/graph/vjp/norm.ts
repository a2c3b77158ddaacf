/**
 * Backward rules of the normalization ops. Backward ops (normBackward, normGroupSums,
 * normAffineGrad) are differentiated by building their formula in IR ops on stand-ins of their
 * inputs and calling grad() on it, which gives exact partial derivatives; so Hessian-vector
 * products run through normalized networks.
 * Convention: downstream of a statistics tensor only K + d and v matter, so the gradients of K
 * and d are equal; normStats' backward reads the offset row.
 */
import { geomOf, type NormGeom } from '../../ops/index.js';
import { grad } from '../autodiff.js';
import type { Node, Tensor } from '../tensor.js';
import { add, broadcastTo, div, mul, neg, scale, sqrt, sub } from '../ops/elementwise.js';
import { reshape, sum } from '../ops/reduce.js';
import { normAffineGrad, normApply, normBackward, normGroupSums, normMean, normRow, normStack } from '../ops/norm.js';
import type { VjpTable } from './types.js';

/** Inputs of a normalization node: x, stats, then the optional weight and bias. */
function parts(t: Node<{ weight: boolean; bias: boolean }>) {
  const [x, stats, ...rest] = t.inputs;
  const w = t.attrs.weight ? rest.shift()! : null;
  const b = t.attrs.bias ? rest.shift()! : null;
  return { x, stats, w, b, rest };
}

// A second derivative of a backward op: its formula rebuilt in IR ops on stand-ins of the
// inputs (views, no copies), differentiated with grad(); partial derivatives are exact because
// nothing upstream of the stand-ins is reached.
const standIn = (t: Tensor) => reshape(reshape(t, [1, ...t.shape]), t.shape);

function viaComposite(out: Tensor, h: Tensor, build: (ins: Tensor[]) => Tensor,
  skip: readonly number[] = []): (Tensor | null)[] {
  const ins = out.inputs.map(standIn);
  const wrt = ins.filter((_, i) => !skip.includes(i));
  const gs = grad(build(ins), wrt, { seed: h });
  let k = 0;
  return ins.map((_, i) => (skip.includes(i) ? null : gs[k++]));
}

/** x̂ and 1/√(v+ε) in the (A, C, S) view, and ĝ = g·w, built from IR ops. */
function composite(ins: Tensor[], a: NormGeom & { eps: number; weight: boolean }) {
  const { A, C, S, P, Q, T } = geomOf(a);
  const [x, stats] = ins;
  const w = a.weight ? ins[2] : null;
  const g = ins[ins.length - 1];
  const ch = (t: Tensor) => reshape(t, [1, C, 1]);
  const v = ch(normRow(stats, 2));
  const r = div(x.graph.fill([1, C, 1], 1), sqrt(scale(v, 1, a.eps)));
  const xh = mul(sub(reshape(x, [A, C, S]), ch(normMean(stats))), r);
  const gh = w ? reshape(mul(reshape(g, [P, Q, T]), reshape(w, [1, Q, 1])), [A, C, S]) : reshape(g, [A, C, S]);
  const groupSum = (t: Tensor) => sum(sum(t, 2, true), 0, true);
  return { xh, r, gh, groupSum, M: A * S, C, P, Q, T, g };
}

export const NORM_VJPS = {
  norm_stats(out, gs) {
    const x = out.inputs[0];
    const { A, C, S } = out.attrs;
    const M = A * S;
    const ch = (t: Tensor) => reshape(t, [1, C, 1]);
    const gd = broadcastTo(ch(normRow(gs, 1)), [A, C, S]);
    const centred = sub(reshape(x, [A, C, S]), ch(normMean(out)));
    const dx = add(scale(gd, 1 / M), mul(scale(centred, 2 / M), ch(normRow(gs, 2))));
    return [reshape(dx, x.shape)];
  },
  norm_row(out, g) {
    const t = out.inputs[0];
    const row = out.attrs.row;
    const zero = t.graph.fill([t.shape[1]], 0);
    const rows = Array.from({ length: t.shape[0] }, (_, k) => (k === row || (row === -1 && k < 2) ? g : zero));
    return [normStack(rows)];
  },
  norm_stack: (out, g) => out.inputs.map((_, k) => normRow(g, k)),
  norm_apply(out, g) {
    const { x, stats, w, b } = parts(out);
    const geom = geomOf(out.attrs);
    const eps = out.attrs.eps;
    const dw = w ? normAffineGrad(x, stats, g, geom, eps, 'weight') : null;
    const db = b ? normAffineGrad(x, stats, g, geom, eps, 'bias') : null;
    const tail = [...(w ? [dw] : []), ...(b ? [db] : [])];
    if (out.attrs.batch) return [normBackward(x, stats, g, geom, eps, w), null, ...tail];
    // Statistics as an input: dx = g·w/√(v+ε); ∂μ = −Σĝ/√(v+ε); ∂v = −½ Σĝx̂ /(v+ε).
    const v = normRow(stats, 2);
    const zero = x.graph.fill(v.shape, 0);
    const dx = normApply(g, normStack([zero, zero, v]), geom, { eps, weight: w });
    const sums = normGroupSums(x, stats, g, geom, eps, w);
    const r = div(x.graph.fill(v.shape, 1), sqrt(scale(v, 1, eps)));
    const gmu = neg(mul(r, normRow(sums, 0)));
    const gv = scale(mul(mul(r, r), normRow(sums, 1)), -0.5);
    return [dx, normStack([gmu, gmu, gv]), ...tail];
  },
  norm_backward: (out, h) => viaComposite(out, h, (ins) => {
    const { xh, r, gh, groupSum, M } = composite(ins, out.attrs);
    const dx = mul(r, sub(sub(gh, scale(groupSum(gh), 1 / M)), mul(xh, scale(groupSum(mul(gh, xh)), 1 / M))));
    return reshape(dx, ins[0].shape);
  }),
  norm_group_sums: (out, h) => viaComposite(out, h, (ins) => {
    const { xh, gh, groupSum, C } = composite(ins, out.attrs);
    return normStack([reshape(groupSum(gh), [C]), reshape(groupSum(mul(gh, xh)), [C])]);
  }),
  norm_affine_grad: (out, h) => viaComposite(out, h, (ins) => {
    const { xh, P, Q, T, g } = composite(ins, { ...out.attrs, weight: false });
    const t = out.attrs.which === 'bias' ? reshape(g, [P, Q, T]) : reshape(mul(reshape(g, [...xh.shape]), xh),
      [P, Q, T]);
    return reshape(sum(sum(t, 2, true), 0, true), [Q]);
  }, out.attrs.which === 'bias' ? [0, 1] : []),
  bn_running: () => [null, null, null],
  bn_count: () => [null],
  bn_renorm: () => [null, null, null, null],
} satisfies Partial<VjpTable>;
