// optim.wgsl — fused optimizer updates over a parameter chunk (the "arena"), one thread per
// parameter element, every parameter of the chunk in one dispatch.
//
//   sgd      g ← g + λθ;  b ← μb + c·g (c = 1 at t = 1, else 1−τ);  g ← g + μb or b;  θ ← θ − γg
//   adagrad  g ← g + λθ;  s ← s + g²;  θ ← θ − γ̃ g / (√s + ε)          γ̃ = γ/(1+(t−1)η) from the host
//   rmsprop  g ← g + λθ;  v ← αv + (1−α)g²;  [ḡ ← αḡ + (1−α)g;  v' = max(v − ḡ², 0)]
//            b ← μb + g/(√v' + ε), θ ← θ − γb   or   θ ← θ − γg/(√v' + ε)
//   adam     θ ← θ·(1−γλ) (decoupled, AdamW) or g ← g + λθ;  m ← β1m + (1−β1)g;  v ← β2v + (1−β2)g²;
//            [v̂ ← max(v̂, v)];  θ ← θ − (γ/(1−β1^t)) · m / (√v · (1/√(1−β2^t)) + ε)
//   grad_sumsq  partial[base + w] = Σ g'² over a strided share of the elements (g' = clamped g)
//   finalize    norm = √Σ partial;  status = [scale, skip, flagged step, norm]
//
// Before any update the gradient is clamped to ±c (clip by value) and multiplied by
// status[0] = min(1, max/(norm + 1e-6)) (clip by global norm; exactly 1.0 otherwise).
//
// Layout. A chunk holds parameters contiguously (L elements, alignment padding included); the
// gradient arena and each optimizer state plane (m, v, …) use the same offsets, planes stored
// one after another (plane k at k·L). Threads run over the compacted elements that this step
// updates: the segment table `seg` lists (first thread, arena offset, group, length), sorted,
// and each thread finds its segment by binary search. `hyp` holds 16 floats per row: row 0 is
// global [t, clip-value on, c, clip-norm on, max norm], row 1+g the hyperparameters of param
// group g, raw (lr, λ, …) and host-computed step scalars (γ/(1−β1^t), 1/√(1−β2^t), 1−γλ, …), so
// changing a learning rate rewrites a few floats and never recompiles anything.
//
// Bindings (update kernels): grad, seg, hyp, status (read); param, state (read_write); Params.
// grad_sumsq: grad, seg, hyp (read); partial (read_write); Params.
// finalize: partial, loss, hyp (read); status (read_write); Params.
// Dispatch: linear workgroup id = wid.x + wid.y · nwg.x; update threads guard j < total.
// grad_sumsq runs `parts` workgroups that stride over all elements; finalize runs one.
// Numerics: non-finite values are detected through their bits (compilers may assume that f32
// math never produces NaN or Inf); a skipped step writes nothing, so parameters and state stay
// bit-identical. The reduction order is fixed, so results are reproducible run to run.

override WG: u32 = 256u;

const ROW: u32 = 16u;

struct Params { total: u32, nseg: u32, L: u32, pa: u32, pb: u32, pc: u32, base: u32, flag: u32 }

fn linear_id(wid: vec3u, nwg: vec3u, lid: u32) -> u32 {
  return (wid.x + wid.y * nwg.x) * WG + lid;
}

fn finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

// ---------------------------------------------------------------- update kernels

@group(0) @binding(0) var<storage, read> u_grad: array<f32>;
@group(0) @binding(1) var<storage, read> u_seg: array<vec4i>;
@group(0) @binding(2) var<storage, read> u_hyp: array<f32>;
@group(0) @binding(3) var<storage, read> u_status: array<f32>;
@group(0) @binding(4) var<storage, read_write> u_param: array<f32>;
@group(0) @binding(5) var<storage, read_write> u_state: array<f32>;
@group(0) @binding(6) var<uniform> u_p: Params;

// The segment holding compacted element j: the last one whose first thread is ≤ j.
fn u_find(j: u32) -> vec4i {
  var lo = 0u;
  var hi = u_p.nseg - 1u;
  while (lo < hi) {
    let mid = (lo + hi + 1u) / 2u;
    if (u32(u_seg[mid].x) <= j) { lo = mid; } else { hi = mid - 1u; }
  }
  return u_seg[lo];
}

// Arena index and hyperparameter row of thread j, or false when there is nothing to do.
struct Slot { i: u32, h: u32, ok: bool }

fn u_slot(j: u32) -> Slot {
  if (j >= u_p.total || u_status[1] != 0.0) { return Slot(0u, 0u, false); }
  let s = u_find(j);
  return Slot(u32(s.y) + (j - u32(s.x)), (u32(s.z) + 1u) * ROW, true);
}

fn u_grad_at(i: u32) -> f32 {
  var g = u_grad[i];
  if (u_hyp[1] != 0.0) { g = clamp(g, -u_hyp[2], u_hyp[2]); }
  return g * u_status[0];
}

@compute @workgroup_size(WG)
fn sgd(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let s = u_slot(linear_id(wid, nwg, lid));
  if (!s.ok) { return; }
  let lr = u_hyp[s.h];
  let wd = u_hyp[s.h + 1u];
  let mu = u_hyp[s.h + 2u];
  let p = u_param[s.i];
  var g = u_grad_at(s.i);
  if (wd != 0.0) { g = g + wd * p; }
  if (mu != 0.0) {
    let k = u_p.pa * u_p.L + s.i;
    let b = mu * u_state[k] + u_hyp[s.h + 8u] * g;
    u_state[k] = b;
    if (u_hyp[s.h + 5u] != 0.0) { g = g + mu * b; } else { g = b; }
  }
  u_param[s.i] = p - lr * g;
}

@compute @workgroup_size(WG)
fn adagrad(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let s = u_slot(linear_id(wid, nwg, lid));
  if (!s.ok) { return; }
  let wd = u_hyp[s.h + 1u];
  let eps = u_hyp[s.h + 4u];
  let clr = u_hyp[s.h + 8u];
  let p = u_param[s.i];
  var g = u_grad_at(s.i);
  if (wd != 0.0) { g = g + wd * p; }
  let k = u_p.pa * u_p.L + s.i;
  let acc = u_state[k] + g * g;
  u_state[k] = acc;
  u_param[s.i] = p - clr * g / (sqrt(acc) + eps);
}

@compute @workgroup_size(WG)
fn rmsprop(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let s = u_slot(linear_id(wid, nwg, lid));
  if (!s.ok) { return; }
  let lr = u_hyp[s.h];
  let wd = u_hyp[s.h + 1u];
  let alpha = u_hyp[s.h + 2u];
  let mu = u_hyp[s.h + 3u];
  let eps = u_hyp[s.h + 4u];
  let one_m_alpha = u_hyp[s.h + 8u];
  let p = u_param[s.i];
  var g = u_grad_at(s.i);
  if (wd != 0.0) { g = g + wd * p; }
  let kv = u_p.pa * u_p.L + s.i;
  let v = alpha * u_state[kv] + one_m_alpha * g * g;
  u_state[kv] = v;
  var var_ = v;
  if (u_hyp[s.h + 5u] != 0.0) {
    let kg = u_p.pc * u_p.L + s.i;
    let ga = alpha * u_state[kg] + one_m_alpha * g;
    u_state[kg] = ga;
    var_ = max(v - ga * ga, 0.0);
  }
  let den = sqrt(var_) + eps;
  if (mu > 0.0) {
    let kb = u_p.pb * u_p.L + s.i;
    let b = mu * u_state[kb] + g / den;
    u_state[kb] = b;
    u_param[s.i] = p - lr * b;
  } else {
    u_param[s.i] = p - lr * g / den;
  }
}

@compute @workgroup_size(WG)
fn adam(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let s = u_slot(linear_id(wid, nwg, lid));
  if (!s.ok) { return; }
  let wd = u_hyp[s.h + 1u];
  let b1 = u_hyp[s.h + 2u];
  let b2 = u_hyp[s.h + 3u];
  let eps = u_hyp[s.h + 4u];
  var p = u_param[s.i];
  var g = u_grad_at(s.i);
  if (u_hyp[s.h + 6u] != 0.0) { p = p * u_hyp[s.h + 10u]; } else if (wd != 0.0) { g = g + wd * p; }
  let km = u_p.pa * u_p.L + s.i;
  let kv = u_p.pb * u_p.L + s.i;
  let m = b1 * u_state[km] + u_hyp[s.h + 11u] * g;
  var v = b2 * u_state[kv] + u_hyp[s.h + 12u] * g * g;
  u_state[km] = m;
  u_state[kv] = v;
  if (u_hyp[s.h + 5u] != 0.0) {
    let kx = u_p.pc * u_p.L + s.i;
    v = max(u_state[kx], v);
    u_state[kx] = v;
  }
  u_param[s.i] = p - u_hyp[s.h + 8u] * m / (sqrt(v) * u_hyp[s.h + 9u] + eps);
}

// ---------------------------------------------------------------- global gradient norm

@group(0) @binding(0) var<storage, read> s_grad: array<f32>;
@group(0) @binding(1) var<storage, read> s_seg: array<vec4i>;
@group(0) @binding(2) var<storage, read> s_hyp: array<f32>;
@group(0) @binding(3) var<storage, read_write> s_partial: array<f32>;
@group(0) @binding(4) var<uniform> s_p: Params;

var<workgroup> sh: array<f32, WG>;

fn s_find(j: u32) -> vec4i {
  var lo = 0u;
  var hi = s_p.nseg - 1u;
  while (lo < hi) {
    let mid = (lo + hi + 1u) / 2u;
    if (u32(s_seg[mid].x) <= j) { lo = mid; } else { hi = mid - 1u; }
  }
  return s_seg[lo];
}

fn tree_sum(lid: u32, x: f32) -> f32 {
  sh[lid] = x;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k >>= 1u) {
    if (lid < k) { sh[lid] = sh[lid] + sh[lid + k]; }
    workgroupBarrier();
  }
  return sh[0];
}

// One partial per workgroup: workgroup w of n handles elements w·WG + lid, then + n·WG, …
// s_p.base = this chunk's first partial.
@compute @workgroup_size(WG)
fn grad_sumsq(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let w = wid.x + wid.y * nwg.x;
  let stride = nwg.x * nwg.y * WG;
  var acc = 0.0;
  var bad = false;
  for (var j = w * WG + lid; j < s_p.total; j += stride) {
    let s = s_find(j);
    var g = s_grad[u32(s.y) + (j - u32(s.x))];
    bad = bad || !finite(g);
    if (s_hyp[1] != 0.0) { g = clamp(g, -s_hyp[2], s_hyp[2]); }
    acc += g * g;
  }
  // A NaN marks the partial as bad; its bits come from the host (s_p.flag = 0x7fc00000), since
  // WGSL has no NaN constant.
  if (bad) { acc = bitcast<f32>(s_p.flag); }
  let total = tree_sum(lid, acc);
  if (lid == 0u) { s_partial[s_p.base + w] = total; }
}

// ---------------------------------------------------------------- clip scale and skip flag

@group(0) @binding(0) var<storage, read> f_partial: array<f32>;
@group(0) @binding(1) var<storage, read> f_loss: array<f32>;
@group(0) @binding(2) var<storage, read> f_hyp: array<f32>;
@group(0) @binding(3) var<storage, read_write> f_status: array<f32>;
@group(0) @binding(4) var<uniform> f_p: Params;

// f_p.total = number of partials; f_p.flag = 1 when a loss is bound.
@compute @workgroup_size(WG)
fn finalize(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var k = lid; k < f_p.total; k += WG) { acc += f_partial[k]; }
  let sumsq = tree_sum(lid, acc);
  if (lid != 0u) { return; }
  let norm = sqrt(sumsq);
  var ok = finite(sumsq);
  if (f_p.flag != 0u) { ok = ok && finite(f_loss[0]); }
  let flagged = f_status[2] != 0.0;
  if (!flagged && !ok) { f_status[2] = f_hyp[0]; }
  let skip = flagged || !ok;
  var scale = 1.0;
  if (f_hyp[3] != 0.0) {
    let coef = f_hyp[4] / (norm + 1e-6);
    if (coef < 1.0) { scale = coef; }
  }
  f_status[0] = scale;
  f_status[1] = select(0.0, 1.0, skip);
  f_status[3] = norm;
}
