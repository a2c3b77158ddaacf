// norm.wgsl — normalization over groups of a flat tensor x (n elements), seen two ways:
//   statistics (A, C, S): group c holds M = A·S elements x[(a·C + c)·S + s]
//   affine     (P, Q, T): element i uses w[q], b[q] with q = ⌊i / T⌋ mod Q
// BatchNorm (N, C, *): (N, C, S) both; LayerNorm over K: (1, n/K, K) and (n/K, K, 1);
// GroupNorm with G groups: (1, N·G, (C/G)·S) and (N, C, S); InstanceNorm: G = C.
//
// Statistics are (3, C): shift K = the group's first element, offset d = mean(x − K), biased
// variance v. Working on x − K keeps every quantity of the size of the spread, not of the mean,
// so a large mean with a small variance loses no digits (no E[x²] − E[x]² anywhere).
//   stats:      Welford per thread on x − K, then Chan's pairwise merge in a fixed tree order
//   forward:    stats and, in the same dispatch, y (training-mode normalization in one pass)
//   apply:      y = ((x − K) − d) · inverseSqrt(v + ε) · w[q] + b[q]
//   backward:   ĝ = g·w[q], x̂ as in apply, sums Σĝ and Σĝx̂ over the group, then
//               dx = inverseSqrt(v + ε) · (ĝ − Σĝ/M − x̂ · Σĝx̂/M)     (SUMS: write the sums)
//               (AFFINE, BatchNorm: also dw[c] = Σ g·x̂ and db[c] = Σ g from the same sums)
//   affine_grad: dw[q] = Σ g·x̂ (BIAS = false) or db[q] = Σ g (BIAS = true) over q's elements;
//               BOTH: dw and db from one pass (norm_affine_grads, fused by the planner)
//   row / stack: pick a row of a (R, C) tensor (row −1: K + d, the mean) / stack rows
//
// Bindings (Params last): forward x, w, b, y, stats; apply x, stats, w, b, y; backward x, stats, w, g, out, dw, db;
// affine_grad x, stats, g, out, out2; row t, out; stack r0, r1, r2, out. Absent w/b/rows are bound to
// another read-only input and ignored (HAS_W, HAS_B, R).
// Entry points:
//   norm_forward — LANES threads per group (1 to WG), see below.
//   *_naive — one thread per group (or per q): sequential loops, a direct port of the reference.
//   *_wg    — one workgroup per group (or per q): each thread folds a strided subset, then a
//             tree merge in workgroup memory; WG must be a power of two.
//   norm_apply, norm_row, norm_stack — one thread per output element.
// Every reduction has a fixed order: the same input gives bit-identical output.
// Dispatch: linear workgroup id = wid.x + wid.y · nwg.x; threads guard their index.

override WG: u32 = 256u;
override HAS_W: bool = false;
override HAS_B: bool = false;
override SUMS: bool = false;
override BIAS: bool = false;
override AFFINE: bool = false;
override BOTH: bool = false;

struct Params { A: u32, C: u32, S: u32, P: u32, Q: u32, T: u32, n: u32, eps: f32 }

fn lin(wid: vec3u, nwg: vec3u) -> u32 { return wid.x + wid.y * nwg.x; }

// Flat index of element j of group c.
fn gidx(p: Params, c: u32, j: u32) -> u32 {
  let a = j / p.S;
  return (a * p.C + c) * p.S + (j - a * p.S);
}

var<workgroup> w0: array<f32, WG>;
var<workgroup> w1: array<f32, WG>;
var<workgroup> w2: array<f32, WG>;

// ---------------------------------------------------------------- statistics (and normalize)

// One kernel computes a group's statistics and, with WRITE_Y, normalizes it in the same dispatch:
// the batch goes through memory once for both (training-mode BatchNorm, LayerNorm, GroupNorm).
// LANES threads share a group, WG / LANES groups per workgroup. Thread (group r, lane l) sits at
// local index l·R + r when GROUP_MINOR (neighbouring threads read neighbouring groups: the
// coalesced order when a group's elements are a column, S = 1), else r·LANES + l (neighbouring
// threads read neighbouring elements of one group). Lane l folds elements l, l + LANES, … with
// Welford, keeping the first E of them (minus K) in registers for the normalize; lanes then merge
// with Chan's rule in a fixed tree order. LANES = 1 is the sequential loop (no barrier at all);
// LANES = WG is one workgroup per group.
// Bindings: x, w, b, y, stats. Stats only (WRITE_Y = false): y is a stand-in, never written.

override LANES: u32 = 1u;
override GROUP_MINOR: bool = true;
override WRITE_Y: bool = false;
const E: u32 = 8u;

@group(0) @binding(0) var<storage, read> s_x: array<f32>;
@group(0) @binding(1) var<storage, read> s_w: array<f32>;
@group(0) @binding(2) var<storage, read> s_b: array<f32>;
@group(0) @binding(3) var<storage, read_write> s_y: array<f32>;
@group(0) @binding(4) var<storage, read_write> s_out: array<f32>;
@group(0) @binding(5) var<uniform> s_p: Params;

@compute @workgroup_size(WG)
fn norm_forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let R = WG / LANES;
  var r = lid / LANES;
  var lane = lid % LANES;
  if (GROUP_MINOR) {
    r = lid % R;
    lane = lid / R;
  }
  let c = lin(wid, nwg) * R + r;
  let M = s_p.A * s_p.S;
  let valid = c < s_p.C && M > 0u;
  var K = 0.0;
  var cnt = 0.0;
  var mean = 0.0;
  var m2 = 0.0;
  var kept: array<f32, E>;
  if (valid) {
    K = s_x[gidx(s_p, c, 0u)];
    var k = 0u;
    for (var j = lane; j < M; j += LANES) {
      let y = s_x[gidx(s_p, c, j)] - K;
      if (WRITE_Y && k < E) { kept[k] = y; }
      k++;
      cnt += 1.0;
      let d = y - mean;
      mean += d / cnt;
      m2 += d * (y - mean);
    }
  }
  if (LANES > 1u) {
    w0[lid] = cnt;
    w1[lid] = mean;
    w2[lid] = m2;
    workgroupBarrier();
    // Chan et al.: (na, ma, qa) ⊕ (nb, mb, qb) = (n, ma + δ·nb/n, qa + qb + δ²·na·nb/n), δ = mb − ma.
    let stride = select(1u, R, GROUP_MINOR);
    for (var s = LANES / 2u; s > 0u; s >>= 1u) {
      let o = lid + s * stride;
      if (lane < s && w0[o] > 0.0) {
        let na = w0[lid];
        let nb = w0[o];
        let n = na + nb;
        let d = w1[o] - w1[lid];
        w1[lid] = w1[lid] + d * (nb / n);
        w2[lid] = w2[lid] + w2[o] + d * d * (na * (nb / n));
        w0[lid] = n;
      }
      workgroupBarrier();
    }
    let first = lid - lane * stride;
    mean = w1[first];
    m2 = w2[first];
  }
  if (!valid) {
    if (lane == 0u && c < s_p.C) {   // an empty group: K = d = v = 0
      s_out[c] = 0.0;
      s_out[s_p.C + c] = 0.0;
      s_out[2u * s_p.C + c] = 0.0;
    }
    return;
  }
  let v = m2 / f32(M);
  if (lane == 0u) {
    s_out[c] = K;
    s_out[s_p.C + c] = mean;
    s_out[2u * s_p.C + c] = v;
  }
  if (!WRITE_Y) { return; }
  let rs = inverseSqrt(v + s_p.eps);
  var k = 0u;
  for (var j = lane; j < M; j += LANES) {
    let i = gidx(s_p, c, j);
    var y = 0.0;
    if (k < E) { y = kept[k]; } else { y = s_x[i] - K; }
    k++;
    y = (y - mean) * rs;
    let q = (i / s_p.T) % s_p.Q;
    if (HAS_W) { y = y * s_w[q]; }
    if (HAS_B) { y = y + s_b[q]; }
    s_y[i] = y;
  }
}

// ---------------------------------------------------------------- apply

@group(0) @binding(0) var<storage, read> a_x: array<f32>;
@group(0) @binding(1) var<storage, read> a_st: array<f32>;
@group(0) @binding(2) var<storage, read> a_w: array<f32>;
@group(0) @binding(3) var<storage, read> a_b: array<f32>;
@group(0) @binding(4) var<storage, read_write> a_y: array<f32>;
@group(0) @binding(5) var<uniform> a_p: Params;

@compute @workgroup_size(WG)
fn norm_apply(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let i = lin(wid, nwg) * WG + lid;
  if (i >= a_p.n) { return; }
  let c = (i / a_p.S) % a_p.C;
  var y = ((a_x[i] - a_st[c]) - a_st[a_p.C + c]) * inverseSqrt(a_st[2u * a_p.C + c] + a_p.eps);
  let q = (i / a_p.T) % a_p.Q;
  if (HAS_W) { y = y * a_w[q]; }
  if (HAS_B) { y = y + a_b[q]; }
  a_y[i] = y;
}

// ---------------------------------------------------------------- backward and group sums

@group(0) @binding(0) var<storage, read> b_x: array<f32>;
@group(0) @binding(1) var<storage, read> b_st: array<f32>;
@group(0) @binding(2) var<storage, read> b_w: array<f32>;
@group(0) @binding(3) var<storage, read> b_g: array<f32>;
@group(0) @binding(4) var<storage, read_write> b_out: array<f32>;
@group(0) @binding(5) var<storage, read_write> b_dw: array<f32>;
@group(0) @binding(6) var<storage, read_write> b_db: array<f32>;
@group(0) @binding(7) var<uniform> b_p: Params;

// AFFINE (BatchNorm, where statistics group c is also affine index c): the same sums give
// dγ[c] = Σ g·x̂ and dβ[c] = Σ g, written with dx in one dispatch. The sums are then taken over
// g itself and scaled by γ[c] once, instead of over ĝ = g·γ[c]. Without AFFINE, b_dw and b_db
// are stand-ins that are never written.
fn b_term(i: u32) -> f32 {
  if (AFFINE) { return b_g[i]; }
  return b_ghat(i);
}

struct GroupStats { K: f32, d: f32, r: f32 }

fn b_stats(c: u32) -> GroupStats {
  return GroupStats(b_st[c], b_st[b_p.C + c], inverseSqrt(b_st[2u * b_p.C + c] + b_p.eps));
}
fn b_xhat(i: u32, s: GroupStats) -> f32 { return ((b_x[i] - s.K) - s.d) * s.r; }
fn b_ghat(i: u32) -> f32 {
  if (HAS_W) { return b_g[i] * b_w[(i / b_p.T) % b_p.Q]; }
  return b_g[i];
}

@compute @workgroup_size(WG)
fn norm_backward_naive(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let c = lin(wid, nwg) * WG + lid;
  if (c >= b_p.C) { return; }
  let M = b_p.A * b_p.S;
  let st = b_stats(c);
  var s0 = 0.0;
  var s1 = 0.0;
  for (var j = 0u; j < M; j++) {
    let i = gidx(b_p, c, j);
    let gh = b_term(i);
    s0 += gh;
    s1 += gh * b_xhat(i, st);
  }
  if (AFFINE) {
    b_dw[c] = s1;
    b_db[c] = s0;
    if (HAS_W) {
      s0 *= b_w[c];
      s1 *= b_w[c];
    }
  }
  if (SUMS) {
    b_out[c] = s0;
    b_out[b_p.C + c] = s1;
    return;
  }
  let m0 = s0 / f32(M);
  let m1 = s1 / f32(M);
  for (var j = 0u; j < M; j++) {
    let i = gidx(b_p, c, j);
    b_out[i] = st.r * (b_ghat(i) - m0 - b_xhat(i, st) * m1);
  }
}

@compute @workgroup_size(WG)
fn norm_backward_wg(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let c = lin(wid, nwg);   // uniform across the workgroup
  let M = b_p.A * b_p.S;
  let valid = c < b_p.C;
  var st = GroupStats(0.0, 0.0, 0.0);
  var s0 = 0.0;
  var s1 = 0.0;
  if (valid) {
    st = b_stats(c);
    for (var j = lid; j < M; j += WG) {
      let i = gidx(b_p, c, j);
      let gh = b_term(i);
      s0 += gh;
      s1 += gh * b_xhat(i, st);
    }
  }
  w0[lid] = s0;
  w1[lid] = s1;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      w0[lid] += w0[lid + s];
      w1[lid] += w1[lid + s];
    }
    workgroupBarrier();
  }
  if (!valid) { return; }
  var t0 = w0[0];
  var t1 = w1[0];
  if (AFFINE) {
    if (lid == 0u) {
      b_dw[c] = t1;
      b_db[c] = t0;
    }
    if (HAS_W) {
      t0 *= b_w[c];
      t1 *= b_w[c];
    }
  }
  if (SUMS) {
    if (lid == 0u) {
      b_out[c] = t0;
      b_out[b_p.C + c] = t1;
    }
    return;
  }
  let m0 = t0 / f32(M);
  let m1 = t1 / f32(M);
  for (var j = lid; j < M; j += WG) {
    let i = gidx(b_p, c, j);
    b_out[i] = st.r * (b_ghat(i) - m0 - b_xhat(i, st) * m1);
  }
}

// ---------------------------------------------------------------- affine gradients

@group(0) @binding(0) var<storage, read> f_x: array<f32>;
@group(0) @binding(1) var<storage, read> f_st: array<f32>;
@group(0) @binding(2) var<storage, read> f_g: array<f32>;
@group(0) @binding(3) var<storage, read_write> f_out: array<f32>;
@group(0) @binding(4) var<storage, read_write> f_out2: array<f32>;
@group(0) @binding(5) var<uniform> f_p: Params;

fn f_xhat(i: u32) -> f32 {
  let c = (i / f_p.S) % f_p.C;
  return ((f_x[i] - f_st[c]) - f_st[f_p.C + c]) * inverseSqrt(f_st[2u * f_p.C + c] + f_p.eps);
}

// (term for f_out, term for f_out2): BOTH: (g·x̂, g), dγ and dβ in one pass; else (g·x̂ or g, 0).
fn f_terms(i: u32) -> vec2f {
  if (BOTH) { return vec2f(f_g[i] * f_xhat(i), f_g[i]); }
  if (BIAS) { return vec2f(f_g[i], 0.0); }
  return vec2f(f_g[i] * f_xhat(i), 0.0);
}

fn f_write(q: u32, acc: vec2f) {
  f_out[q] = acc.x;
  if (BOTH) { f_out2[q] = acc.y; }
}

@compute @workgroup_size(WG)
fn norm_affine_grad_naive(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let q = lin(wid, nwg) * WG + lid;
  if (q >= f_p.Q) { return; }
  var acc = vec2f(0.0);
  for (var pp = 0u; pp < f_p.P; pp++) {
    let base = (pp * f_p.Q + q) * f_p.T;
    for (var t = 0u; t < f_p.T; t++) { acc += f_terms(base + t); }
  }
  f_write(q, acc);
}

@compute @workgroup_size(WG)
fn norm_affine_grad_wg(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let q = lin(wid, nwg);   // uniform across the workgroup
  let L = f_p.P * f_p.T;
  var acc = vec2f(0.0);
  if (q < f_p.Q) {
    for (var j = lid; j < L; j += WG) {
      let pp = j / f_p.T;
      acc += f_terms((pp * f_p.Q + q) * f_p.T + (j - pp * f_p.T));
    }
  }
  w0[lid] = acc.x;
  w1[lid] = acc.y;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      w0[lid] += w0[lid + s];
      if (BOTH) { w1[lid] += w1[lid + s]; }
    }
    workgroupBarrier();
  }
  if (lid == 0u && q < f_p.Q) { f_write(q, vec2f(w0[0], w1[0])); }
}

// ---------------------------------------------------------------- rows

struct RowParams { C: u32, row: i32, R: u32, n: u32 }

@group(0) @binding(0) var<storage, read> r_t: array<f32>;
@group(0) @binding(1) var<storage, read_write> r_out: array<f32>;
@group(0) @binding(2) var<uniform> r_p: RowParams;

@compute @workgroup_size(WG)
fn norm_row(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let c = lin(wid, nwg) * WG + lid;
  if (c >= r_p.C) { return; }
  if (r_p.row < 0) { r_out[c] = r_t[c] + r_t[r_p.C + c]; }
  else { r_out[c] = r_t[u32(r_p.row) * r_p.C + c]; }
}

@group(0) @binding(0) var<storage, read> k_r0: array<f32>;
@group(0) @binding(1) var<storage, read> k_r1: array<f32>;
@group(0) @binding(2) var<storage, read> k_r2: array<f32>;
@group(0) @binding(3) var<storage, read_write> k_out: array<f32>;
@group(0) @binding(4) var<uniform> k_p: RowParams;

@compute @workgroup_size(WG)
fn norm_stack(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let i = lin(wid, nwg) * WG + lid;
  if (i >= k_p.n) { return; }
  let k = i / k_p.C;
  let c = i - k * k_p.C;
  if (k == 0u) { k_out[i] = k_r0[c]; }
  else if (k == 1u) { k_out[i] = k_r1[c]; }
  else { k_out[i] = k_r2[c]; }
}
