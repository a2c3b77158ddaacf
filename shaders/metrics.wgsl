// metrics.wgsl — per-row classification metrics, so that accuracy is accumulated on the
// device and read back once per log interval rather than once per step.
//
//   argmax_rows:  out[n] = the first c with z[n, c] = max_c z[n, c]        (i32)
//   correct_rows: out[n] = 1.0 if argmax_c z[n, c] = labels[n], else 0.0  (f32)
//   class_metrics: out = [Σ w[n]·loss[n], Σ w[n]·correct[n], Σ w[n]]        (f32, 3)
//
// Shapes: z (N, C) f32; labels (N) i32; out (N); loss, w (N) f32.
// Bindings: argmax_rows z (read), classes (read_write); correct_rows z, labels (read), hits
// (read_write); class_metrics z, labels, loss, w (read), totals (read_write); Params (uniform) last.
// Dispatch: argmax_rows and correct_rows one thread per row, a sequential loop over C (classifier
// heads are narrow); linear workgroup id = wid.x + wid.y · nwg.x, every thread checks n < N.
// class_metrics is ONE workgroup: thread t sums rows t, t + WG, …, then wg_reduce (common.wgsl)
// combines the threads in a fixed order, so the totals are bit-identical run to run.
// Numerics: a strict > keeps the first of tied maxima, as torch.argmax does; rows holding a
// NaN have no defined answer (WGSL lets an implementation assume finite values).

override WG: u32 = 256u;

struct Params { N: u32, C: u32, pad0: u32, pad1: u32 }

@group(0) @binding(0) var<storage, read> z: array<f32>;
@group(0) @binding(1) var<storage, read_write> classes: array<i32>;
@group(0) @binding(2) var<uniform> p: Params;

@group(0) @binding(1) var<storage, read> labels: array<i32>;
@group(0) @binding(2) var<storage, read_write> hits: array<f32>;
@group(0) @binding(3) var<uniform> pc: Params;

fn argmax_row(n: u32, C: u32) -> u32 {
  let o = n * C;
  var best = 0u;
  var v = z[o];
  for (var c = 1u; c < C; c++) {
    let x = z[o + c];
    if (x > v) {
      v = x;
      best = c;
    }
  }
  return best;
}

@compute @workgroup_size(WG)
fn argmax_rows(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let n = (wid.x + wid.y * nwg.x) * WG + lid;
  if (n >= p.N) { return; }
  classes[n] = i32(argmax_row(n, p.C));
}

@compute @workgroup_size(WG)
fn correct_rows(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let n = (wid.x + wid.y * nwg.x) * WG + lid;
  if (n >= pc.N) { return; }
  hits[n] = select(0.0, 1.0, i32(argmax_row(n, pc.C)) == labels[n]);
}

@group(0) @binding(2) var<storage, read> row_loss: array<f32>;
@group(0) @binding(3) var<storage, read> row_w: array<f32>;
@group(0) @binding(4) var<storage, read_write> totals: array<f32>;
@group(0) @binding(5) var<uniform> pm: Params;

@compute @workgroup_size(WG)
fn class_metrics(@builtin(local_invocation_index) lid: u32) {
  var l = 0.0;
  var k = 0.0;
  var m = 0.0;
  for (var n = lid; n < pm.N; n += WG) {
    let w = row_w[n];
    l += w * row_loss[n];
    k += select(0.0, w, i32(argmax_row(n, pm.C)) == labels[n]);
    m += w;
  }
  l = wg_reduce(lid, l, false);
  k = wg_reduce(lid, k, false);
  m = wg_reduce(lid, m, false);
  if (lid == 0u) {
    totals[0] = l;
    totals[1] = k;
    totals[2] = m;
  }
}
