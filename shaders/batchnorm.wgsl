// batchnorm.wgsl — batch-norm state updates, one thread per channel c (C channels).
// Statistics come from norm.wgsl as (3, C): shift K, offset d (mean = K + d), biased variance v.
// t = num_batches_tracked before this step (int32).
//
//   bn_running (WHICH 0, mean): out = (1 − m)·running + m·(K + d)
//   bn_running (WHICH 1, var):  out = (1 − m)·running + m·v·unbias,  unbias = n/(n − 1)
//              m = momentum, or 1/(t + 1) when momentum < 0 (PyTorch's momentum=None)
//   bn_count:   out = t + 1
//   bn_update:  both bn_running and bn_count in place (running_mean, running_var, t)
//   bn_renorm (WHICH 0, r): clamp(√(v + ε) / √(rv + ε), 1/rmax(t), rmax(t))
//   bn_renorm (WHICH 1, d): clamp(((K − rm) + d) / √(rv + ε), −dmax(t), dmax(t))
//              rmax(t) = 1 + (rmax − 1)·ramp(t, rmax_steps), dmax(t) = dmax·ramp(t, dmax_steps),
//              ramp = clamp((t − warmup)/steps, 0, 1), a step at warmup when steps = 0
//
// Bindings: bn_running stats, running, tracked (read), out (read_write), Params;
// bn_count tracked (read), out (read_write), Params; bn_update stats (read), running_mean,
// running_var, tracked (read_write), Params; bn_renorm stats, rm, rv, tracked (read),
// out (read_write), Params.
// Dispatch: linear workgroup id = wid.x + wid.y · nwg.x; threads guard c < C.

override WG: u32 = 64u;
override WHICH: u32 = 0u;

fn lin(wid: vec3u, nwg: vec3u) -> u32 { return wid.x + wid.y * nwg.x; }

struct RunParams { C: u32, momentum: f32, unbias: f32, pad: u32 }

// The running-average weight of this batch: momentum, or 1/(t + 1) for momentum=None (< 0).
fn step_momentum(momentum: f32, t: i32) -> f32 { return select(momentum, 1.0 / f32(t + 1), momentum < 0.0); }
fn blend(m: f32, running: f32, batch: f32) -> f32 { return (1.0 - m) * running + m * batch; }

@group(0) @binding(0) var<storage, read> u_st: array<f32>;
@group(0) @binding(1) var<storage, read> u_run: array<f32>;
@group(0) @binding(2) var<storage, read> u_t: array<i32>;
@group(0) @binding(3) var<storage, read_write> u_out: array<f32>;
@group(0) @binding(4) var<uniform> u_p: RunParams;

@compute @workgroup_size(WG)
fn bn_running(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let c = lin(wid, nwg) * WG + lid;
  if (c >= u_p.C) { return; }
  let m = step_momentum(u_p.momentum, u_t[0]);
  var batch = u_st[c] + u_st[u_p.C + c];
  if (WHICH == 1u) { batch = u_st[2u * u_p.C + c] * u_p.unbias; }
  u_out[c] = blend(m, u_run[c], batch);
}

// bn_update: bn_running for the mean and the variance and bn_count, in place on the variables
// (the planner's fusion of BatchNorm's three state assigns). One workgroup: every thread reads t
// before the barrier, and thread 0 advances it after.
@group(0) @binding(0) var<storage, read> p_st: array<f32>;
@group(0) @binding(1) var<storage, read_write> p_rm: array<f32>;
@group(0) @binding(2) var<storage, read_write> p_rv: array<f32>;
@group(0) @binding(3) var<storage, read_write> p_t: array<i32>;
@group(0) @binding(4) var<uniform> p_p: RunParams;

@compute @workgroup_size(WG)
fn bn_update(@builtin(local_invocation_index) lid: u32) {
  let t = p_t[0];
  let m = step_momentum(p_p.momentum, t);
  for (var c = lid; c < p_p.C; c += WG) {
    p_rm[c] = blend(m, p_rm[c], p_st[c] + p_st[p_p.C + c]);
    p_rv[c] = blend(m, p_rv[c], p_st[2u * p_p.C + c] * p_p.unbias);
  }
  storageBarrier();
  if (lid == 0u) { p_t[0] = t + 1; }
}

struct CountParams { n: u32, pad0: u32, pad1: u32, pad2: u32 }

@group(0) @binding(0) var<storage, read> n_t: array<i32>;
@group(0) @binding(1) var<storage, read_write> n_out: array<i32>;
@group(0) @binding(2) var<uniform> n_p: CountParams;

@compute @workgroup_size(WG)
fn bn_count(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let i = lin(wid, nwg) * WG + lid;
  if (i >= n_p.n) { return; }
  n_out[i] = n_t[i] + 1;
}

struct RenormParams {
  C: u32, eps: f32, rmax: f32, dmax: f32,
  warmup: f32, rmax_steps: f32, dmax_steps: f32, pad: u32,
}

@group(0) @binding(0) var<storage, read> r_st: array<f32>;
@group(0) @binding(1) var<storage, read> r_rm: array<f32>;
@group(0) @binding(2) var<storage, read> r_rv: array<f32>;
@group(0) @binding(3) var<storage, read> r_t: array<i32>;
@group(0) @binding(4) var<storage, read_write> r_out: array<f32>;
@group(0) @binding(5) var<uniform> r_p: RenormParams;

fn ramp(t: f32, steps: f32) -> f32 {
  if (steps <= 0.0) { return select(0.0, 1.0, t >= r_p.warmup); }
  return clamp((t - r_p.warmup) / steps, 0.0, 1.0);
}

@compute @workgroup_size(WG)
fn bn_renorm(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let c = lin(wid, nwg) * WG + lid;
  if (c >= r_p.C) { return; }
  let t = f32(r_t[0]);
  let sigma = sqrt(r_rv[c] + r_p.eps);
  if (WHICH == 0u) {
    let rmax = 1.0 + (r_p.rmax - 1.0) * ramp(t, r_p.rmax_steps);
    r_out[c] = clamp(sqrt(r_st[2u * r_p.C + c] + r_p.eps) / sigma, 1.0 / rmax, rmax);
  } else {
    let dmax = r_p.dmax * ramp(t, r_p.dmax_steps);
    r_out[c] = clamp(((r_st[c] - r_rm[c]) + r_st[r_p.C + c]) / sigma, -dmax, dmax);
  }
}
