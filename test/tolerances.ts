/**
 * Tolerances, declared once, each with its reason. A GPU float32 result g passes against the
 * float64 reference r when ‖g − r‖ / ‖r‖ < rel (the norm-wise criterion) and every
 * element satisfies |g − r| ≤ atol + rtol·|r| (PyTorch's form); non-finite values must match.
 */
export interface Tol {
  rel: number;
  atol: number;
  rtol: number;
  why: string;
}

export const TOL: Record<string, Tol> = {
  exact: { rel: 0, atol: 0, rtol: 0, why: 'copies, one-hot, comparisons: no rounding at all' },
  elementwise: { rel: 1e-6, atol: 1e-6, rtol: 2e-6, why: '+,−,× correctly rounded; ÷ 2.5 ULP; one rounding per element' },
  transcendental: { rel: 1e-5, atol: 1e-5, rtol: 1e-4, why: 'exp within 3+2|x| ULP, log 2^-21 abs near 1, tanh/sigmoid built from exp' },
  reduce: { rel: 1e-5, atol: 1e-5, rtol: 1e-4, why: 'sum of R float32 terms: error grows ~ R·2^-24 in the worst case, √R typically' },
  softmax: { rel: 1e-5, atol: 1e-6, rtol: 1e-4, why: 'exp (ULP bound) plus a row sum' },
  crossEntropy: { rel: 1e-5, atol: 1e-5, rtol: 1e-4, why: 'log-sum-exp over C plus a mean over N' },
  matmul: { rel: 1e-5, atol: 1e-5, rtol: 1e-3, why: 'K products summed in f32: error ~ K·2^-24·Σ|ab|; elementwise rtol loose for cancellation' },
  matmulLongK: { rel: 1e-4, atol: 1e-4, rtol: 1e-2, why: 'K ≥ 256: the issue allows 1e-4 norm-wise' },
  optim: { rel: 1e-5, atol: 1e-6, rtol: 1e-4, why: 'a fused update is a few f32 roundings per element per step (√ and ÷ within 2.5 ULP), compounded over 20 steps; atol is scaled by the tensor\'s largest value' },
  // Normalization (shaders/norm.wgsl, batchnorm.wgsl) against src/ref/{norm,batchnorm}.ts.
  normStats: { rel: 1e-5, atol: 1e-5, rtol: 1e-5, why: 'Welford + Chan merge on x − K: mean error measured in units of σ (atol), variance relative (rtol); no E[x²] − E[x]² cancellation' },
  normApply: { rel: 1e-5, atol: 1e-5, rtol: 1e-4, why: '(x − K) − d exact-ish, inverseSqrt 2 ULP, one multiply-add; elementwise rtol loose where y ≈ 0' },
  normBackward: { rel: 1e-5, atol: 1e-5, rtol: 1e-3, why: 'two group sums of M terms (error ~ √M·2^-24) then ĝ − mean ĝ − x̂·mean(ĝx̂), which cancels elementwise' },
  normAffineGrad: { rel: 1e-5, atol: 1e-5, rtol: 1e-3, why: 'a sum of P·T products g·x̂: like a reduction; elementwise rtol loose for sums that cancel' },
  bnState: { rel: 1e-6, atol: 1e-6, rtol: 2e-6, why: 'a few correctly rounded ops per channel (sqrt, ÷ within 2.5 ULP)' },
  standardize: { rel: 1e-5, atol: 1e-5, rtol: 1e-4, why: 'chunk statistics merged in f64, then one normalize pass' },
  matmulEpilogue: { rel: 1e-5, atol: 1e-5, rtol: 1e-3, why: 'matmul then gelu/sigmoid/tanh: the activation (a few ULP) adds to the K-term sum error' },
  graph: { rel: 1e-5, atol: 1e-5, rtol: 1e-3, why: 'a whole forward+backward: a few roundings per op, compounded' },
};
