// cross_entropy.wgsl — cross-entropy fused with log-softmax, and mean squared error.
//
// Cross-entropy of logits z (N, C) against targets t: class labels (N) as i32 when
// PROBS = false, or probabilities (N, C) when PROBS = true (both bound as raw 32-bit words and
// bitcast). With label smoothing ε, t̃ = (1 − ε)·t + ε/C. Per row, with m = max z and
// lse = m + log Σ exp(z − m):
//   loss = Σ_c t̃_c (lse − z_c)
//        = (1 − ε)(lse − z_y) + ε (lse − mean z)        for a label y
// computed as (m − z_c) + log Σ exp(z − m): m + log s would round to m's precision first.
// Backward: dz = (softmax(z)·T − t̃) · s, s = g/N (REDUCTION 1, mean), g (2, sum), gₙ (0, none),
// T = Σ_c t̃_c: 1 for labels; summed for probability targets (rows need not sum to one).
// The mean/sum of row losses is taken by reduce.wgsl afterwards.
//
// MSE: mse_sq writes (a − b)² per element (then reduce.wgsl sums); mse_backward writes
// 2(a − b)·s with s as above (n = element count).
//
// Bindings: ce_rows z, t (read), rows (read_write), Params; ce_backward z, t, g (read),
// dz (read_write), Params; mse_* similarly.
// Entry points: *_naive one thread per row; *_wg one workgroup per row (tree reductions,
// fixed order). Dispatch: linear workgroup id = wid.x + wid.y · nwg.x.

override WG: u32 = 256u;
override PROBS: bool = false;
override REDUCTION: u32 = 1u;

struct Params { N: u32, C: u32, eps: f32, n: u32 }

@group(0) @binding(0) var<storage, read> z: array<f32>;
@group(0) @binding(1) var<storage, read> t: array<u32>;
@group(0) @binding(2) var<storage, read_write> rows: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read_write> dz: array<f32>;
@group(0) @binding(4) var<uniform> bp: Params;

fn label(n: u32) -> u32 { return u32(bitcast<i32>(t[n])); }
fn prob(i: u32) -> f32 { return bitcast<f32>(t[i]); }

// Smoothed target of row n, class c.
fn tgt(n: u32, c: u32, C: u32, eps: f32) -> f32 {
  var base: f32;
  if (PROBS) { base = prob(n * C + c); } else { base = select(0.0, 1.0, label(n) == c); }
  return (1.0 - eps) * base + eps / f32(C);
}

fn row_scale(n: u32, N: u32) -> f32 {
  if (REDUCTION == 0u) { return g[n]; }
  if (REDUCTION == 1u) { return g[0] / f32(N); }
  return g[0];
}

@compute @workgroup_size(WG)
fn ce_rows_naive(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let n = (wid.x + wid.y * nwg.x) * WG + lid;
  if (n >= p.N) { return; }
  let o = n * p.C;
  var m = z[o];
  for (var c = 1u; c < p.C; c++) { m = max(m, z[o + c]); }
  var s = 0.0;
  var zsum = 0.0;
  for (var c = 0u; c < p.C; c++) { s += exp(z[o + c] - m); zsum += z[o + c]; }
  let ls = log(s);
  var loss = 0.0;
  if (PROBS) {
    for (var c = 0u; c < p.C; c++) { loss += tgt(n, c, p.C, p.eps) * ((m - z[o + c]) + ls); }
  } else {
    loss = (1.0 - p.eps) * ((m - z[o + label(n)]) + ls) + p.eps * ((m - zsum / f32(p.C)) + ls);
  }
  rows[n] = loss;
}

@compute @workgroup_size(WG)
fn ce_backward_naive(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let n = (wid.x + wid.y * nwg.x) * WG + lid;
  if (n >= bp.N) { return; }
  let o = n * bp.C;
  var m = z[o];
  for (var c = 1u; c < bp.C; c++) { m = max(m, z[o + c]); }
  var s = 0.0;
  for (var c = 0u; c < bp.C; c++) { s += exp(z[o + c] - m); }
  var T = 1.0;
  if (PROBS) {
    T = 0.0;
    for (var c = 0u; c < bp.C; c++) { T += tgt(n, c, bp.C, bp.eps); }
  }
  let inv = T / s;
  let sc = row_scale(n, bp.N);
  for (var c = 0u; c < bp.C; c++) {
    dz[o + c] = (exp(z[o + c] - m) * inv - tgt(n, c, bp.C, bp.eps)) * sc;
  }
}

// wg_reduce (a workgroup tree reduction) comes from common.wgsl, appended by withCommon().

@compute @workgroup_size(WG)
fn ce_rows_wg(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let n = wid.x + wid.y * nwg.x;
  let live = n < p.N;
  let o = n * p.C;
  var m = -3.402823466e+38;
  if (live) { for (var c = lid; c < p.C; c += WG) { m = max(m, z[o + c]); } }
  m = wg_reduce(lid, m, true);
  var s = 0.0;
  if (live) { for (var c = lid; c < p.C; c += WG) { s += exp(z[o + c] - m); } }
  s = wg_reduce(lid, s, false);
  let ls = log(s);
  var part = 0.0;
  if (live) { for (var c = lid; c < p.C; c += WG) { part += tgt(n, c, p.C, p.eps) * ((m - z[o + c]) + ls); } }
  part = wg_reduce(lid, part, false);
  if (live && lid == 0u) { rows[n] = part; }
}

@compute @workgroup_size(WG)
fn ce_backward_wg(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let n = wid.x + wid.y * nwg.x;
  let live = n < bp.N;
  let o = n * bp.C;
  var m = -3.402823466e+38;
  if (live) { for (var c = lid; c < bp.C; c += WG) { m = max(m, z[o + c]); } }
  m = wg_reduce(lid, m, true);
  var s = 0.0;
  if (live) { for (var c = lid; c < bp.C; c += WG) { s += exp(z[o + c] - m); } }
  s = wg_reduce(lid, s, false);
  var T = 1.0;
  if (PROBS) {
    var tp = 0.0;
    if (live) { for (var c = lid; c < bp.C; c += WG) { tp += tgt(n, c, bp.C, bp.eps); } }
    T = wg_reduce(lid, tp, false);
  }
  if (!live) { return; }
  let inv = T / s;
  let sc = row_scale(n, bp.N);
  for (var c = lid; c < bp.C; c += WG) {
    dz[o + c] = (exp(z[o + c] - m) * inv - tgt(n, c, bp.C, bp.eps)) * sc;
  }
}

// ---------------------------------------------------------------- MSE

@group(0) @binding(0) var<storage, read> ma: array<f32>;
@group(0) @binding(1) var<storage, read> mb: array<f32>;
@group(0) @binding(2) var<storage, read_write> msq: array<f32>;
@group(0) @binding(3) var<uniform> mp: Params;

@compute @workgroup_size(WG)
fn mse_sq(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i >= mp.n) { return; }
  let d = ma[i] - mb[i];
  msq[i] = d * d;
}

@group(0) @binding(2) var<storage, read> mg: array<f32>;
@group(0) @binding(3) var<storage, read_write> mdx: array<f32>;
@group(0) @binding(4) var<uniform> mbp: Params;

@compute @workgroup_size(WG)
fn mse_backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i >= mbp.n) { return; }
  var s: f32;
  if (REDUCTION == 0u) { s = mg[i]; } else if (REDUCTION == 1u) { s = mg[0] / f32(mbp.n); } else { s = mg[0]; }
  mdx[i] = 2.0 * (ma[i] - mb[i]) * s;
}
