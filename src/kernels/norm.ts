/**
 * Lowerings of the normalization ops onto shaders/norm.wgsl: statistics, statistics with the
 * normalize fused in (norm_forward, which the planner makes of normStats + normApply), normalize,
 * backward, group sums, affine gradients, rows. Group reductions come in variants (family
 * 'norm'): 'naive' (one thread per group), 'lanes' (a power-of-two number of threads per group,
 * statistics and forward only; the backward runs as 'naive' or 'wg' by size) and 'wg' (one
 * workgroup per group); the default picks by the adapter, the group size and count.
 */
import source from '../../shaders/norm.wgsl';
import { forcedVariant, groups, kernel, type Launch, type LowerContext, type LoweringTable } from './spec.js';
import type { OpCall, View } from '../backend/types.js';
import { geomOf, type NormGeom } from '../ops/index.js';

const WG = 256;
const P = [['A', 'u32'], ['C', 'u32'], ['S', 'u32'], ['P', 'u32'], ['Q', 'u32'], ['T', 'u32'], ['n', 'u32'],
  ['eps', 'f32']] as const;
const RP = [['C', 'u32'], ['row', 'i32'], ['R', 'u32'], ['n', 'u32']] as const;

export const NORM = {
  forward: kernel('norm', source, 'norm_forward', ['read', 'read', 'read', 'read_write', 'read_write'], P),
  apply: kernel('norm', source, 'norm_apply', ['read', 'read', 'read', 'read', 'read_write'], P),
  backwardNaive: kernel('norm', source, 'norm_backward_naive',
    ['read', 'read', 'read', 'read', 'read_write', 'read_write', 'read_write'], P),
  backwardWg: kernel('norm', source, 'norm_backward_wg',
    ['read', 'read', 'read', 'read', 'read_write', 'read_write', 'read_write'], P),
  affineNaive: kernel('norm', source, 'norm_affine_grad_naive', ['read', 'read', 'read', 'read_write', 'read_write'],
    P),
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
function normVariant(ctx: LowerContext, len: number, count: number): 'naive' | 'wg' {
  const forced = forcedVariant(ctx, 'norm');
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
function normLanes(ctx: LowerContext, M: number, C: number): number {
  const forced = forcedVariant(ctx, 'norm');
  if (forced === 'naive') return 1;
  if (forced === 'wg') return WG;
  if (forced === undefined && ctx.profile.normLanes === 'one') return C < 8 && M >= 4096 ? WG : 1;
  let lanes = 1;
  while (lanes < WG && lanes * KEPT < M) lanes *= 2;
  return lanes;
}

function params(g: NormGeom, n: number, eps: number) {
  return { ...g, n, eps };
}

type AffineFlags = { weight: boolean; bias: boolean };

/** The weight and bias at the front of `rest` when the op has them (attrs), else `standIn` bound read-only. */
function optionalAffine(rest: View[], c: { attrs: AffineFlags }, standIn: View) {
  const w = c.attrs.weight ? rest.shift()! : standIn;
  const b = c.attrs.bias ? rest.shift()! : standIn;
  return { w, b, rest };
}

/**
 * Statistics of x (outputs [stats]) or, for 'norm_forward', y and the statistics in one dispatch
 * (outputs [y, stats]; inputs x, then the optional weight and bias).
 */
function forwardLaunch(c: OpCall<'norm_stats' | 'norm_forward'>, ctx: LowerContext, writeY: boolean): Launch[] {
  const g = geomOf(c.attrs);
  if (!g.C) return [];
  const x = c.inputs[0];
  const stats = c.outputs[writeY ? 1 : 0];
  const y = writeY ? c.outputs[0] : ctx.scratch(1, 'unused normalized output');
  const a: AffineFlags & { eps: number } = 'eps' in c.attrs ? c.attrs : { weight: false, bias: false, eps: 0 };
  const { w, b } = optionalAffine(c.inputs.slice(1), { attrs: a }, x);
  const M = g.A * g.S;
  const lanes = normLanes(ctx, M, g.C);
  return [{
    kernel: NORM.forward, buffers: [x, w, b, y, stats], params: params(g, x.length, writeY ? a.eps : 0),
    overrides: {
      WG, LANES: lanes, GROUP_MINOR: Number(g.S === 1), WRITE_Y: Number(writeY),
      HAS_W: Number(a.weight), HAS_B: Number(a.bias),
    },
    workgroups: groups(g.C, WG / lanes),
  }];
}

/** x, stats, then weight/bias (or stand-ins bound read-only), then the rest of the inputs. */
function affineInputs(c: { inputs: readonly View[]; attrs: AffineFlags }) {
  const [x, stats, ...rest] = c.inputs;
  return { x, stats, ...optionalAffine(rest, c, stats) };
}

/**
 * dx (outputs [dx]), the group sums (outputs [sums]), or — 'norm_backward_affine', which the
 * planner makes of a BatchNorm's norm_backward and its norm_affine_grad ops — dx with dγ and/or
 * dβ (outputs [dx, dw?, db?], attrs dw / db say which) from the same sums.
 */
function backwardLaunch(c: OpCall<'norm_backward' | 'norm_backward_affine' | 'norm_group_sums'>, ctx: LowerContext,
  sums: boolean): Launch[] {
  const g = geomOf(c.attrs);
  if (!c.outputs[0].length || !g.C) return [];
  const { x, stats, w, rest } = affineInputs(c);
  const wg = normVariant(ctx, g.A * g.S, g.C) === 'wg';
  const affine = 'dw' in c.attrs;
  const outs = c.outputs.slice(1);
  const dw = 'dw' in c.attrs && c.attrs.dw ? outs.shift()! : ctx.scratch(g.C, 'unused weight gradient');
  const db = 'db' in c.attrs && c.attrs.db ? outs.shift()! : ctx.scratch(g.C, 'unused bias gradient');
  return [{
    kernel: wg ? NORM.backwardWg : NORM.backwardNaive, buffers: [x, stats, w, rest[0], c.outputs[0], dw, db],
    params: params(g, x.length, c.attrs.eps),
    overrides: { WG, HAS_W: Number(c.attrs.weight), SUMS: Number(sums), AFFINE: Number(affine) },
    workgroups: wg ? g.C : groups(g.C, WG),
  }];
}

/** dγ or dβ ('norm_affine_grad', outputs [d]), or both from one pass ('norm_affine_grads', outputs [dγ, dβ]). */
function affineGradLaunch(c: OpCall<'norm_affine_grad' | 'norm_affine_grads'>, ctx: LowerContext): Launch[] {
  const g = geomOf(c.attrs);
  if (!g.Q) return [];
  const wg = normVariant(ctx, g.P * g.T, g.Q) === 'wg';
  const both = !('which' in c.attrs);
  const bias = 'which' in c.attrs && c.attrs.which === 'bias';
  return [{
    kernel: wg ? NORM.affineWg : NORM.affineNaive,
      buffers: [...c.inputs, c.outputs[0], both ? c.outputs[1] : ctx.scratch(1, 'unused second gradient')],
    params: params(g, c.inputs[0].length, c.attrs.eps), overrides: { WG, BIAS: Number(bias), BOTH: Number(both) },
    workgroups: wg ? g.Q : groups(g.Q, WG),
  }];
}

export const NORM_LOWERINGS = {
  norm_stats: (c, ctx) => forwardLaunch(c, ctx, false),
  norm_forward: (c, ctx) => forwardLaunch(c, ctx, true),
  norm_apply(c) {
    const n = c.outputs[0].length;
    if (!n) return [];
    const { x, stats, w, b } = affineInputs(c);
    return [{
      kernel: NORM.apply, buffers: [x, stats, w, b, c.outputs[0]], params: params(geomOf(c.attrs), n, c.attrs.eps),
      overrides: { WG, HAS_W: Number(c.attrs.weight), HAS_B: Number(c.attrs.bias) }, workgroups: groups(n, WG),
    }];
  },
  norm_backward: (c, ctx) => backwardLaunch(c, ctx, false),
  norm_backward_affine: (c, ctx) => backwardLaunch(c, ctx, false),
  norm_group_sums: (c, ctx) => backwardLaunch(c, ctx, true),
  norm_affine_grad: affineGradLaunch,
  norm_affine_grads: affineGradLaunch,
  norm_row(c) {
    const C = c.outputs[0].length;
    if (!C) return [];
    const params = { C, row: c.attrs.row, R: c.inputs[0].shape[0], n: C };
    return [{ kernel: NORM.row, buffers: [c.inputs[0], c.outputs[0]], params, overrides: { WG },
      workgroups: groups(C, WG) }];
  },
  norm_stack(c) {
    const n = c.outputs[0].length;
    if (!n) return [];
    const [r0, r1 = r0, r2 = r0] = c.inputs;
    const C = c.inputs[0].length;
    const params = { C, row: 0, R: c.inputs.length, n };
    return [{ kernel: NORM.stack, buffers: [r0, r1, r2, c.outputs[0]], params, overrides: { WG },
      workgroups: groups(n, WG) }];
  },
} satisfies Partial<LoweringTable>;
