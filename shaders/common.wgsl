// common.wgsl — helpers shared by several kernel families. src/kernels/spec.ts `withCommon()`
// appends this file to a family's source (appended rather than prepended, so line numbers in
// compile errors still match the family's own file). A family that uses it declares
// `override WG: u32` (its workgroup size, a power of two).
//
//   wg_reduce(lid, v, is_max) — tree reduction of one value per thread over the workgroup, in a
//   fixed order (deterministic): the sum, or the maximum when is_max. Every thread of the
//   workgroup must call it (it contains barriers), so call it from uniform control flow.

var<workgroup> sh: array<f32, WG>;

fn wg_reduce(lid: u32, v: f32, is_max: bool) -> f32 {
  workgroupBarrier();
  sh[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      if (is_max) { sh[lid] = max(sh[lid], sh[lid + s]); } else { sh[lid] = sh[lid] + sh[lid + s]; }
    }
    workgroupBarrier();
  }
  return sh[0];
}
