// matmul_common.wgsl — what matmul.wgsl and matmul_subgroup.wgsl share: Params, the bindings
// and the element and epilogue helpers. src/kernels/matmul.ts appends it to each (appended, so
// line numbers in compile errors still match the family's own file).
//
//   act(v)            the epilogue's activation (bias already added), chosen by p.act
//   bias_at(n)        bias[n], or 0 without a bias
//   a_at(off, m, k)   A[m, k] of the matrix at `off`, for either layout (p.trans_a)
//   b_at(off, k, n)   B[k, n] of the matrix at `off`, for either layout (p.trans_b)
// Numerics: gelu and sigmoid use the exp(−|x|) forms that neither overflow nor cancel.

struct Params {
  M: u32, N: u32, K: u32, batch: u32,
  stride_a: u32, stride_b: u32, tiles_n: u32, tiles_mn: u32,
  alpha: f32, trans_a: u32, trans_b: u32, has_bias: u32,
  act: u32, pad0: u32, pad1: u32, pad2: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

const GELU_C: f32 = 0.7978845608028654;

fn sigmoid(x: f32) -> f32 {
  let e = exp(-abs(x));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
}

fn act(v: f32) -> f32 {
  switch p.act {
    case 1u: { return max(v, 0.0); }
    case 2u: { return select(p.alpha * v, v, v > 0.0); }
    case 3u: { return v * sigmoid(2.0 * GELU_C * (v + 0.044715 * v * v * v)); }
    case 4u: { return sigmoid(v); }
    case 5u: { return tanh(clamp(v, -15.0, 15.0)); }
    default: { return v; }
  }
}

fn bias_at(n: u32) -> f32 {
  if (p.has_bias != 0u) { return bias[n]; }
  return 0.0;
}

fn a_at(off: u32, m: u32, k: u32) -> f32 {
  return a[off + select(m * p.K + k, k * p.M + m, p.trans_a != 0u)];
}

fn b_at(off: u32, k: u32, n: u32) -> f32 {
  return b[off + select(k * p.N + n, n * p.K + k, p.trans_b != 0u)];
}
