// matmul_subgroup.wgsl — C[z] = act(op(A[z]) · op(B[z]) + bias), sharing A through subgroups.
//
// Same operation, shapes, Params and bindings as matmul.wgsl (see its header); this file only
// adds the entry point that needs the `subgroups` feature, so matmul.wgsl stays valid WGSL on
// adapters without it.
//
// Entry point:
//   matmul_sg — gemm_sg of gemm_subgroup.wgsl: a workgroup computes ROWS (≤ 32) rows × 4·WG
//               columns of C, A handed round a subgroup by shuffles in 8-wide k-strips (see that
//               file). Requires subgroups of at least 8 lanes (the host checks subgroupMinSize).
// Dispatch: linear workgroup id = wid.x + wid.y · nwg.x over (batch, row blocks, column blocks).

enable subgroups;
diagnostic(off, subgroup_uniformity);

override WG: u32 = 64u;
override ROWS: u32 = 8u;

// Params, bindings, act and the gemm accessors: matmul_common.wgsl; gemm_sg: gemm_subgroup.wgsl
// (appended by src/kernels/matmul.ts after gemm.wgsl).

@compute @workgroup_size(WG)
fn matmul_sg(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
             @builtin(local_invocation_index) lid: u32, @builtin(subgroup_invocation_id) sl: u32) {
  gemm_sg(mm_gemm(), wid.x + wid.y * nwg.x, lid, sl);
}
