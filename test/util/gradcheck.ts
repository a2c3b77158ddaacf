/**
 * gradcheck: the backward rules of the graph (grad()) against central finite differences, in
 * float64 on the cpu backend. For y = f(x₁, …) and a random cotangent w, the analytic
 * ∂(Σ w⊙y)/∂xᵢ from grad(y, xs, {seed: w}) must match (L(x + εeⱼ) − L(x − εeⱼ)) / 2ε for every
 * element j of every differentiated input, to a norm-wise relative error below `tol`
 * (TOL.finiteDifference.rel unless given).
 */
import { Graph, grad, type DType, type Engine, type Tensor } from '../../src/index.js';
import { relError } from './close.js';
import { TOL } from '../tolerances.js';
import type { Rng } from './rng.js';

export interface GcInput {
  shape: readonly number[];
  data: Float64Array | Int32Array;
  dtype?: DType;
  /** Differentiate with respect to this input (default: f32 inputs). */
  wrt?: boolean;
}

export interface GcOptions {
  eps?: number;
  tol?: number;
}

/** Central differences of L = Σ w⊙y for every element of every differentiated input. */
export async function gradcheck(
  engine: Engine, r: Rng, label: string, inputs: GcInput[], build: (g: Graph, xs: Tensor[]) => Tensor, opts: GcOptions = {},
): Promise<{ worst: number }> {
  const eps = opts.eps ?? 1e-6, tol = opts.tol ?? TOL.finiteDifference.rel;
  const g = new Graph();
  const xs = inputs.map((inp, i) => g.input(`x${i}`, inp.shape, inp.dtype ?? (inp.data instanceof Int32Array ? 'i32' : 'f32')));
  const y = build(g, xs);
  const w = g.input('w', y.shape);
  const wrt = inputs.map((inp, i) => (inp.wrt ?? xs[i].dtype === 'f32') && xs[i].dtype === 'f32');
  const targets = xs.filter((_, i) => wrt[i]);
  const grads = grad(y, targets, { seed: w });
  const outputs: Record<string, Tensor> = { y };
  grads.forEach((t, i) => { outputs[`g${i}`] = t; });
  const prog = await engine.compile(g, { outputs });
  const wData = Float64Array.from(r.normal(y.size));
  const feeds: Record<string, Float64Array | Int32Array> = { w: wData };
  inputs.forEach((inp, i) => { feeds[`x${i}`] = inp.data.slice(); });
  const loss = async () => {
    await prog.run(feeds);
    const v = await prog.read('y');
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i] * wData[i];
    return s;
  };
  await prog.run(feeds);
  const analytic = await Promise.all(grads.map((_, i) => prog.read(`g${i}`)));
  let worst = 0;
  let k = 0;
  for (let i = 0; i < inputs.length; i++) {
    if (!wrt[i]) continue;
    const x = feeds[`x${i}`] as Float64Array;
    const fd = new Float64Array(x.length);
    for (let j = 0; j < x.length; j++) {
      const x0 = x[j];
      x[j] = x0 + eps;
      const lp = await loss();
      x[j] = x0 - eps;
      const lm = await loss();
      x[j] = x0;
      fd[j] = (lp - lm) / (2 * eps);
    }
    const err = relError(analytic[k], fd);
    worst = Math.max(worst, err);
    if (!(err < tol)) {
      const pairs = Array.from(fd.slice(0, 6), (v, j) => `${analytic[k][j]} vs ${v}`).join(', ');
      throw new Error(`${label}: gradient of input ${i} ${JSON.stringify(inputs[i].shape)} differs from finite differences: relative error ${err.toExponential(2)} (limit ${tol}); analytic vs numeric: ${pairs}`);
    }
    k++;
  }
  prog.dispose();
  return { worst };
}

/** Float64 data from a generator, optionally kept away from zero (kinks of relu, abs, …). */
export function f64(r: Rng, n: number, lo = -2, hi = 2, awayFromZero = 0): Float64Array {
  const a = Float64Array.from(r.uniform(n, lo, hi));
  if (awayFromZero > 0) for (let i = 0; i < n; i++) if (Math.abs(a[i]) < awayFromZero) a[i] = a[i] < 0 ? -awayFromZero - a[i] * 0.5 : awayFromZero + a[i] * 0.5;
  return a;
}
