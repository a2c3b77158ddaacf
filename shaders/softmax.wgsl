// softmax.wgsl — row-wise over the last axis; x is (rows, C).
//   forward (LOG = false): y = exp(x − m) / Σ exp(x − m), m = max of the row
//   forward (LOG = true):  y = (x − m) − log Σ exp(x − m)   (in this order: x − (m + log s)
//                          would round m + log s to m's precision and lose small results)
//   backward (LOG = false): dx = y ⊙ (g − Σ g⊙y)
//   backward (LOG = true):  dx = g − exp(y) · Σ g
// Subtracting the row maximum keeps exp from overflowing for logits of any size; a row of
// one element gives softmax 1 and log-softmax 0.
//
// Bindings: forward x (read), y (read_write), Params; backward y (read), g (read),
// dx (read_write), Params.
// Entry points:
//   *_naive — one thread per row, sequential loops (the reference port).
//   *_wg    — one workgroup per row: strided partial max / sums per thread, then tree
//             reductions in workgroup memory (fixed order: deterministic).
// Dispatch: linear workgroup id = wid.x + wid.y · nwg.x.

override WG: u32 = 256u;
override LOG: bool = false;

struct Params { rows: u32, C: u32, pad0: u32, pad1: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@group(0) @binding(0) var<storage, read> by: array<f32>;
@group(0) @binding(1) var<storage, read> bg: array<f32>;
@group(0) @binding(2) var<storage, read_write> bdx: array<f32>;
@group(0) @binding(3) var<uniform> bp: Params;

@compute @workgroup_size(WG)
fn softmax_naive(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let r = (wid.x + wid.y * nwg.x) * WG + lid;
  if (r >= p.rows) { return; }
  let o = r * p.C;
  var m = x[o];
  for (var c = 1u; c < p.C; c++) { m = max(m, x[o + c]); }
  var s = 0.0;
  for (var c = 0u; c < p.C; c++) { s += exp(x[o + c] - m); }
  if (LOG) {
    let ls = log(s);
    for (var c = 0u; c < p.C; c++) { y[o + c] = (x[o + c] - m) - ls; }
  } else {
    let inv = 1.0 / s;
    for (var c = 0u; c < p.C; c++) { y[o + c] = exp(x[o + c] - m) * inv; }
  }
}

@compute @workgroup_size(WG)
fn softmax_backward_naive(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let r = (wid.x + wid.y * nwg.x) * WG + lid;
  if (r >= bp.rows) { return; }
  let o = r * bp.C;
  var d = 0.0;
  for (var c = 0u; c < bp.C; c++) {
    if (LOG) { d += bg[o + c]; } else { d += bg[o + c] * by[o + c]; }
  }
  for (var c = 0u; c < bp.C; c++) {
    if (LOG) { bdx[o + c] = bg[o + c] - exp(by[o + c]) * d; }
    else { bdx[o + c] = by[o + c] * (bg[o + c] - d); }
  }
}

// wg_reduce (a workgroup tree reduction) comes from common.wgsl, appended by withCommon().

@compute @workgroup_size(WG)
fn softmax_wg(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let r = wid.x + wid.y * nwg.x;      // uniform across the workgroup
  let live = r < p.rows;
  let o = r * p.C;
  var m = -3.402823466e+38;
  if (live) { for (var c = lid; c < p.C; c += WG) { m = max(m, x[o + c]); } }
  m = wg_reduce(lid, m, true);
  var s = 0.0;
  if (live) { for (var c = lid; c < p.C; c += WG) { s += exp(x[o + c] - m); } }
  s = wg_reduce(lid, s, false);
  if (!live) { return; }
  if (LOG) {
    let ls = log(s);
    for (var c = lid; c < p.C; c += WG) { y[o + c] = (x[o + c] - m) - ls; }
  } else {
    let inv = 1.0 / s;
    for (var c = lid; c < p.C; c += WG) { y[o + c] = exp(x[o + c] - m) * inv; }
  }
}

@compute @workgroup_size(WG)
fn softmax_backward_wg(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let r = wid.x + wid.y * nwg.x;
  let live = r < bp.rows;
  let o = r * bp.C;
  var d = 0.0;
  if (live) {
    for (var c = lid; c < bp.C; c += WG) {
      if (LOG) { d += bg[o + c]; } else { d += bg[o + c] * by[o + c]; }
    }
  }
  d = wg_reduce(lid, d, false);
  if (!live) { return; }
  for (var c = lid; c < bp.C; c += WG) {
    if (LOG) { bdx[o + c] = bg[o + c] - exp(by[o + c]) * d; }
    else { bdx[o + c] = by[o + c] * (bg[o + c] - d); }
  }
}
