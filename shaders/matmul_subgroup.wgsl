// matmul_subgroup.wgsl — C[z] = act(op(A[z]) · op(B[z]) + bias), sharing A through subgroups.
//
// Same operation, shapes, Params and bindings as matmul.wgsl (see its header); this file only
// adds the entry point that needs the `subgroups` feature, so matmul.wgsl stays valid WGSL on
// adapters without it.
//
// Entry point:
//   matmul_sg — a workgroup computes ROWS (≤ 32) rows × 4·WG columns of C; thread t owns
//               columns n0 + t + WG·j (j < 4) of every row, as ROWS vec4 accumulators. The ROWS
//               values of A at a k-step are the same for every thread, so lane q of a subgroup
//               loads A[m0 + r, k0 + q] for an 8-wide strip k0..k0+7 and subgroupShuffle hands
//               each value to all lanes: ROWS A loads per 8 k-steps instead of per k-step, and
//               each of the 4 B loads per k-step feeds ROWS multiply-adds. On software adapters
//               (lavapipe) every per-lane load costs a bounds check and a branch while a
//               shuffle is one register permute: measured 2.5–4× faster than matmul_reg there.
//               The last strip is padded with zeros (no separate K tail: each extra copy of
//               the loads costs seconds of JIT on lavapipe). Requires subgroups of at least
//               8 lanes (the host checks subgroupMinSize), all active (WG is 8 or 64).
// Dispatch: linear workgroup id = wid.x + wid.y · nwg.x over (batch, row blocks, column blocks).
// Accumulation is in f32 in increasing k, so results are deterministic. The epilogue stores
// through a rolled loop (see matmul.wgsl).

enable subgroups;
diagnostic(off, subgroup_uniformity);

override WG: u32 = 64u;
override ROWS: u32 = 8u;

// Params, bindings, act, bias_at, a_at, b_at: matmul_common.wgsl (appended by src/kernels/matmul.ts).

const MAXR: u32 = 32u;

@compute @workgroup_size(WG)
fn matmul_sg(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
             @builtin(local_invocation_index) lid: u32, @builtin(subgroup_invocation_id) sl: u32) {
  let t = wid.x + wid.y * nwg.x;
  let z = t / p.tiles_mn;
  if (z >= p.batch) { return; }
  let tr = t % p.tiles_mn;
  let m0 = (tr / p.tiles_n) * ROWS;
  let n0 = (tr % p.tiles_n) * (4u * WG) + lid;
  let ao = z * p.stride_a;
  let bo = z * p.stride_b;
  let mm = p.M - 1u;
  let nm = p.N - 1u;
  let c0 = min(n0, nm); let c1 = min(n0 + WG, nm); let c2 = min(n0 + 2u * WG, nm); let c3 = min(n0 + 3u * WG, nm);
  var acc: array<vec4f, MAXR>;
  for (var r = 0u; r < ROWS; r++) { acc[r] = vec4f(0.0); }
  let lane = sl & 7u;
  let km = max(p.K, 1u) - 1u;
  for (var k0 = 0u; k0 < p.K; k0 += 8u) {
    // Lane q holds A[m0 + r, k0 + q] (0 past K); the strip reaches every lane by shuffles.
    let kq = k0 + lane;
    var s: array<f32, MAXR>;
    for (var r = 0u; r < ROWS; r++) { s[r] = select(0.0, a_at(ao, min(m0 + r, mm), min(kq, km)), kq < p.K); }
    let steps = min(8u, p.K - k0);
    for (var kk = 0u; kk < steps; kk++) {
      let k = k0 + kk;
      let bv = vec4f(b_at(bo, k, c0), b_at(bo, k, c1), b_at(bo, k, c2), b_at(bo, k, c3));
      for (var r = 0u; r < ROWS; r++) {
        acc[r] = fma(vec4f(subgroupShuffle(s[r], kk)), bv, acc[r]);
      }
    }
  }
  let co = z * p.M * p.N;
  let bv = vec4f(bias_at(c0), bias_at(c1), bias_at(c2), bias_at(c3));
  var res = acc;   // read with a run-time index: the store loop stays rolled (see matmul.wgsl)
  for (var r = 0u; r < min(ROWS, p.M - m0); r++) {
    let o = co + (m0 + r) * p.N;
    let v = res[r];
    for (var j = 0u; j < 4u; j++) {
      let n = n0 + j * WG;
      if (n < p.N) { c[o + n] = act(v[j] + bv[j]); }
    }
  }
}
