// gemm.wgsl — the register-blocked GEMM bodies that matmul and convolution share:
//   C[z] = op(A[z]) · op(B[z]),  op(A) (M, K), op(B) (K, N), z < batch,
// with every load and store going through accessors that the family defines, so one body serves
// a plain matrix product (matmul.wgsl) and a convolution as implicit GEMM whose B is the patch
// matrix read straight from the image (conv.wgsl): the same blocking, loads and accumulation
// order, no copy of the kernel. src/kernels/{matmul,conv}.ts append this file to the family's
// source (after its own shared part), so compile errors keep the family's line numbers.
//
// The family defines (all inlined by the compiler):
//   KCur, gemm_kcur(z, k) -> KCur   a cursor at position k of the reduction (may divide: used
//                                   once per strip or tile load)
//   gemm_knext(c: KCur) -> KCur     the cursor at k + 1 (cheap: the k loops step with it)
//   NCol, gemm_ncol(z, n) -> NCol   what a load of column n needs, computed once per column
//   gemm_a(z, m, c: KCur) -> f32    op(A)[z][m, k]           (m < M, k < K: callers clamp)
//   gemm_b(z, c: KCur, col) -> f32  op(B)[z][k, n]
//   Epi, gemm_epi(z) -> Epi         what the epilogue reads from the uniforms, read once per thread
//                                   before its stores (after a store to a storage buffer the
//                                   compiler must assume a uniform may have changed, and reloads it)
//   gemm_out(e: Epi, m, n, v)       the epilogue: store C[z][m, n] from the accumulator v
//   override WG (threads per workgroup) and ROWS (rows per workgroup of gemm_bcast and gemm_sg).
// For matmul KCur and NCol are plain indices; for a convolution they carry offsets and the
// tap's displacement, so the k loops never divide.
//
// Bodies (t = linear workgroup id over (batch, tiles of M, tiles of N), lid = local index):
//   gemm_bcast(g, t, lid) — a workgroup covers ROWS rows × 8·WG columns; each thread keeps
//                 ROWS × 8 accumulators. A's values at a k-step are the same for the whole
//                 workgroup, so each B load feeds ROWS multiply-adds and each A load eight.
//   gemm_tiled(g, t, lid) — 64×64 tiles per workgroup of 256 threads (4×4 per thread), staged
//                 through workgroup memory in k-steps of 16; g.a_by_m / g.b_by_k pick which
//                 index neighbouring threads take when loading a tile, so that they read
//                 neighbouring addresses.
//   (gemm_subgroup.wgsl: gemm_sg, which hands A round with subgroup shuffles.)
// Epilogues copy the accumulators to a second array and store in loops with run-time trip
// counts: the loops stay rolled, so the epilogue (an activation's switch) is compiled once, not
// once per accumulator (an unrolled 32×4 epilogue took seconds of JIT on lavapipe).
// Numerics: f32 fma in increasing k (deterministic).

struct Gemm {
  M: u32, N: u32, K: u32, batch: u32,
  tiles_n: u32, tiles_mn: u32,
  // Tile loads of A: neighbouring threads take neighbouring m (else k); of B: k (else n).
  a_by_m: bool, b_by_k: bool,
}

// ---------------------------------------------------------------- broadcast rows, ROWS × 8 per thread

fn gemm_bcast(g: Gemm, t: u32, lid: u32) {
  let z = t / g.tiles_mn;
  if (z >= g.batch) { return; }
  let tr = t % g.tiles_mn;
  let m0 = (tr / g.tiles_n) * ROWS;
  let n0 = (tr % g.tiles_n) * (WG * 8u) + lid * 8u;
  let mm = g.M - 1u;
  let nm = g.N - 1u;
  var cj: array<NCol, 8>;   // columns past N are clamped to valid ones; their results are never stored
  for (var j = 0u; j < 8u; j++) { cj[j] = gemm_ncol(z, min(n0 + j, nm)); }
  var acc: array<vec4f, 16>;   // row r: acc[2r] columns 0..3, acc[2r + 1] columns 4..7
  var kc = gemm_kcur(z, 0u);
  for (var k = 0u; k < g.K; k++) {
    let b0 = vec4f(gemm_b(z, kc, cj[0]), gemm_b(z, kc, cj[1]), gemm_b(z, kc, cj[2]), gemm_b(z, kc, cj[3]));
    let b1 = vec4f(gemm_b(z, kc, cj[4]), gemm_b(z, kc, cj[5]), gemm_b(z, kc, cj[6]), gemm_b(z, kc, cj[7]));
    for (var r = 0u; r < ROWS; r++) {
      let av = vec4f(gemm_a(z, min(m0 + r, mm), kc));
      acc[2u * r] = fma(av, b0, acc[2u * r]);
      acc[2u * r + 1u] = fma(av, b1, acc[2u * r + 1u]);
    }
    kc = gemm_knext(kc);
  }
  if (n0 >= g.N) { return; }
  var res = acc;   // read with a run-time index below (see "Epilogues" in the header)
  let e = gemm_epi(z);
  for (var r = 0u; r < min(ROWS, g.M - m0); r++) {
    for (var j = 0u; j < min(8u, g.N - n0); j++) {
      gemm_out(e, m0 + r, n0 + j, res[2u * r + j / 4u][j % 4u]);
    }
  }
}

// ---------------------------------------------------------------- workgroup-memory tiles, 64×64, BK 16

const TS: u32 = 64u;
const BK: u32 = 16u;
var<workgroup> As: array<f32, 1024>;   // [BK][TS]: As[k * TS + m]
var<workgroup> Bs: array<f32, 1024>;   // [BK][TS]: Bs[k * TS + n]

fn gemm_tiled(g: Gemm, t: u32, lid: u32) {
  let z = t / g.tiles_mn;               // uniform across the workgroup
  let live = z < g.batch;
  let tr = t % g.tiles_mn;
  let tm = (tr / g.tiles_n) * TS;
  let tn = (tr % g.tiles_n) * TS;
  let tx = lid % 16u;
  let ty = lid / 16u;
  var acc: array<vec4f, 4>;
  for (var k0 = 0u; k0 < g.K; k0 += BK) {
    for (var r = 0u; r < 4u; r++) {
      let e = lid + r * 256u;
      let ml = select(e / BK, e % TS, g.a_by_m);
      let kl = select(e % BK, e / TS, g.a_by_m);
      let gm = tm + ml; let gk = k0 + kl;
      var av = 0.0;
      if (live && gm < g.M && gk < g.K) { av = gemm_a(z, gm, gemm_kcur(z, gk)); }
      As[kl * TS + ml] = av;
      let nl = select(e % TS, e / BK, g.b_by_k);
      let kb = select(e / TS, e % BK, g.b_by_k);
      let gn = tn + nl; let gkb = k0 + kb;
      var bv = 0.0;
      if (live && gn < g.N && gkb < g.K) { bv = gemm_b(z, gemm_kcur(z, gkb), gemm_ncol(z, gn)); }
      Bs[kb * TS + nl] = bv;
    }
    workgroupBarrier();
    for (var k = 0u; k < BK; k++) {
      let av = vec4f(As[k * TS + ty], As[k * TS + ty + 16u], As[k * TS + ty + 32u], As[k * TS + ty + 48u]);
      let bv = vec4f(Bs[k * TS + tx], Bs[k * TS + tx + 16u], Bs[k * TS + tx + 32u], Bs[k * TS + tx + 48u]);
      acc[0] = fma(vec4f(av.x), bv, acc[0]);
      acc[1] = fma(vec4f(av.y), bv, acc[1]);
      acc[2] = fma(vec4f(av.z), bv, acc[2]);
      acc[3] = fma(vec4f(av.w), bv, acc[3]);
    }
    workgroupBarrier();
  }
  if (!live || tm + ty >= g.M) { return; }
  var res = acc;   // read with a run-time index below (see "Epilogues" in the header)
  let e = gemm_epi(z);
  for (var i = 0u; i < min(4u, (g.M - tm - ty + 15u) / 16u); i++) {
    let v = res[i];
    for (var j = 0u; j < 4u; j++) {
      let n = tn + tx + 16u * j;
      if (n < g.N) { gemm_out(e, tm + ty + 16u * i, n, v[j]); }
    }
  }
}
