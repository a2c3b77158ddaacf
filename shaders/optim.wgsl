// optim.wgsl — fused optimizer updates over a parameter chunk (the "arena"): every parameter of
// the chunk in one dispatch, one workgroup per block of consecutive elements, four elements
// (one vec4) per thread and step of the loop.
//
//   sgd      g ← g + λθ;  b ← μb + c·g (c = 1 at t = 1, else 1−τ);  g ← g + μb or b;  θ ← θ − γg
//   adagrad  g ← g + λθ;  s ← s + g²;  θ ← θ − γ̃ g / (√s + ε)          γ̃ = γ/(1+(t−1)η) from the host
//   rmsprop  g ← g + λθ;  v ← αv + (1−α)g²;  [ḡ ← αḡ + (1−α)g;  v' = max(v − ḡ², 0)]
//            b ← μb + g/(√v' + ε), θ ← θ − γb   or   θ ← θ − γg/(√v' + ε)
//   adam     θ ← θ·(1−γλ) (decoupled, AdamW) or g ← g + λθ;  m ← β1m + (1−β1)g;  v ← β2v + (1−β2)g²;
//            [v̂ ← max(v̂, v)];  θ ← θ − (γ/(1−β1^t)) · m / (√v · (1/√(1−β2^t)) + ε)
//   grad_sumsq  partial[base + w·WG + lid] = Σ g'² over this thread's share (g' = clamped g)
//   finalize    norm = √Σ partial;  status = [scale, skip, flagged step, norm]
//
// Before any update the gradient is clamped to ±c (clip by value) and multiplied by
// status[0] = min(1, max/(norm + 1e-6)) (clip by global norm; exactly 1.0 otherwise).
//
// Layout. A chunk holds parameters contiguously (L elements, alignment padding included); the
// gradient arena and each optimizer state plane (m, v, …) use the same offsets, planes stored
// one after another (plane k at k·L). The block table `seg` lists what this step updates as rows
// (first compacted element, arena offset, group, length), one row per workgroup; the host splits
// each run of parameters into blocks of at most a few thousand elements. Offsets are multiples
// of 4 (WebGPU aligns storage offsets to ≥ 32 bytes), so the vec4s of two blocks never overlap;
// lanes of a block's last vec4 past its end keep their old values. `hyp` holds 16 floats per
// row: row 0 is global [t, clip-value on, c, clip-norm on, max norm], row 1+g the
// hyperparameters of param group g, raw (lr, λ, …) and host-computed step scalars
// (γ/(1−β1^t), 1/√(1−β2^t), 1−γλ, …), so changing a learning rate rewrites a few floats and never
// recompiles anything. The block index is the workgroup's, so the row and every hyperparameter
// are read once per workgroup (uniform loads), not per element.
//
// Bindings (update kernels): grad, seg, hyp, status (read); param, state (read_write); Params.
// grad_sumsq: grad, seg, hyp (read); partial (read_write); Params.
// finalize: partial, loss, hyp (read); status (read_write); Params.
// Dispatch: linear workgroup id w = wid.x + wid.y · nwg.x; updates run one workgroup per block;
// grad_sumsq runs `parts / WG` workgroups, workgroup w taking blocks w, w + nwg, …; finalize one,
// summing the partials with wg_reduce (shaders/common.wgsl, appended by withCommon()).
// Numerics: non-finite values are detected through their bits (compilers may assume that f32
// math never produces NaN or Inf); a skipped step writes nothing, so parameters and state stay
// bit-identical. The reduction order is fixed, so results are reproducible run to run.

override WG: u32 = 64u;

const ROW: u32 = 16u;
const EXP: u32 = 0x7f800000u;

struct Params { total: u32, nseg: u32, L: u32, pa: u32, pb: u32, pc: u32, base: u32, flag: u32 }

fn wg_id(wid: vec3u, nwg: vec3u) -> u32 {
  return wid.x + wid.y * nwg.x;
}

fn finite(x: f32) -> bool {
  return (bitcast<u32>(x) & EXP) != EXP;
}

// Lanes of vec4 q that lie before element `end`.
fn lanes(q: u32, end: u32) -> vec4<bool> {
  return vec4u(q * 4u) + vec4u(0u, 1u, 2u, 3u) < vec4u(end);
}

// ---------------------------------------------------------------- update kernels

@group(0) @binding(0) var<storage, read> u_grad: array<vec4f>;
@group(0) @binding(1) var<storage, read> u_seg: array<vec4i>;
@group(0) @binding(2) var<storage, read> u_hyp: array<f32>;
@group(0) @binding(3) var<storage, read> u_status: array<f32>;
@group(0) @binding(4) var<storage, read_write> u_param: array<vec4f>;
@group(0) @binding(5) var<storage, read_write> u_state: array<vec4f>;
@group(0) @binding(6) var<uniform> u_p: Params;

// This workgroup's block: vec4s [q0, q1), elements before `end`, hyperparameter row h, the
// clip-by-value bound c (0 when off; the option itself is > 0) and the norm-clip scale s. A
// skipped step, and the workgroups past the table that a folded dispatch adds, get no vec4s.
struct Blk { q0: u32, q1: u32, end: u32, h: u32, c: f32, s: f32 }

fn u_block(wid: vec3u, nwg: vec3u) -> Blk {
  let w = wg_id(wid, nwg);
  let b = u_seg[min(w, u_p.nseg - 1u)];
  let end = u32(b.y + b.w);
  let q1 = select((end + 3u) / 4u, 0u, w >= u_p.nseg || u_status[1] != 0.0);
  return Blk(u32(b.y) / 4u, q1, end, (u32(b.z) + 1u) * ROW, select(0.0, u_hyp[2], u_hyp[1] != 0.0), u_status[0]);
}

fn u_grad_at(q: u32, k: Blk) -> vec4f {
  var g = u_grad[q];
  if (k.c != 0.0) { g = clamp(g, vec4f(-k.c), vec4f(k.c)); }
  return g * k.s;
}

// The first vec4 of state plane k.
fn plane(k: u32) -> u32 {
  return k * (u_p.L / 4u);
}

@compute @workgroup_size(WG)
fn sgd(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let k = u_block(wid, nwg);
  let lr = u_hyp[k.h];
  let wd = u_hyp[k.h + 1u];
  let mu = u_hyp[k.h + 2u];
  let nesterov = u_hyp[k.h + 5u] != 0.0;
  let c = u_hyp[k.h + 8u];
  let pb = plane(u_p.pa);
  for (var q = k.q0 + lid; q < k.q1; q += WG) {
    let keep = lanes(q, k.end);
    let p = u_param[q];
    var g = u_grad_at(q, k);
    if (wd != 0.0) { g = g + wd * p; }
    if (mu != 0.0) {
      let b0 = u_state[pb + q];
      let b = mu * b0 + c * g;
      u_state[pb + q] = select(b0, b, keep);
      g = select(b, g + mu * b, nesterov);
    }
    u_param[q] = select(p, p - lr * g, keep);
  }
}

@compute @workgroup_size(WG)
fn adagrad(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let k = u_block(wid, nwg);
  let wd = u_hyp[k.h + 1u];
  let eps = u_hyp[k.h + 4u];
  let clr = u_hyp[k.h + 8u];
  let ps = plane(u_p.pa);
  for (var q = k.q0 + lid; q < k.q1; q += WG) {
    let keep = lanes(q, k.end);
    let p = u_param[q];
    var g = u_grad_at(q, k);
    if (wd != 0.0) { g = g + wd * p; }
    let s0 = u_state[ps + q];
    let s = s0 + g * g;
    u_state[ps + q] = select(s0, s, keep);
    u_param[q] = select(p, p - clr * g / (sqrt(s) + eps), keep);
  }
}

@compute @workgroup_size(WG)
fn rmsprop(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let k = u_block(wid, nwg);
  let lr = u_hyp[k.h];
  let wd = u_hyp[k.h + 1u];
  let alpha = u_hyp[k.h + 2u];
  let mu = u_hyp[k.h + 3u];
  let eps = u_hyp[k.h + 4u];
  let centered = u_hyp[k.h + 5u] != 0.0;
  let one_m_alpha = u_hyp[k.h + 8u];
  let pv = plane(u_p.pa);
  let pb = plane(u_p.pb);
  let pg = plane(u_p.pc);
  for (var q = k.q0 + lid; q < k.q1; q += WG) {
    let keep = lanes(q, k.end);
    let p = u_param[q];
    var g = u_grad_at(q, k);
    if (wd != 0.0) { g = g + wd * p; }
    let v0 = u_state[pv + q];
    let v = alpha * v0 + one_m_alpha * g * g;
    u_state[pv + q] = select(v0, v, keep);
    var var_ = v;
    if (centered) {
      let a0 = u_state[pg + q];
      let a = alpha * a0 + one_m_alpha * g;
      u_state[pg + q] = select(a0, a, keep);
      var_ = max(v - a * a, vec4f(0.0));
    }
    var step = g / (sqrt(var_) + eps);
    if (mu > 0.0) {
      let b0 = u_state[pb + q];
      step = mu * b0 + step;
      u_state[pb + q] = select(b0, step, keep);
    }
    u_param[q] = select(p, p - lr * step, keep);
  }
}

@compute @workgroup_size(WG)
fn adam(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let k = u_block(wid, nwg);
  let wd = u_hyp[k.h + 1u];
  let b1 = u_hyp[k.h + 2u];
  let b2 = u_hyp[k.h + 3u];
  let eps = u_hyp[k.h + 4u];
  let amsgrad = u_hyp[k.h + 5u] != 0.0;
  let decoupled = u_hyp[k.h + 6u] != 0.0;
  let step = u_hyp[k.h + 8u];
  let bc2 = u_hyp[k.h + 9u];
  let decay = u_hyp[k.h + 10u];
  let c1 = u_hyp[k.h + 11u];
  let c2 = u_hyp[k.h + 12u];
  let pm = plane(u_p.pa);
  let pv = plane(u_p.pb);
  let px = plane(u_p.pc);
  for (var q = k.q0 + lid; q < k.q1; q += WG) {
    let keep = lanes(q, k.end);
    let p0 = u_param[q];
    var p = p0;
    var g = u_grad_at(q, k);
    if (decoupled) { p = p * decay; } else if (wd != 0.0) { g = g + wd * p; }
    let m0 = u_state[pm + q];
    let v0 = u_state[pv + q];
    let m = b1 * m0 + c1 * g;
    var v = b2 * v0 + c2 * g * g;
    u_state[pm + q] = select(m0, m, keep);
    u_state[pv + q] = select(v0, v, keep);
    if (amsgrad) {
      let x0 = u_state[px + q];
      v = max(x0, v);
      u_state[px + q] = select(x0, v, keep);
    }
    u_param[q] = select(p0, p - step * m / (sqrt(v) * bc2 + eps), keep);
  }
}

// ---------------------------------------------------------------- global gradient norm

@group(0) @binding(0) var<storage, read> s_grad: array<vec4f>;
@group(0) @binding(1) var<storage, read> s_seg: array<vec4i>;
@group(0) @binding(2) var<storage, read> s_hyp: array<f32>;
@group(0) @binding(3) var<storage, read_write> s_partial: array<f32>;
@group(0) @binding(4) var<uniform> s_p: Params;

// One partial per thread, no workgroup memory: workgroup w of n takes blocks w, w + n, …, its
// threads striding over each block's vec4s. s_p.nseg = blocks, s_p.base = this chunk's first
// partial.
@compute @workgroup_size(WG)
fn grad_sumsq(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let w = wg_id(wid, nwg);
  let c = select(0.0, s_hyp[2], s_hyp[1] != 0.0);
  var acc = vec4f(0.0);
  var bad = vec4<bool>(false);
  for (var r = w; r < s_p.nseg; r += nwg.x * nwg.y) {
    let b = s_seg[r];
    let end = u32(b.y + b.w);
    for (var q = u32(b.y) / 4u + lid; q < (end + 3u) / 4u; q += WG) {
      var g = select(vec4f(0.0), s_grad[q], lanes(q, end));
      bad = bad | ((bitcast<vec4u>(g) & vec4u(EXP)) == vec4u(EXP));
      if (c != 0.0) { g = clamp(g, vec4f(-c), vec4f(c)); }
      acc += g * g;
    }
  }
  // A NaN marks the partial as bad; its bits come from the host (s_p.flag = 0x7fc00000), since
  // WGSL has no NaN constant.
  var total = (acc.x + acc.y) + (acc.z + acc.w);
  if (any(bad)) { total = bitcast<f32>(s_p.flag); }
  s_partial[s_p.base + w * WG + lid] = total;
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
  let sumsq = wg_reduce(lid, acc, false);   // shaders/common.wgsl
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
