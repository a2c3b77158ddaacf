// roofline.wgsl — the two kernels that measure an adapter's roofline for the profiler.
//
//   copy_vec4: out[i] = x[i] for i < n4 (vec4 elements): the bandwidth a kernel that reads and
//              writes each element once can reach (the profiler also times a buffer copy).
//   peak_fma:  eight independent vec4 FMA chains per invocation, `iters` times, no memory
//              traffic but one store per invocation: the arithmetic peak (2 FLOPs per lane per
//              FMA, 8 · 4 · 2 = 64 FLOPs per iteration per invocation).
//
// Bindings: copy_vec4: x (read), out (read_write), Params; peak_fma: x (read, unused but bound
// so both share a layout), out (read_write, one vec4 per invocation), Params.
// Dispatch: linear workgroup id = wid.x + wid.y · nwg.x, WG invocations per workgroup; copy_vec4
// guards the tail. The chains start from the invocation id and iters comes from the uniform,
// so the compiler can neither fold the loop nor drop the store.

override WG: u32 = 64u;

struct Params { n4: u32, iters: u32, pad0: u32, pad1: u32 }

@group(0) @binding(0) var<storage, read> x: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> out: array<vec4f>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn copy_vec4(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
             @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i < p.n4) { out[i] = x[i]; }
}

@compute @workgroup_size(WG)
fn peak_fma(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
            @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  let s = f32(i) * 1e-9;
  let m = vec4f(0.999, 0.998, 0.997, 0.996);
  let c = vec4f(1e-4, 2e-4, 3e-4, 4e-4);
  var a0 = vec4f(s); var a1 = a0 + 1.0; var a2 = a0 + 2.0; var a3 = a0 + 3.0;
  var a4 = a0 + 4.0; var a5 = a0 + 5.0; var a6 = a0 + 6.0; var a7 = a0 + 7.0;
  for (var k = 0u; k < p.iters; k++) {
    a0 = fma(a0, m, c); a1 = fma(a1, m, c); a2 = fma(a2, m, c); a3 = fma(a3, m, c);
    a4 = fma(a4, m, c); a5 = fma(a5, m, c); a6 = fma(a6, m, c); a7 = fma(a7, m, c);
  }
  if (i < p.n4) { out[i] = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7; }
}
