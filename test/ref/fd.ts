/**
 * Central differences of a reference function, for the float64 gradient checks of the
 * references that do not go through the graph (conv, pooling): for L(x) = Σ w ⊙ f(x), the
 * analytic gradient must match (L(x + εeⱼ) − L(x − εeⱼ)) / 2ε norm-wise to `tol`.
 */
import { relError } from '../util/close.js';

export function fdGrad(f: (x: Float64Array) => ArrayLike<number>, x: Float64Array, w: ArrayLike<number>, eps = 1e-6): Float64Array {
  const loss = () => {
    const y = f(x);
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i] * w[i];
    return s;
  };
  const g = new Float64Array(x.length);
  for (let j = 0; j < x.length; j++) {
    const x0 = x[j];
    x[j] = x0 + eps;
    const lp = loss();
    x[j] = x0 - eps;
    const lm = loss();
    x[j] = x0;
    g[j] = (lp - lm) / (2 * eps);
  }
  return g;
}

export function expectGrad(label: string, analytic: ArrayLike<number>, numeric: ArrayLike<number>, tol = 1e-7): void {
  if (analytic.length !== numeric.length) throw new Error(`${label}: ${analytic.length} analytic values for ${numeric.length}`);
  const err = relError(analytic, numeric);
  if (!(err < tol)) {
    const pairs = Array.from({ length: Math.min(6, numeric.length) }, (_, j) => `${analytic[j]} vs ${numeric[j]}`).join(', ');
    throw new Error(`${label}: gradient differs from central differences, relative error ${err.toExponential(2)} (limit ${tol}); ${pairs}`);
  }
}

export const f64 = (a: ArrayLike<number>): Float64Array => Float64Array.from(a);
