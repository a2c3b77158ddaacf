/** cpu implementations of the normalization ops, each a call into the float64 references. */
import * as nr from '../ref/norm.js';
import * as bn from '../ref/batchnorm.js';
import { geomOf } from '../ops/index.js';
import type { CpuArgs, CpuTable } from './cpu.js';

type Affine = { weight: boolean; bias: boolean };

/** The optional weight and bias (flags in attrs) at the front of `rest`, then the remaining inputs. */
function affine(rest: Float64Array[], attrs: Affine) {
  const w = attrs.weight ? rest.shift()! : null;
  const b = attrs.bias ? rest.shift()! : null;
  return { w, b, rest };
}

/** x, stats, then the optional weight and bias, then the rest. */
function split({ ins, attrs }: CpuArgs<Affine>) {
  const [x, stats, ...rest] = ins;
  return { x, stats, ...affine(rest, attrs) };
}

export const CPU_NORM = {
  norm_stats: ({ ins, outs, attrs }) => nr.normStats(outs[0], ins[0], geomOf(attrs)),
  /** normStats + normApply fused by the planner: inputs x, weight?, bias?; outputs y, stats. */
  norm_forward({ ins, outs, attrs }) {
    const [x, ...rest] = ins;
    const { w, b } = affine(rest, attrs);
    const g = geomOf(attrs);
    nr.normStats(outs[1], x, g);
    nr.normApply(outs[0], x, outs[1], w, b, g, attrs.eps);
  },
  norm_row: ({ ins, outs, inShapes, attrs }) => nr.normRow(outs[0], ins[0], attrs.row, inShapes[0][1]),
  norm_stack: ({ ins, outs, inShapes }) => nr.normStack(outs[0], ins, inShapes[0][0]),
  norm_apply(a) {
    const { x, stats, w, b } = split(a);
    nr.normApply(a.outs[0], x, stats, w, b, geomOf(a.attrs), a.attrs.eps);
  },
  norm_backward(a) {
    const { x, stats, w, rest } = split(a);
    nr.normBackward(a.outs[0], x, stats, w, rest[0], geomOf(a.attrs), a.attrs.eps);
  },
  /** norm_backward + norm_affine_grad fused by the planner (BatchNorm): outputs dx, dw?, db?. */
  norm_backward_affine(a) {
    const { x, stats, w, rest } = split(a);
    const g = geomOf(a.attrs);
    const eps = a.attrs.eps;
    nr.normBackward(a.outs[0], x, stats, w, rest[0], g, eps);
    const outs = a.outs.slice(1);
    if (a.attrs.dw) nr.normAffineGrad(outs.shift()!, x, stats, rest[0], g, eps, 'weight');
    if (a.attrs.db) nr.normAffineGrad(outs.shift()!, x, stats, rest[0], g, eps, 'bias');
  },
  norm_group_sums(a) {
    const { x, stats, w, rest } = split(a);
    nr.normGroupSums(a.outs[0], x, stats, w, rest[0], geomOf(a.attrs), a.attrs.eps);
  },
  norm_affine_grad: ({ ins, outs, attrs }) => nr.normAffineGrad(outs[0], ins[0], ins[1], ins[2], geomOf(attrs),
    attrs.eps, attrs.which),
  /** Both affine gradients from one op (fused by the planner): outputs dγ, dβ. */
  norm_affine_grads({ ins, outs, attrs }) {
    nr.normAffineGrad(outs[0], ins[0], ins[1], ins[2], geomOf(attrs), attrs.eps, 'weight');
    nr.normAffineGrad(outs[1], ins[0], ins[1], ins[2], geomOf(attrs), attrs.eps, 'bias');
  },
  bn_running({ ins, outs, inShapes, attrs: a }) {
    bn.bnRunning(outs[0], ins[0], ins[1], ins[2][0], a.which, a.momentum < 0 ? null : a.momentum, a.n, inShapes[0][1]);
  },
  /** bn_running (mean, var) and bn_count in place, fused by the planner: outputs running_mean, running_var, tracked. */
  bn_update({ ins, outs, outShapes, attrs: a }) {
    const m = a.momentum < 0 ? null : a.momentum;
    const [rm, rv, t] = outs;
    for (const [out, which] of [[rm, 'mean'], [rv, 'var']] as const) bn.bnRunning(out, ins[0], out, t[0], which, m, a.n,
      outShapes[0][0]);
    t[0] += 1;
  },
  bn_count: ({ ins, outs }) => { outs[0][0] = ins[0][0] + 1; },
  bn_renorm({ ins, outs, inShapes, attrs: a }) {
    const s = { rmax: a.rmax, dmax: a.dmax, warmup: a.warmup, rmaxSteps: a.rmaxSteps, dmaxSteps: a.dmaxSteps };
    bn.bnRenorm(outs[0], ins[0], ins[1], ins[2], ins[3][0], a.which, a.eps, s, inShapes[0][1]);
  },
} satisfies Partial<CpuTable>;
