/** Small dense float64 linear algebra for Hessian analysis (symmetric eigenproblems). */

/**
 * Eigen-decomposition of a symmetric n×n matrix (row-major) by cyclic Jacobi rotations.
 * Returns eigenvalues ascending and the matching unit eigenvectors (vectors[k] is for values[k]).
 */
export function symmetricEigen(
  a: Float64Array, n: number, maxSweeps = 100,
): { values: Float64Array; vectors: Float64Array[] } {
  const A = Float64Array.from(a);
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < n; i++) {
      diag += A[i * n + i] ** 2;
      for (let j = i + 1; j < n; j++) off += A[i * n + j] ** 2;
    }
    if (off <= 1e-30 * Math.max(diag, 1e-300)) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q];
        if (apq === 0) continue;
        const app = A[p * n + p], aqq = A[q * n + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p], akq = A[k * n + q];
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k], aqk = A[q * n + k];
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p], vkq = V[k * n + q];
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = [...Array(n).keys()].sort((i, j) => A[i * n + i] - A[j * n + j]);
  const values = Float64Array.from(order, (i) => A[i * n + i]);
  const vectors = order.map((i) => Float64Array.from({ length: n }, (_, k) => V[k * n + i]));
  return { values, vectors };
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

/** a += alpha·b, in place. */
export function axpy(a: Float64Array, alpha: number, b: ArrayLike<number>): void {
  for (let i = 0; i < a.length; i++) a[i] += alpha * b[i];
}

/**
 * Householder reduction of a symmetric n×n matrix (row-major) to tridiagonal form T = QᵀAQ
 * (Q not formed): returns the diagonal d (n) and the off-diagonal e (n − 1, e[i] = T[i][i+1]).
 * 4n³/3 flops; only the lower triangle of a is read.
 */
export function tridiagonalize(a: Float64Array, n: number): { d: Float64Array; e: Float64Array } {
  const A = Float64Array.from(a);
  const d = new Float64Array(n), e = new Float64Array(Math.max(0, n - 1));
  const v = new Float64Array(n), p = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    // Householder vector for column k below the diagonal: (I − βvvᵀ)x = −sign(x₀)‖x‖e₀.
    let alpha = 0;
    for (let i = k + 1; i < n; i++) alpha += A[i * n + k] ** 2;
    alpha = Math.sqrt(alpha);
    const x0 = A[(k + 1) * n + k];
    if (alpha === 0 || alpha <= 1e-300) { e[k] = x0; continue; }
    const r = x0 >= 0 ? -alpha : alpha;
    for (let i = k + 1; i < n; i++) v[i] = A[i * n + k];
    v[k + 1] -= r;
    let vv = 0;
    for (let i = k + 1; i < n; i++) vv += v[i] * v[i];
    if (vv === 0) { e[k] = x0; continue; }
    const beta = 2 / vv;
    // A ← HAH on the trailing block, H = I − βvvᵀ: p = βAv, w = p − (β·vᵀp/2)v, A −= vwᵀ + wvᵀ.
    for (let i = k + 1; i < n; i++) {
      let s = 0;
      const row = i * n;
      for (let j = k + 1; j < n; j++) s += A[row + j] * v[j];
      p[i] = beta * s;
    }
    let vp = 0;
    for (let i = k + 1; i < n; i++) vp += v[i] * p[i];
    const c = 0.5 * beta * vp;
    for (let i = k + 1; i < n; i++) p[i] -= c * v[i]; // p is now w
    for (let i = k + 1; i < n; i++) {
      const vi = v[i], wi = p[i], row = i * n;
      for (let j = k + 1; j < n; j++) A[row + j] -= vi * p[j] + wi * v[j];
    }
    e[k] = r;
  }
  for (let i = 0; i < n; i++) d[i] = A[i * n + i];
  if (n >= 2) e[n - 2] = A[(n - 1) * n + n - 2];
  return { d, e };
}

/**
 * Eigenvalues of the symmetric tridiagonal matrix (d, e) by the implicit QL algorithm with
 * Wilkinson shifts (tqli of Numerical Recipes, values only), ascending. O(n²).
 */
export function tridiagonalEigenvalues(dIn: ArrayLike<number>, eIn: ArrayLike<number>, maxIter = 60): Float64Array {
  const n = dIn.length;
  const d = Float64Array.from(dIn);
  const e = new Float64Array(n);
  for (let i = 0; i < n - 1; i++) e[i] = eIn[i];
  // An off-diagonal entry is negligible next to its neighbours (relative test), or next to the
  // whole matrix (absolute test: deflating it moves eigenvalues by less than the rounding of the
  // reduction to tridiagonal form already did). Without the absolute test, blocks of tiny entries
  // (a rank-deficient Hessian: 1e-30 beside 1e-30) iterate with no end.
  let normT = 0;
  for (let i = 0; i < n; i++) normT = Math.max(normT, Math.abs(d[i]) + Math.abs(e[i]) + (i ? Math.abs(e[i - 1]) : 0));
  const floor = Number.EPSILON * normT * 1e-2;
  for (let l = 0; l < n; l++) {
    let iter = 0;
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= Number.EPSILON * dd || Math.abs(e[m]) <= floor) break;
      }
      if (m === l) break;
      if (iter++ === maxIter) {
        throw new Error(`tridiagonalEigenvalues: no convergence after ${maxIter} QL iterations for eigenvalue ${l}`);
      }
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = Math.hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? Math.abs(r) : -Math.abs(r)));
      let s = 1, c = 1, p = 0;
      let i = m - 1;
      for (; i >= l; i--) {
        let f = s * e[i];
        const b = c * e[i];
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1] -= p;
          e[m] = 0;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        f = 0;
      }
      if (r === 0 && i >= l) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    }
  }
  return d.sort();
}

/** All eigenvalues of a symmetric n×n matrix, ascending: Householder tridiagonalization + QL. */
export function symmetricEigenvalues(a: Float64Array, n: number): Float64Array {
  const { d, e } = tridiagonalize(a, n);
  return tridiagonalEigenvalues(d, e);
}

/**
 * The number of eigenvalues of the symmetric tridiagonal (d, e) below `shift`: the count of
 * negative pivots of the LDLᵀ factorization of T − shift·I (Sylvester's law of inertia; the
 * Sturm sequence). A zero pivot is replaced by a tiny positive number (the count at shift − ε),
 * so an eigenvalue equal to the shift is not counted.
 */
export function countBelow(d: ArrayLike<number>, e: ArrayLike<number>, shift: number): number {
  const n = d.length;
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(d[i]), i < n - 1 ? Math.abs(e[i]) : 0);
  const tiny = Number.MIN_VALUE * 4 + Number.EPSILON * Number.EPSILON * scale;
  let count = 0, q = 1;
  for (let i = 0; i < n; i++) {
    q = d[i] - shift - (i > 0 ? (e[i - 1] * e[i - 1]) / q : 0);
    if (q === 0) q = tiny;
    if (q < 0) count++;
  }
  return count;
}

/**
 * Inertia of a symmetric n×n matrix with a zero band: how many eigenvalues are < −tol,
 * within [−tol, tol], and > tol. By the LDLᵀ counts of its tridiagonal form at ±tol (no
 * eigenvalue is computed).
 */
export function inertia(a: Float64Array, n: number, tol: number): { negative: number; zero: number; positive: number } {
  const { d, e } = tridiagonalize(a, n);
  const below = countBelow(d, e, -tol);
  const upTo = countBelow(d, e, tol * (1 + 1e-15) + Number.MIN_VALUE);
  return { negative: below, zero: upTo - below, positive: n - upTo };
}
