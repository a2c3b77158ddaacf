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

// ---------------------------------------------------------------- accessors of gemm.wgsl's bodies
// gemm.wgsl (appended after this file) holds the tiled, bcast and sg bodies that matmul shares
// with the convolution; it loads and stores through these: the cursors are plain indices and
// the epilogue is C = act(v + bias[n]).

alias KCur = u32;
alias NCol = u32;

fn gemm_kcur(z: u32, k: u32) -> u32 { return k; }
fn gemm_knext(k: u32) -> u32 { return k + 1u; }
fn gemm_ncol(z: u32, n: u32) -> u32 { return n; }
fn gemm_a(z: u32, m: u32, k: u32) -> f32 { return a_at(z * p.stride_a, m, k); }
fn gemm_b(z: u32, k: u32, n: u32) -> f32 { return b_at(z * p.stride_b, k, n); }
struct Epi { base: u32, N: u32, has_bias: bool, act: u32, alpha: f32, beta: f32 }
fn gemm_epi(z: u32) -> Epi { return Epi(z * p.M * p.N, p.N, p.has_bias != 0u, p.act, p.alpha, p.beta); }
fn gemm_out(e: Epi, m: u32, n: u32, v: f32) {
  var r = v;
  if (e.has_bias) { r += bias[n]; }
  r = act_f(e.act, r, e.alpha, e.beta);
  c[e.base + m * e.N + n] = r;
}

// The problem as the bodies see it.
fn mm_gemm() -> Gemm {
  return Gemm(p.M, p.N, p.K, p.batch, p.tiles_n, p.tiles_mn, p.trans_a != 0u, p.trans_b != 0u);
}
