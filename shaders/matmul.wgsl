// matmul.wgsl — C[z] = act(op(A[z]) · op(B[z]) + bias)
//
// Shapes: op(A) is (M, K), op(B) is (K, N), C is (batch, M, N). With trans_a, A is stored
// (K, M); with trans_b, B is stored (N, K). A rank-2 operand shared by every batch has batch
// stride 0 (stride_a / stride_b). bias is (N) when has_bias, else an unused binding.
// Epilogue act: an activation of the table in activation.wgsl (code p.act, parameters p.alpha, p.beta).
// The transposes, the bias and the activation are uniforms, not overrides: on software
// adapters every pipeline costs seconds of JIT compilation, so one pipeline serves every
// layout and epilogue (the index arithmetic picks the layout with select(), a few ALU ops per
// load; the epilogue's switch runs once per output element).
//
// Bindings: a (read), b (read), bias (read), c (read_write), Params (uniform).
// Entry points (all handle any M, N, K, including sizes that are not tile multiples):
//   matmul_naive — one thread per element of C; the reference port, kept as an oracle.
//   matmul_reg   — each thread computes a 4×4 block of C held in registers, loading its A and B
//                  values straight from memory (no workgroup memory), four k-steps per loop
//                  iteration. Loads past the edge are clamped to valid indices and their results
//                  discarded. The default on SwiftShader.
//   matmul_tiled — 64×64 tiles of C per workgroup of 256 threads (4×4 per thread), staged
//                  through workgroup memory in K-steps of 16 (gemm_tiled in gemm.wgsl); loads are
//                  laid out so that neighbouring threads read neighbouring addresses for every
//                  transpose case.
//   matmul_bcast — a workgroup covers ROWS rows × 8·WG columns; each thread keeps ROWS × 8
//                  accumulators (gemm_bcast in gemm.wgsl). Faster than matmul_reg on software
//                  adapters, which pay per lane per load.
//   (matmul_subgroup.wgsl holds matmul_sg, which shares A through subgroup shuffles.)
// Dispatch: linear workgroup id = wid.x + wid.y · nwg.x over (batch, tiles of M, tiles of N).
// The tiled, bcast and sg bodies live in gemm.wgsl / gemm_subgroup.wgsl, shared with the
// convolution's implicit GEMM (conv.wgsl); matmul supplies their accessors (matmul_common.wgsl).
// Epilogues copy the accumulators to a second array and store it in a loop with a run-time
// trip count: the loop stays rolled, so the activation is compiled once instead of once per
// accumulator (a fully unrolled 32×4 epilogue took seconds of JIT on lavapipe), while the
// accumulators themselves keep constant indices and stay in registers.
// Numerics: f32 accumulation in increasing k (deterministic); gelu and sigmoid use the
// exp(−|x|) forms that neither overflow nor cancel (gelu(x) = x·σ(2u), u = √(2/π)(x + 0.044715x³)).

override WG: u32 = 64u;

// Params, bindings, act, bias_at, a_at, b_at and the gemm accessors: matmul_common.wgsl; the
// shared GEMM bodies: gemm.wgsl (both appended by src/kernels/matmul.ts).


@compute @workgroup_size(WG)
fn matmul_naive(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                @builtin(local_invocation_index) lid: u32) {
  let idx = (wid.x + wid.y * nwg.x) * WG + lid;
  let mn = p.M * p.N;
  if (idx >= mn * p.batch) { return; }
  let z = idx / mn;
  let r = idx % mn;
  let m = r / p.N;
  let n = r % p.N;
  let ao = z * p.stride_a;
  let bo = z * p.stride_b;
  var acc = 0.0;
  for (var k = 0u; k < p.K; k++) {
    acc += a_at(ao, m, k) * b_at(bo, k, n);
  }
  c[idx] = act(acc + bias_at(n));
}

// Stores the four columns n0.. of row m that lie inside C (n0 < N is the caller's check).
fn store4(co: u32, m: u32, n0: u32, v: vec4f, bv: vec4f) {
  let o = co + m * p.N + n0;
  c[o] = act(v.x + bv.x);
  if (n0 + 1u < p.N) { c[o + 1u] = act(v.y + bv.y); }
  if (n0 + 2u < p.N) { c[o + 2u] = act(v.z + bv.z); }
  if (n0 + 3u < p.N) { c[o + 3u] = act(v.w + bv.w); }
}

// Bias of the four columns n0.. (clamped to valid columns; unused ones are never stored).
fn bias4(n0: u32) -> vec4f {
  let nm = p.N - 1u;
  return vec4f(bias_at(min(n0, nm)), bias_at(min(n0 + 1u, nm)), bias_at(min(n0 + 2u, nm)), bias_at(min(n0 + 3u, nm)));
}

// ---------------------------------------------------------------- register-blocked, 8×8 threads × 4×4

// One k-step of a 4×4 block: A at a0..a3 + ka (one address per row), B at b0..b3 + kb (per column).
fn reg_step(acc: mat4x4f, ka: u32, kb: u32, a0: u32, a1: u32, a2: u32, a3: u32,
            b0: u32, b1: u32, b2: u32, b3: u32) -> mat4x4f {
  let av = vec4f(a[a0 + ka], a[a1 + ka], a[a2 + ka], a[a3 + ka]);
  let bv = vec4f(b[b0 + kb], b[b1 + kb], b[b2 + kb], b[b3 + kb]);
  return mat4x4f(fma(vec4f(av.x), bv, acc[0]), fma(vec4f(av.y), bv, acc[1]),
                 fma(vec4f(av.z), bv, acc[2]), fma(vec4f(av.w), bv, acc[3]));
}

@compute @workgroup_size(64)
fn matmul_reg(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
              @builtin(local_invocation_index) lid: u32) {
  let t = wid.x + wid.y * nwg.x;
  let z = t / p.tiles_mn;
  if (z >= p.batch) { return; }
  let tr = t % p.tiles_mn;
  let m0 = (tr / p.tiles_n) * 32u + (lid / 8u) * 4u;
  let n0 = (tr % p.tiles_n) * 32u + (lid % 8u) * 4u;
  if (m0 >= p.M || n0 >= p.N) { return; }
  // Element (m, k) of A is a[ia(m) + k·sa] and (k, n) of B is b[ib(n) + k·sb] in either layout,
  // so a load costs one add to an address fixed per thread (rows and columns past the edge are
  // clamped to valid ones; their results are never stored).
  let ta = p.trans_a != 0u;
  let tb = p.trans_b != 0u;
  let rows = min(vec4u(m0) + vec4u(0u, 1u, 2u, 3u), vec4u(p.M - 1u));
  let cols = min(vec4u(n0) + vec4u(0u, 1u, 2u, 3u), vec4u(p.N - 1u));
  let ia = vec4u(z * p.stride_a) + select(rows * p.K, rows, ta);
  let ib = vec4u(z * p.stride_b) + select(cols, cols * p.K, tb);
  let sa = select(1u, p.M, ta);
  let sb = select(p.N, 1u, tb);
  var acc = mat4x4f();
  var ka = 0u;
  var kb = 0u;
  // Four k-steps per iteration, written out, then the rest (on SwiftShader 1.6× as fast as a rolled
  // loop computing every index in full, bench/peers).
  let k4 = p.K & ~3u;
  for (var k = 0u; k < k4; k += 4u) {
    acc = reg_step(acc, ka, kb, ia.x, ia.y, ia.z, ia.w, ib.x, ib.y, ib.z, ib.w);
    ka += sa;
    kb += sb;
    acc = reg_step(acc, ka, kb, ia.x, ia.y, ia.z, ia.w, ib.x, ib.y, ib.z, ib.w);
    ka += sa;
    kb += sb;
    acc = reg_step(acc, ka, kb, ia.x, ia.y, ia.z, ia.w, ib.x, ib.y, ib.z, ib.w);
    ka += sa;
    kb += sb;
    acc = reg_step(acc, ka, kb, ia.x, ia.y, ia.z, ia.w, ib.x, ib.y, ib.z, ib.w);
    ka += sa;
    kb += sb;
  }
  for (var k = k4; k < p.K; k++) {
    acc = reg_step(acc, ka, kb, ia.x, ia.y, ia.z, ia.w, ib.x, ib.y, ib.z, ib.w);
    ka += sa;
    kb += sb;
  }
  let co = z * p.M * p.N;
  let bv = bias4(n0);
  // Read with a run-time index below (see "Epilogues" in the header).
  var res = array<vec4f, 4>(acc[0], acc[1], acc[2], acc[3]);
  for (var i = 0u; i < min(4u, p.M - m0); i++) { store4(co, m0 + i, n0, res[i], bv); }
}

// ---------------------------------------------------------------- workgroup-memory tiles, 64×64, BK 16

@compute @workgroup_size(256)
fn matmul_tiled(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                @builtin(local_invocation_index) lid: u32) {
  gemm_tiled(mm_gemm(), wid.x + wid.y * nwg.x, lid);
}

// ---------------------------------------------------------------- broadcast rows, ROWS × 8 per thread

override ROWS: u32 = 8u;   // ≤ 8

@compute @workgroup_size(WG)
fn matmul_bcast(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                @builtin(local_invocation_index) lid: u32) {
  gemm_bcast(mm_gemm(), wid.x + wid.y * nwg.x, lid);
}
