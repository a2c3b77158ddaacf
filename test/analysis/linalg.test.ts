/**
 * The scalable eigen-solvers (Householder tridiagonalization + QL; LDLᵀ inertia counts of the
 * tridiagonal form) against the cyclic Jacobi solver on small symmetric matrices, including
 * awkward ones: 1×1, 2×2, diagonal, repeated and zero eigenvalues, rank-deficient, already
 * tridiagonal, and a zero matrix.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { slope } from '../util/engine.js';
import { Rng } from '../util/rng.js';

const { symmetricEigen, symmetricEigenvalues, tridiagonalize, tridiagonalEigenvalues, countBelow, inertia } = slope.analysis;

function randomSymmetric(n: number, r: Rng): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = r.next() * 2 - 1;
  return a;
}

/** Q·diag(λ)·Qᵀ with Q from a product of two Householder reflections. */
function withSpectrum(lambda: number[], r: Rng): Float64Array {
  const n = lambda.length;
  const Q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) Q[i * n + i] = 1;
  for (let k = 0; k < 2; k++) {
    const u = Array.from({ length: n }, () => r.next() - 0.5);
    const uu = u.reduce((s, v) => s + v * v, 0);
    const P = Float64Array.from(Q);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let l = 0; l < n; l++) s += P[i * n + l] * ((l === j ? 1 : 0) - (2 * u[l] * u[j]) / uu);
      Q[i * n + j] = s;
    }
  }
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let l = 0; l < n; l++) s += Q[i * n + l] * lambda[l] * Q[j * n + l];
    a[i * n + j] = s;
  }
  return a;
}

function cases(): { name: string; a: Float64Array; n: number }[] {
  const r = new Rng(7);
  const out = [1, 2, 3, 7, 16, 33].map((n) => ({ name: `random ${n}×${n}`, a: randomSymmetric(n, r), n }));
  const diag = new Float64Array(25);
  [3, -1, 0, 2, 3].forEach((v, i) => { diag[i * 6] = v; });
  out.push({ name: 'diagonal', a: diag, n: 5 });
  out.push({ name: 'repeated and zero eigenvalues', a: withSpectrum([-2, -2, 0, 0, 0, 1e-9, 5, 5, 5, 7], r), n: 10 });
  out.push({ name: 'rank one', a: withSpectrum([0, 0, 0, 0, 0, 0, 4], r), n: 7 });
  out.push({ name: 'zero matrix', a: new Float64Array(16), n: 4 });
  const t = new Float64Array(36);
  for (let i = 0; i < 6; i++) { t[i * 6 + i] = i - 2; if (i < 5) t[i * 6 + i + 1] = t[(i + 1) * 6 + i] = 0.5; }
  out.push({ name: 'already tridiagonal', a: t, n: 6 });
  return out;
}

test('Householder + QL eigenvalues equal the Jacobi solver\'s', () => {
  for (const c of cases()) {
    const jac = symmetricEigen(c.a, c.n).values;
    const ql = symmetricEigenvalues(c.a, c.n);
    const scale = Math.max(1, ...Array.from(jac, Math.abs));
    jac.forEach((v, i) => assert.ok(Math.abs(ql[i] - v) <= 1e-12 * scale * c.n, `${c.name}: λ${i} ${ql[i]} vs Jacobi ${v}`));
  }
});

test('tridiagonalization keeps the trace and the Frobenius norm', () => {
  const a = randomSymmetric(20, new Rng(3));
  const { d, e } = tridiagonalize(a, 20);
  let tr = 0, fro = 0, tr2 = 0, fro2 = 0;
  for (let i = 0; i < 20; i++) { tr += a[i * 21]; tr2 += d[i]; fro2 += d[i] ** 2 + (i < 19 ? 2 * e[i] ** 2 : 0); }
  for (const v of a) fro += v * v;
  assert.ok(Math.abs(tr - tr2) < 1e-12 && Math.abs(fro - fro2) < 1e-11, `trace ${tr} vs ${tr2}, ‖A‖² ${fro} vs ${fro2}`);
  // A known tridiagonal spectrum: the 1-d Laplacian (2 on the diagonal, −1 beside) has 2 − 2cos(kπ/(n+1)).
  const n = 12;
  const lap = tridiagonalEigenvalues(new Float64Array(n).fill(2), new Float64Array(n - 1).fill(-1));
  for (let k = 1; k <= n; k++) assert.ok(Math.abs(lap[k - 1] - (2 - 2 * Math.cos((k * Math.PI) / (n + 1)))) < 1e-13, `Laplacian λ${k}`);
});

test('LDLᵀ inertia counts equal the counts from the Jacobi eigenvalues', () => {
  for (const c of cases()) {
    const jac = symmetricEigen(c.a, c.n).values;
    const scale = Math.max(...Array.from(jac, Math.abs));
    for (const tol of [1e-6 * scale, 0.3, 1.5]) {
      const want = { negative: jac.filter((v) => v < -tol).length, zero: jac.filter((v) => Math.abs(v) <= tol).length, positive: jac.filter((v) => v > tol).length };
      assert.equal(inertia(c.a, c.n, tol), want, `${c.name}, zero band ±${tol}`);
    }
  }
  // countBelow at every shift between sorted eigenvalues steps by one.
  const lam = [-3, -1, 0.5, 2, 4];
  const { d, e } = tridiagonalize(withSpectrum(lam, new Rng(5)), 5);
  [-4, -2, 0, 1, 3, 5].forEach((shift, k) => assert.is(countBelow(d, e, shift), k, `count below ${shift}`));
});

test.run();
