// gemm_subgroup.wgsl — the GEMM body that needs the `subgroups` feature, shared by matmul
// (matmul_subgroup.wgsl) and convolution (conv_subgroup.wgsl) like those of gemm.wgsl (see its
// header for the accessors the family defines). Appended after gemm.wgsl to a family source
// that starts with `enable subgroups;`, so the families' other files stay valid WGSL on
// adapters without the feature.
//
//   gemm_sg(g, t, lid, sl) — a workgroup computes ROWS (≤ 32) rows × 4·WG columns of C; thread
//       t owns columns n0 + t + WG·j (j < 4) of every row, as ROWS vec4 accumulators. The ROWS
//       values of A at a k-step are the same for every thread, so lane q of a subgroup loads
//       A[m0 + r, k0 + q] for an 8-wide strip k0..k0+7 and subgroupShuffle hands each value to
//       all lanes: ROWS A loads per 8 k-steps instead of per k-step, and each of the 4 B loads
//       per k-step feeds ROWS multiply-adds. On software adapters (lavapipe) every per-lane load
//       costs a bounds check and a branch while a shuffle is one register permute: measured
//       2.5–4× faster than matmul_reg there. The last strip is padded with zeros (no separate
//       K tail: each extra copy of the loads costs seconds of JIT on lavapipe). Requires
//       subgroups of at least 8 lanes (the host checks subgroupMinSize), all active (WG is 8
//       or 64). The strip's A loads find their cursor with gemm_kcur (once per 8 k-steps); the
//       B loads step one cursor with gemm_knext.

const MAXR: u32 = 32u;

fn gemm_sg(g: Gemm, t: u32, lid: u32, sl: u32) {
  let z = t / g.tiles_mn;
  if (z >= g.batch) { return; }
  let tr = t % g.tiles_mn;
  let m0 = (tr / g.tiles_n) * ROWS;
  let n0 = (tr % g.tiles_n) * (4u * WG) + lid;
  let mm = g.M - 1u;
  let nm = g.N - 1u;
  let c0 = gemm_ncol(z, min(n0, nm));
  let c1 = gemm_ncol(z, min(n0 + WG, nm));
  let c2 = gemm_ncol(z, min(n0 + 2u * WG, nm));
  let c3 = gemm_ncol(z, min(n0 + 3u * WG, nm));
  var acc: array<vec4f, MAXR>;
  for (var r = 0u; r < ROWS; r++) { acc[r] = vec4f(0.0); }
  let lane = sl & 7u;
  let km = max(g.K, 1u) - 1u;
  var kc = gemm_kcur(z, 0u);
  for (var k0 = 0u; k0 < g.K; k0 += 8u) {
    // Lane q holds A[m0 + r, k0 + q] (0 past K); the strip reaches every lane by shuffles.
    let kq = k0 + lane;
    let cq = gemm_kcur(z, min(kq, km));
    var s: array<f32, MAXR>;
    for (var r = 0u; r < ROWS; r++) { s[r] = select(0.0, gemm_a(z, min(m0 + r, mm), cq), kq < g.K); }
    let steps = min(8u, g.K - k0);
    for (var kk = 0u; kk < steps; kk++) {
      let bv = vec4f(gemm_b(z, kc, c0), gemm_b(z, kc, c1), gemm_b(z, kc, c2), gemm_b(z, kc, c3));
      for (var r = 0u; r < ROWS; r++) {
        acc[r] = fma(vec4f(subgroupShuffle(s[r], kk)), bv, acc[r]);
      }
      kc = gemm_knext(kc);
    }
  }
  var res = acc;   // read with a run-time index: the store loop stays rolled (see gemm.wgsl)
  let e = gemm_epi(z);
  for (var r = 0u; r < min(ROWS, g.M - m0); r++) {
    let v = res[r];
    for (var j = 0u; j < 4u; j++) {
      let n = n0 + j * WG;
      if (n < g.N) { gemm_out(e, m0 + r, n, v[j]); }
    }
  }
}
