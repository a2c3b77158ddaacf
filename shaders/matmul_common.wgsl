// matmul_common.wgsl — what matmul.wgsl and matmul_subgroup.wgsl share: Params, the bindings
// and the element and epilogue helpers. src/kernels/matmul.ts appends it to each (appended, so
// line numbers in compile errors still match the family's own file).
//
//   act(v)            the epilogue's activation (bias already added), p.act of activation.wgsl
//   bias_at(n)        bias[n], or 0 without a bias
//   a_at(off, m, k)   A[m, k] of the matrix at `off`, for either layout (p.trans_a)
//   b_at(off, k, n)   B[k, n] of the matrix at `off`, for either layout (p.trans_b)
// Numerics: see activation.wgsl.

struct Params {
  M: u32, N: u32, K: u32, batch: u32,
  stride_a: u32, stride_b: u32, tiles_n: u32, tiles_mn: u32,
  alpha: f32, trans_a: u32, trans_b: u32, has_bias: u32,
  act: u32, beta: f32, pad1: u32, pad2: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

// The activation table's function p.act (activation.wgsl, appended too).
fn act(v: f32) -> f32 { return act_f(p.act, v, p.alpha, p.beta); }

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
