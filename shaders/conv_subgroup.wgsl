// conv_subgroup.wgsl — 2-D convolution as implicit GEMM on gemm_sg, which shares A through
// subgroup shuffles.
//
// Same operation, shapes, MODEs, Params and bindings as conv.wgsl (see its header); this file
// only adds the entry point that needs the `subgroups` feature, so conv.wgsl stays valid WGSL
// on adapters without it.
//
// Entry point:
//   conv2d_sg — the MODE's GEMM on gemm_sg (gemm_subgroup.wgsl): ROWS (≤ 32) rows × 4·WG
//               columns per workgroup, A handed round a subgroup in 8-wide k-strips. Requires
//               subgroups of at least 8 lanes (the host checks subgroupMinSize).
// Dispatch: linear workgroup id = wid.x + wid.y · nwg.x over (groups, row blocks, column blocks).
// Appended by src/kernels/conv.ts: conv_common.wgsl, activation.wgsl, gemm.wgsl, gemm_subgroup.wgsl.

enable subgroups;
diagnostic(off, subgroup_uniformity);

override WG: u32 = 64u;
override ROWS: u32 = 32u;
override MODE: u32 = 0u;    // 0 forward, 1 backward input, 2 backward weight, 3 input at stride 1

@compute @workgroup_size(WG)
fn conv2d_sg(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
             @builtin(local_invocation_index) lid: u32, @builtin(subgroup_invocation_id) sl: u32) {
  gemm_sg(conv_gemm(), wid.x + wid.y * nwg.x, lid, sl);
}
