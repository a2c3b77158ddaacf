/**
 * Elementwise references, from the definitions:
 *   relu(x) = max(x, 0)            leaky_relu(x) = x if x > 0 else αx
 *   gelu(x) = x·Φ(x) = ½x·erfc(−x/√2)                 (PyTorch's default, the exact form)
 *   gelu_tanh(x) = ½x(1 + tanh(√(2/π)(x + 0.044715x³)))  (PyTorch's approximate='tanh')
 *   sigmoid(x) = 1/(1 + e^−x)      tanh, exp, log, neg, square, sqrt, abs
 *   softplus(x) = log(1 + e^(βx))/β, and x where βx > threshold (PyTorch's, β = alpha, threshold = beta)
 * Derivatives f'(t) take t = the op's output for relu, sigmoid, tanh, exp, sqrt and the input
 * otherwise; second derivatives f''(t) are with respect to that same t. `alpha` and `beta` are
 * the function's parameters: leaky_relu's negative slope; softplus's β and threshold.
 */
import { size, strides, type In, type Out } from './util.js';

/**
 * erfc(x) in float64: the Maclaurin series of erf for |x| < 3 (terms alternate; at most three
 * digits lost to cancellation at |x| = 3), Lentz's continued fraction beyond.
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 3) {
    let term = x, sum = x;
    for (let n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated from the tail.
  let f = x;
  for (let k = 120; k >= 1; k--) f = x + k / 2 / f;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}
const Phi = (x: number) => 0.5 * erfc(-x / Math.SQRT2);
const phi = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);

const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_K = 0.044715;

/**
 * σ(y), σ(y)σ(−y) and 1 − 2σ(y) from e = exp(−|y|): exact forms without cancellation in either
 * tail. gelu(x) = ½x(1 + tanh u) = x·σ(2u) since 1 + tanh u = 2σ(2u), and
 * 1 − tanh²u = 4σ(2u)σ(−2u), u = √(2/π)(x + 0.044715x³).
 */
function sig3(y: number): [number, number, number] {
  const e = Math.exp(-Math.abs(y));
  const r = 1 / (1 + e);
  return [y < 0 ? e * r : r, e * r * r, (y < 0 ? 1 : -1) * (1 - e) * r];
}
const geluU = (x: number) => GELU_C * (x + GELU_K * x * x * x);

export function unaryValue(kind: string, x: number, alpha = 0.01, beta = 0): number {
  switch (kind) {
    case 'softplus': return alpha * x > beta ? x : Math.log1p(Math.exp(alpha * x)) / alpha;
    case 'relu': return x > 0 ? x : 0;
    case 'leaky_relu': return x > 0 ? x : alpha * x;
    case 'gelu': return x * Phi(x);
    case 'gelu_tanh': return x * sig3(2 * geluU(x))[0];
    case 'sigmoid': return sig3(x)[0];
    case 'tanh': return Math.tanh(x);
    case 'exp': return Math.exp(x);
    case 'log': return Math.log(x);
    case 'neg': return -x;
    case 'square': return x * x;
    case 'sqrt': return Math.sqrt(x);
    case 'abs': return Math.abs(x);
  }
  throw new Error(`ref: unknown unary ${kind}`);
}

/** f'(t): see the header for which t. */
export function unaryDeriv(kind: string, t: number, alpha = 0.01, beta = 0): number {
  switch (kind) {
    case 'softplus': return alpha * t > beta ? 1 : 1 / (1 + Math.exp(-alpha * t));
    case 'relu': return t > 0 ? 1 : 0;
    case 'leaky_relu': return t > 0 ? 1 : alpha;
    case 'gelu': return Phi(t) + t * phi(t);
    case 'gelu_tanh': {
      // ½(1 + tanh u) + ½t(1 − tanh²u)u'
      const [s, q] = sig3(2 * geluU(t));
      return s + 2 * t * q * GELU_C * (1 + 3 * GELU_K * t * t);
    }
    case 'sigmoid': return t * (1 - t);
    case 'tanh': return 1 - t * t;
    case 'exp': return t;
    case 'log': return 1 / t;
    case 'neg': return -1;
    case 'square': return 2 * t;
    case 'sqrt': return 0.5 / t;
    case 'abs': return t > 0 ? 1 : t < 0 ? -1 : 0;
  }
  throw new Error(`ref: unknown unary ${kind}`);
}

/** d f'(t)/dt. */
export function unaryDeriv2(kind: string, t: number, alpha = 0.01, beta = 0): number {
  switch (kind) {
    case 'softplus': {
      if (alpha * t > beta) return 0;
      const s = 1 / (1 + Math.exp(-alpha * t));
      return alpha * s * (1 - s);
    }
    case 'relu': case 'leaky_relu': case 'neg': case 'abs': return 0;
    case 'gelu': return phi(t) * (2 - t * t);
    case 'gelu_tanh': {
      // f' = ½(1 + th) + ½t·sech²·u';  f'' = sech²·u' − t·th·sech²·u'² + ½t·sech²·u''
      // with th = tanh u = −(1 − 2s), sech² = 4q.
      const [, q, d] = sig3(2 * geluU(t));
      const du = GELU_C * (1 + 3 * GELU_K * t * t);
      const ddu = GELU_C * 6 * GELU_K * t;
      return 4 * q * du + 4 * t * d * q * du * du + 2 * t * q * ddu;
    }
    case 'sigmoid': return 1 - 2 * t;
    case 'tanh': return -2 * t;
    case 'exp': return 1;
    case 'log': return -1 / (t * t);
    case 'square': return 2;
    case 'sqrt': return -0.5 / (t * t);
  }
  throw new Error(`ref: unknown unary ${kind}`);
}

/** out[i] = f(x[i]). */
export function unary(out: Out, x: In, kind: string, alpha = 0.01, beta = 0): void {
  for (let i = 0; i < out.length; i++) out[i] = unaryValue(kind, x[i], alpha, beta);
}

/** out[i] = g[i] · f'(t[i]). */
export function unaryGrad(out: Out, t: In, g: In, kind: string, alpha = 0.01, beta = 0): void {
  for (let i = 0; i < out.length; i++) out[i] = g[i] * unaryDeriv(kind, t[i], alpha, beta);
}

/** out[i] = f''(t[i]). */
export function unaryDeriv2All(out: Out, t: In, kind: string, alpha = 0.01, beta = 0): void {
  for (let i = 0; i < out.length; i++) out[i] = unaryDeriv2(kind, t[i], alpha, beta);
}

export function binaryValue(kind: string, a: number, b: number): number {
  switch (kind) {
    case 'add': return a + b;
    case 'sub': return a - b;
    case 'mul': return a * b;
    case 'div': return a / b;
    case 'eq': return a === b ? 1 : 0;
    case 'max': return a >= b ? a : b;
    case 'min': return a <= b ? a : b;
  }
  throw new Error(`ref: unknown binary ${kind}`);
}

/** Index into a broadcast operand of shape `s` for the output multi-index of `outShape`. */
function broadcastIndexer(s: readonly number[], outShape: readonly number[]) {
  const r = outShape.length;
  const padded = [...new Array(r - s.length).fill(1), ...s];
  const st = strides(padded).map((v, i) => (padded[i] === 1 ? 0 : v));
  const os = strides(outShape);
  return (i: number) => {
    let idx = 0;
    let rem = i;
    for (let d = 0; d < r; d++) {
      const q = Math.floor(rem / os[d]);
      rem -= q * os[d];
      idx += q * st[d];
    }
    return idx;
  };
}

/** out = a ∘ b with NumPy broadcasting. out has shape outShape. */
export function binary(out: Out, a: In, b: In, kind: string, aShape: readonly number[], bShape: readonly number[],
  outShape: readonly number[]): void {
  const ia = broadcastIndexer(aShape, outShape);
  const ib = broadcastIndexer(bShape, outShape);
  for (let i = 0; i < out.length; i++) out[i] = binaryValue(kind, a[ia(i)], b[ib(i)]);
}

/** out = x broadcast to outShape. */
export function broadcast(out: Out, x: In, xShape: readonly number[], outShape: readonly number[]): void {
  const ix = broadcastIndexer(xShape, outShape);
  for (let i = 0; i < out.length; i++) out[i] = x[ix(i)];
}

/** out = α x + β. */
export function scale(out: Out, x: In, alpha: number, beta: number): void {
  for (let i = 0; i < out.length; i++) out[i] = alpha * x[i] + beta;
}

/** out (N, C) = one-hot rows of labels (N). */
export function oneHot(out: Out, labels: In, classes: number): void {
  for (let n = 0; n < labels.length; n++) {
    for (let c = 0; c < classes; c++) out[n * classes + c] = labels[n] === c ? 1 : 0;
  }
}

export function copy(out: Out, x: In): void {
  for (let i = 0; i < out.length; i++) out[i] = x[i];
}

export { size };
