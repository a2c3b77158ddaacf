/** cpu implementations of the normalization ops, each a call into the float64 references. */
import * as nr from '../ref/norm.js';
import * as bn from '../ref/batchnorm.js';
import { geomOf } from '../graph/ops/norm.js';
import type { Attrs } from '../graph/tensor.js';
import { registerCpuOp, type CpuArgs } from './cpu.js';

const eps = (a: Attrs) => a.eps as number;

/** The optional weight and bias (flags in attrs) at the front of `rest`, then the remaining inputs. */
function affine(rest: Float64Array[], attrs: Attrs) {
  const w = attrs.weight ? rest.shift()! : null;
  const b = attrs.bias ? rest.shift()! : null;
  return { w, b, rest };
}

/** x, stats, then the optional weight and bias, then the rest. */
function split({ ins, attrs }: CpuArgs) {
  const [x, stats, ...rest] = ins;
  return { x, stats, ...affine(rest, attrs) };
}

registerCpuOp('norm_stats', ({ ins, outs, attrs }) => nr.normStats(outs[0], ins[0], geomOf(attrs)));
/** normStats + normApply fused by the planner: inputs x, weight?, bias?; outputs y, stats. */
registerCpuOp('norm_forward', ({ ins, outs, attrs }) => {
  const [x, ...rest] = ins;
  const { w, b } = affine(rest, attrs);
  const g = geomOf(attrs);
  nr.normStats(outs[1], x, g);
  nr.normApply(outs[0], x, outs[1], w, b, g, eps(attrs));
});
registerCpuOp('norm_row', ({ ins, outs, inShapes, attrs }) => nr.normRow(outs[0], ins[0], attrs.row as number, inShapes[0][1]));
registerCpuOp('norm_stack', ({ ins, outs, inShapes }) => nr.normStack(outs[0], ins, inShapes[0][0]));
registerCpuOp('norm_apply', (a) => {
  const { x, stats, w, b } = split(a);
  nr.normApply(a.outs[0], x, stats, w, b, geomOf(a.attrs), eps(a.attrs));
});
registerCpuOp('norm_backward', (a) => {
  const { x, stats, w, rest } = split(a);
  nr.normBackward(a.outs[0], x, stats, w, rest[0], geomOf(a.attrs), eps(a.attrs));
});
/** norm_backward + norm_affine_grad fused by the planner (BatchNorm): outputs dx, dw?, db?. */
registerCpuOp('norm_backward_affine', (a) => {
  const { x, stats, w, rest } = split(a);
  const g = geomOf(a.attrs);
  nr.normBackward(a.outs[0], x, stats, w, rest[0], g, eps(a.attrs));
  const outs = a.outs.slice(1);
  if (a.attrs.dw) nr.normAffineGrad(outs.shift()!, x, stats, rest[0], g, eps(a.attrs), 'weight');
  if (a.attrs.db) nr.normAffineGrad(outs.shift()!, x, stats, rest[0], g, eps(a.attrs), 'bias');
});
registerCpuOp('norm_group_sums', (a) => {
  const { x, stats, w, rest } = split(a);
  nr.normGroupSums(a.outs[0], x, stats, w, rest[0], geomOf(a.attrs), eps(a.attrs));
});
registerCpuOp('norm_affine_grad', ({ ins, outs, attrs }) =>
  nr.normAffineGrad(outs[0], ins[0], ins[1], ins[2], geomOf(attrs), eps(attrs), attrs.which as 'weight'));
/** Both affine gradients from one op (fused by the planner): outputs dγ, dβ. */
registerCpuOp('norm_affine_grads', ({ ins, outs, attrs }) => {
  nr.normAffineGrad(outs[0], ins[0], ins[1], ins[2], geomOf(attrs), eps(attrs), 'weight');
  nr.normAffineGrad(outs[1], ins[0], ins[1], ins[2], geomOf(attrs), eps(attrs), 'bias');
});
registerCpuOp('bn_running', ({ ins, outs, inShapes, attrs }) => {
  const m = attrs.momentum as number;
  bn.bnRunning(outs[0], ins[0], ins[1], ins[2][0], attrs.which as 'mean', m < 0 ? null : m, attrs.n as number, inShapes[0][1]);
});
/** bn_running (mean, var) and bn_count in place, fused by the planner: outputs running_mean, running_var, tracked. */
registerCpuOp('bn_update', ({ ins, outs, outShapes, attrs }) => {
  const m = attrs.momentum as number;
  const [rm, rv, t] = outs;
  for (const [out, which] of [[rm, 'mean'], [rv, 'var']] as const) bn.bnRunning(out, ins[0], out, t[0], which, m < 0 ? null : m, attrs.n as number, outShapes[0][0]);
  t[0] += 1;
});
registerCpuOp('bn_count', ({ ins, outs }) => { outs[0][0] = ins[0][0] + 1; });
registerCpuOp('bn_renorm', ({ ins, outs, inShapes, attrs }) => {
  const s = { rmax: attrs.rmax as number, dmax: attrs.dmax as number, warmup: attrs.warmup as number, rmaxSteps: attrs.rmaxSteps as number, dmaxSteps: attrs.dmaxSteps as number };
  bn.bnRenorm(outs[0], ins[0], ins[1], ins[2], ins[3][0], attrs.which as 'r', eps(attrs), s, inShapes[0][1]);
});
registerCpuOp('detach', ({ ins, outs }) => outs[0].set(ins[0]));
