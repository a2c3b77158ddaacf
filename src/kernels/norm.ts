/**
 * Lowerings of the normalization ops onto shaders/norm.wgsl: statistics, statistics with the
 * normalize fused in (norm_forward, which the planner makes of normStats + normApply), normalize,
 * backward, group sums, affine gradients, rows. Group reductions come in variants (family
 * 'norm'): 'naive' (one thread per group), 'lanes' (a power-of-two number of threads per group,
 * statistics and forward only; the backward runs as 'naive' or 'wg' by size) and 'wg' (one
 * workgroup per group); the default picks by the adapter, the group size and count.
 */
import source from '../../shaders/norm.wgsl';
import { ELEMENTWISE, softwareAdapter } from './elementwise.js';
import { groups, kernel, registerGpuOp, type Launch, type LowerContext } from './spec.js';
import type { OpCall, View } from '../backend/types.js';
import { geomOf, type NormGeom } from '../graph/ops/norm.js';

const WG = 256;
const P = [['A', 'u32'], ['C', 'u32'], ['S', 'u32'], ['P', 'u32'], ['Q', 'u32'], ['T', 'u32'], ['n', 'u32'], ['eps', 'f32']] as const;
const RP = [['C', 'u32'], ['row', 'i32'], ['R', 'u32'], ['n', 'u32']] as const;

export const NORM = {
  forward: kernel('norm', source, 'norm_forward', ['read', 'read', 'read', 'read_write', 'read_write'], P),
  apply: kernel('norm', source, 'norm_apply', ['read', 'read', 'read', 'read', 'read_write'], P),
  backwardNaive: kernel('norm', source, 'norm_backward_naive', ['read', 'read', 'read', 'read', 'read_write', 'read_write', 'read_write'], P),
  backwardWg: kernel('norm', source, 'norm_backward_wg', ['read', 'read', 'read', 'read', 'read_write', 'read_write', 'read_write'], P),
  affineNaive: kernel('norm', source, 'norm_affine_grad_naive', ['read', 'read', 'read', 'read_write', 'read_write'], P),
  affineWg: kernel('norm', source, 'norm_affine_grad_wg', ['read', 'read', 'read', 'read_write', 'read_write'], P),
  row: kernel('norm', source, 'norm_row', ['read', 'read_write'], RP),
  stack: kernel('norm', source, 'norm_stack', ['read', 'read', 'read', 'read_write'], RP),
};
export const NORM_VARIANTS = ['naive', 'lanes', 'wg'] as const;

/**
 * The backward's and the affine gradients' variant (one thread or one workgroup per group).
 * One workgroup per group pays only for few, long groups (e.g. BatchNorm2d with a handful of
 * channels and a large N·H·W). Measured on the software adapter (llvmpipe, 2 cores), an MLP step
 * with BatchNorm1d(128) at batch 64 took 2.5 ms with 'naive' and 35 ms with 'wg'.
 */
export function normVariant(ctx: LowerContext, len: number, count: number): 'naive' | 'wg' {
  const forced = ctx.variant('norm');
  if (forced === 'naive' || forced === 'wg') return forced;
  return len >= 4096 || (len >= 256 && count <= 32) ? 'wg' : 'naive';
}

/** Elements a lane of norm_forward keeps in registers (E in norm.wgsl). */
const KEPT = 8;

/**
 * Threads per group for the statistics / forward kernel. 'naive' 1, 'wg' WG; 'lanes' (the
 * default on GPUs) enough lanes that each keeps at most KEPT elements, up to WG, so a group is
 * read from memory once. Software adapters run a workgroup's threads as a loop on a CPU core,
 * vectorized across 8 threads, and pay for every barrier: there one thread per group was the
 * fastest for every shape bench/norm_fused measured on lavapipe (BatchNorm1d, BatchNorm2d with
 * 8 groups of 8,192 and 16 of 25,088, LayerNorm, GroupNorm) except 4 groups of 16,384, where
 * one workgroup per group (spreading the groups over the cores) was 1.2× faster. So the default
 * there is one thread per group, unless fewer groups than vector lanes are long.
 */
export function normLanes(ctx: LowerContext, M: number, C: number): number {
  const forced = ctx.variant('norm');
  if (forced === 'naive') return 1;
  if (forced === 'wg') return WG;
  if (forced === undefined && softwareAdapter(ctx.adapter)) return C < 8 && M >= 4096 ? WG : 1;
  let lanes = 1;
  while (lanes < WG && lanes * KEPT < M) lanes *= 2;
  return lanes;
}

function params(g: NormGeom, n: number, eps: number) {
  return { ...g, n, eps };
}

const EPS = (c: OpCall) => (c.attrs.eps as number | undefined) ?? 0;

/** The weight and bias at the front of `rest` when the op has them (attrs), else `standIn` bound read-only. */
function optionalAffine(rest: View[], c: OpCall, standIn: View) {
  const w = c.attrs.weight ? rest.shift()! : standIn;
  const b = c.attrs.bias ? rest.shift()! : standIn;
  return { w, b, rest };
}

/**
 * Statistics of x (outputs [stats]) or, for 'norm_forward', y and the statistics in one dispatch
 * (outputs [y, stats]; inputs x, then the optional weight and bias).
 */
function forwardLaunch(c: OpCall, ctx: LowerContext, writeY: boolean): Launch[] {
  const g = geomOf(c.attrs);
  if (!g.C) return [];
  const x = c.inputs[0];
  const stats = c.outputs[writeY ? 1 : 0];
  const y = writeY ? c.outputs[0] : ctx.scratch(1, 'unused normalized output');
  const { w, b } = optionalAffine(c.inputs.slice(1), c, x);
  const M = g.A * g.S;
  const lanes = normLanes(ctx, M, g.C);
  return [{
    kernel: NORM.forward, buffers: [x, w, b, y, stats], params: params(g, x.length, writeY ? EPS(c) : 0),
    overrides: {
      WG, LANES: lanes, GROUP_MINOR: Number(g.S === 1), WRITE_Y: Number(writeY),
      HAS_W: Number(!!c.attrs.weight), HAS_B: Number(!!c.attrs.bias),
    },
    workgroups: groups(g.C, WG / lanes),
  }];
}

registerGpuOp('norm_stats', (c, ctx) => forwardLaunch(c, ctx, false));
registerGpuOp('norm_forward', (c, ctx) => forwardLaunch(c, ctx, true));

/** x, stats, then weight/bias (or stand-ins bound read-only), then the rest of the inputs. */
function affineInputs(c: OpCall) {
  const [x, stats, ...rest] = c.inputs;
  return { x, stats, ...optionalAffine(rest, c, stats) };
}

registerGpuOp('norm_apply', (c) => {
  const n = c.outputs[0].length;
  if (!n) return [];
  const { x, stats, w, b } = affineInputs(c);
  return [{
    kernel: NORM.apply, buffers: [x, stats, w, b, c.outputs[0]], params: params(geomOf(c.attrs), n, EPS(c)),
    overrides: { WG, HAS_W: Number(!!c.attrs.weight), HAS_B: Number(!!c.attrs.bias) }, workgroups: groups(n, WG),
  }];
});

/**
 * dx (outputs [dx]), the group sums (outputs [sums]), or — 'norm_backward_affine', which the
 * planner makes of a BatchNorm's norm_backward and its norm_affine_grad ops — dx with dγ and/or
 * dβ (outputs [dx, dw?, db?], attrs dw / db say which) from the same sums.
 */
function backwardLaunch(c: OpCall, ctx: LowerContext, sums: boolean): Launch[] {
  const g = geomOf(c.attrs);
  if (!c.outputs[0].length || !g.C) return [];
  const { x, stats, w, rest } = affineInputs(c);
  const wg = normVariant(ctx, g.A * g.S, g.C) === 'wg';
  const affine = c.op === 'norm_backward_affine';
  const outs = c.outputs.slice(1);
  const dw = affine && c.attrs.dw ? outs.shift()! : ctx.scratch(g.C, 'unused weight gradient');
  const db = affine && c.attrs.db ? outs.shift()! : ctx.scratch(g.C, 'unused bias gradient');
  return [{
    kernel: wg ? NORM.backwardWg : NORM.backwardNaive, buffers: [x, stats, w, rest[0], c.outputs[0], dw, db],
    params: params(g, x.length, EPS(c)),
    overrides: { WG, HAS_W: Number(!!c.attrs.weight), SUMS: Number(sums), AFFINE: Number(affine) },
    workgroups: wg ? g.C : groups(g.C, WG),
  }];
}

registerGpuOp('norm_backward', (c, ctx) => backwardLaunch(c, ctx, false));
registerGpuOp('norm_backward_affine', (c, ctx) => backwardLaunch(c, ctx, false));
registerGpuOp('norm_group_sums', (c, ctx) => backwardLaunch(c, ctx, true));

/** dγ or dβ ('norm_affine_grad', outputs [d]), or both from one pass ('norm_affine_grads', outputs [dγ, dβ]). */
function affineGradLaunch(c: OpCall, ctx: LowerContext): Launch[] {
  const g = geomOf(c.attrs);
  if (!g.Q) return [];
  const wg = normVariant(ctx, g.P * g.T, g.Q) === 'wg';
  const both = c.op === 'norm_affine_grads';
  return [{
    kernel: wg ? NORM.affineWg : NORM.affineNaive, buffers: [...c.inputs, c.outputs[0], both ? c.outputs[1] : ctx.scratch(1, 'unused second gradient')],
    params: params(g, c.inputs[0].length, EPS(c)), overrides: { WG, BIAS: Number(c.attrs.which === 'bias'), BOTH: Number(both) },
    workgroups: wg ? g.Q : groups(g.Q, WG),
  }];
}

registerGpuOp('norm_affine_grad', affineGradLaunch);
registerGpuOp('norm_affine_grads', affineGradLaunch);

registerGpuOp('norm_row', (c) => {
  const C = c.outputs[0].length;
  if (!C) return [];
  return [{ kernel: NORM.row, buffers: [c.inputs[0], c.outputs[0]], params: { C, row: c.attrs.row as number, R: c.inputs[0].shape[0], n: C }, overrides: { WG }, workgroups: groups(C, WG) }];
});

registerGpuOp('norm_stack', (c) => {
  const n = c.outputs[0].length;
  if (!n) return [];
  const [r0, r1 = r0, r2 = r0] = c.inputs;
  const C = c.inputs[0].length;
  return [{ kernel: NORM.stack, buffers: [r0, r1, r2, c.outputs[0]], params: { C, row: 0, R: c.inputs.length, n }, overrides: { WG }, workgroups: groups(n, WG) }];
});

registerGpuOp('detach', (c) => {
  const n = c.outputs[0].length;
  if (!n) return [];
  return [{ kernel: ELEMENTWISE.copy, buffers: [c.inputs[0], c.outputs[0]], params: { n, pad0: 0, pad1: 0, pad2: 0 }, overrides: { WG }, workgroups: groups(n, WG) }];
});
