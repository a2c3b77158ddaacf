// reduce.wgsl — reductions over one axis of a tensor viewed as (outer, R, inner):
//   out[o, i] = Σ_r x[o, r, i]        (OP 0: sum)
//               Σ_r x[o, r, i] / R    (OP 1: mean)
//               max_r x[o, r, i]      (OP 2: max)
//
// Bindings: x (read), out (read_write), Params (uniform).
// Entry points:
//   reduce_naive — one thread per output element, a sequential loop over r. Good when there
//                  are many outputs (e.g. the bias gradient: outer = 1, R = batch, inner = C).
//   reduce_wg    — one workgroup per output element: each thread sums a strided subset of r,
//                  then a tree reduction in workgroup memory. Good for few outputs, long R.
// Both use a fixed order of operations, so the same input gives bit-identical output.
// Dispatch: linear workgroup id = wid.x + wid.y · nwg.x; threads guard the tail.

override WG: u32 = 256u;
override OP: u32 = 0u;

struct Params { outer: u32, R: u32, inner: u32, n_out: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

fn combine(a: f32, b: f32) -> f32 {
  if (OP == 2u) { return max(a, b); }
  return a + b;
}

fn identity() -> f32 {
  if (OP == 2u) { return -3.402823466e+38; }
  return 0.0;
}

fn finish(acc: f32) -> f32 {
  if (OP == 1u) { return acc / f32(p.R); }
  return acc;
}

@compute @workgroup_size(WG)
fn reduce_naive(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let j = (wid.x + wid.y * nwg.x) * WG + lid;
  if (j >= p.n_out) { return; }
  let o = j / p.inner;
  let i = j % p.inner;
  var acc = identity();
  var idx = o * p.R * p.inner + i;
  for (var r = 0u; r < p.R; r++) {
    acc = combine(acc, x[idx]);
    idx += p.inner;
  }
  out[j] = finish(acc);
}

var<workgroup> sh: array<f32, WG>;

@compute @workgroup_size(WG)
fn reduce_wg(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let j = wid.x + wid.y * nwg.x;   // uniform across the workgroup
  let valid = j < p.n_out;
  var acc = identity();
  if (valid) {
    let o = j / p.inner;
    let i = j % p.inner;
    let base = o * p.R * p.inner + i;
    for (var r = lid; r < p.R; r += WG) {
      acc = combine(acc, x[base + r * p.inner]);
    }
  }
  sh[lid] = acc;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { sh[lid] = combine(sh[lid], sh[lid + s]); }
    workgroupBarrier();
  }
  if (valid && lid == 0u) { out[j] = finish(sh[0]); }
}
