/**
 * cpu implementations of the fused optimizer ops (see src/kernels/optim.ts for the calls):
 * each walks the segment table and applies the float64 references of src/ref/optim.ts to every
 * segment with its group's options, read from the same hyperparameter table the kernels read.
 */
import * as ref from '../ref/optim.js';
import { HYP, type OptimKind, type OptimUpdateAttrs } from '../ops/index.js';
import type { CpuArgs, CpuTable } from './cpu.js';

const R = HYP.ROW;

interface Segment { start: number; len: number; row: number }

function segments(seg: Float64Array, nseg: number): Segment[] {
  const out: Segment[] = [];
  for (let s = 0; s < nseg;
    s++) out.push({ start: seg[4 * s + 1], row: (seg[4 * s + 2] + 1) * R, len: seg[4 * s + 3] });
  return out;
}

/** The gradient a step uses: clamped to ±c when clipping by value, times the norm-clip scale. */
function effectiveGrad(grads: Float64Array, s: Segment, hyp: Float64Array, scale: number): Float64Array {
  const g = grads.slice(s.start, s.start + s.len);
  if (hyp[HYP.clipValueOn] !== 0) ref.clipGradValue([g], hyp[HYP.clipValue]);
  for (let i = 0; i < g.length; i++) g[i] *= scale;
  return g;
}

function update(kind: OptimKind, { ins, outs, attrs }: CpuArgs<OptimUpdateAttrs>): void {
  const [grads, seg, hyp, status] = ins;
  const [params, state] = outs;
  if (status[1] !== 0) return;
  const t = hyp[HYP.t];
  const L = attrs.L;
  for (const s of segments(seg, attrs.nseg)) {
    const h = (k: number) => hyp[s.row + k];
    const g = effectiveGrad(grads, s, hyp, status[0]);
    const p = params.subarray(s.start, s.start + s.len);
    const plane = (k: 'pa' | 'pb' | 'pc') => state.subarray(attrs[k] * L + s.start, attrs[k] * L + s.start + s.len);
    const base = { lr: h(HYP.lr), weightDecay: h(HYP.wd), eps: h(HYP.eps) };
    if (kind === 'sgd') {
      const o = { ...base, momentum: h(HYP.p1), dampening: h(HYP.p2), nesterov: h(HYP.f1) !== 0 };
      ref.sgdStep(p, o.momentum !== 0 ? { momentum_buffer: plane('pa') } : {}, g, o, t);
    } else if (kind === 'adagrad') {
      ref.adagradStep(p, { sum: plane('pa') }, g, { ...base, lrDecay: h(HYP.p1) }, t);
    } else if (kind === 'rmsprop') {
      const o = { ...base, alpha: h(HYP.p1), momentum: h(HYP.p2), centered: h(HYP.f1) !== 0 };
      ref.rmspropStep(p, {
        square_avg: plane('pa'),
        momentum_buffer: o.momentum > 0 ? plane('pb') : undefined,
        grad_avg: o.centered ? plane('pc') : undefined,
      }, g, o, t);
    } else {
      const o = { ...base, betas: [h(HYP.p1), h(HYP.p2)] as const, amsgrad: h(HYP.f1) !== 0 };
      const st = { exp_avg: plane('pa'), exp_avg_sq: plane('pb'), max_exp_avg_sq: o.amsgrad ? plane('pc') : undefined };
      (h(HYP.f2) !== 0 ? ref.adamwStep : ref.adamStep)(p, st, g, o, t);
    }
  }
}

export const CPU_OPTIM = {
  'optim.sgd': (a) => update('sgd', a),
  'optim.adagrad': (a) => update('adagrad', a),
  'optim.rmsprop': (a) => update('rmsprop', a),
  'optim.adam': (a) => update('adam', a),
  'optim.sumsq'({ ins, outs, attrs }) {
    const [grads, seg, hyp] = ins;
    const { base, parts } = attrs;
    let acc = 0;
    for (const s of segments(seg, attrs.nseg)) {
      const g = effectiveGrad(grads, s, hyp, 1);
      for (let i = 0; i < g.length; i++) acc += g[i] * g[i];
    }
    outs[0].fill(0, base, base + parts);
    outs[0][base] = acc;
  },
  'optim.finalize'({ ins, outs, attrs }) {
    const [partials, loss, hyp] = ins;
    const status = outs[0];
    let sumsq = 0;
    for (let k = 0; k < attrs.total; k++) sumsq += partials[k];
    const norm = Math.sqrt(sumsq);
    const ok = Number.isFinite(sumsq) && (!attrs.hasLoss || Number.isFinite(loss[0]));
    const flagged = status[2] !== 0;
    if (!flagged && !ok) status[2] = hyp[HYP.t];
    status[0] = hyp[HYP.clipNormOn] !== 0 ? ref.clipCoef(norm, hyp[HYP.maxNorm]) : 1;
    status[1] = flagged || !ok ? 1 : 0;
    status[3] = norm;
  },
} satisfies Partial<CpuTable>;
