// conv.wgsl — 2-D convolution (NCHW, PyTorch semantics: cross-correlation, zero padding), forward
// and backward, as implicit GEMM on the matmul kernels' bodies and as direct loops.
//
//   y[n, k, oh, ow] = act(bias[k] + Σ_{c<Cg, r<R, s<S} w[k, c, r, s] · x[n, g·Cg + c, ih, iw])
//       ih = oh·stride_h − pad_h + r·dil_h, iw = ow·stride_w − pad_w + s·dil_w, g = ⌊k / Kg⌋,
//       x = 0 outside [0, H) × [0, W)
//   dx[n, g·Cg + c, ih, iw] = Σ_{kk<Kg, r, s} w[g·Kg + kk, c, r, s] · dy[n, g·Kg + kk, oh, ow]
//       over the taps where ih + pad_h − r·dil_h = oh·stride_h with 0 ≤ oh < OH (likewise iw)
//   dw[k, c, r, s] = Σ_{n, oh, ow} dy[n, k, oh, ow] · x[n, g·Cg + c, ih, iw]
//   db[k] = Σ_{n, oh, ow} dy[n, k, oh, ow]
// Shapes: x (N, C, H, W), w (K, Cg, R, S), bias (K), y and dy (N, K, OH, OW); G groups, Cg = C/G,
// Kg = K/G. pad_h and pad_w are the top and left padding: the bottom and right padding only set
// OH and OW (so PyTorch's padding='same' with an even kernel, extra row at the bottom, is covered).
// Epilogue act (forward only): an activation of the table in activation.wgsl (code p.act,
// parameters p.alpha, p.beta).
//
// Implicit GEMM, one per group (batch = G); the patch matrix is never written to memory — B's
// loads gather from the image through the accessors of conv_common.wgsl:
//   MODE 0 forward:         M = Kg, N = N·OH·OW, K = Cg·R·S;  A = weight rows, B = patches of x
//   MODE 1 backward input:  M = Cg, N = N·H·W,   K = Kg·R·S;  A = weights per tap, B = dy gathered
//   MODE 2 backward weight: M = Kg, N = Cg·R·S,  K = N·OH·OW; A = dy,  B = patches of x, transposed
//   MODE 3 backward input at stride 1, as MODE 0 on dy: the host swaps C with K and (H, W) with
//          (OH, OW) and pads by dil·(R − 1) − pad (when that is not negative); A reads the weights
//          transposed and flipped (w[g·Kg + kk, c, R − 1 − r, S − 1 − s]), so B's loads are the
//          forward's patch gathers, without MODE 1's remainder tests
// Columns span the whole batch, so small images still fill the column tiles. MODE is an override:
// each direction is its own pipeline and the accessors' branches on it fold away.
//
// Bindings: in0 (read), in1 (read), bias (read), out (read_write), Params (uniform).
//   forward: in0 = x, in1 = w, bias (any buffer when has_bias = 0), out = y
//   backward input: in0 = dy, in1 = w, out = dx; backward weight: in0 = x, in1 = dy, out = dw;
//   bias gradient: in0 = dy, out = db. Unused bindings take any buffer.
// Entry points (all handle any size; dispatch: linear workgroup id = wid.x + wid.y · nwg.x):
//   conv2d_naive    — forward, one thread per output element, direct loops over (c, r, s) as in
//                     src/ref/conv.ts: the reference variant, kept as an oracle.
//   conv2d_dx_naive — backward input, one thread per input element gathering the taps that read
//                     it (no atomics, fixed order).
//   conv2d_dw_naive — backward weight, one thread per weight element, loops over (n, oh, ow).
//   conv2d_db       — bias gradient, one workgroup per output channel: strided partial sums then
//                     wg_reduce (common.wgsl), a fixed order.
//   conv2d_bcast    — the MODE's GEMM on gemm_bcast (ROWS rows × 8·WG columns per workgroup).
//   conv2d_tiled    — the MODE's GEMM on gemm_tiled (64×64 tiles through workgroup memory).
//   (conv_subgroup.wgsl: conv2d_sg on gemm_sg.)
// Numerics: f32 accumulation in a fixed order (deterministic). Appended by src/kernels/conv.ts:
// conv_common.wgsl (Params, bindings, act, accessors), activation.wgsl, gemm.wgsl (bodies) and
// common.wgsl (wg_reduce).

override WG: u32 = 64u;
override ROWS: u32 = 8u;    // ≤ 8 (gemm_bcast)
override MODE: u32 = 0u;    // 0 forward, 1 backward input, 2 backward weight, 3 input at stride 1

fn lin(wid: vec3u, nwg: vec3u, lid: u32) -> u32 { return (wid.x + wid.y * nwg.x) * WG + lid; }

@compute @workgroup_size(WG)
fn conv2d_naive(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                @builtin(local_invocation_index) lid: u32) {
  let idx = lin(wid, nwg, lid);
  if (idx >= p.N * p.K * ohw()) { return; }
  let q = idx % ohw();
  let k = (idx / ohw()) % p.K;
  let n = idx / (ohw() * p.K);
  let oh = q / p.OW;
  let ow = q % p.OW;
  let g = k / kg();
  var acc = 0.0;
  for (var c = 0u; c < cg(); c++) {
    let xo = (n * p.C + g * cg() + c) * hw();
    let wo = (k * cg() + c) * rs();
    for (var r = 0u; r < p.R; r++) {
      let ih = i32(oh * p.stride_h + r * p.dil_h) - i32(p.pad_h);
      for (var s = 0u; s < p.S; s++) {
        let iw = i32(ow * p.stride_w + s * p.dil_w) - i32(p.pad_w);
        acc = fma(in1[wo + r * p.S + s], x_at(xo, ih, iw), acc);
      }
    }
  }
  out[idx] = act(acc + bias_at(k));
}

@compute @workgroup_size(WG)
fn conv2d_dx_naive(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                   @builtin(local_invocation_index) lid: u32) {
  let idx = lin(wid, nwg, lid);
  if (idx >= p.N * p.C * hw()) { return; }
  let q = idx % hw();
  let ci = (idx / hw()) % p.C;
  let n = idx / (hw() * p.C);
  let g = ci / cg();
  let c = ci % cg();
  let th0 = q / p.W + p.pad_h;
  let tw0 = q % p.W + p.pad_w;
  var acc = 0.0;
  for (var kk = 0u; kk < kg(); kk++) {
    let k = g * kg() + kk;
    for (var r = 0u; r < p.R; r++) {
      let th = i32(th0) - i32(r * p.dil_h);
      let oh = u32(th) / p.stride_h;
      if (th < 0 || oh * p.stride_h != u32(th) || oh >= p.OH) { continue; }
      for (var s = 0u; s < p.S; s++) {
        let tw = i32(tw0) - i32(s * p.dil_w);
        let ow = u32(tw) / p.stride_w;
        if (tw < 0 || ow * p.stride_w != u32(tw) || ow >= p.OW) { continue; }
        acc = fma(in1[((k * cg() + c) * p.R + r) * p.S + s], in0[((n * p.K + k) * p.OH + oh) * p.OW + ow], acc);
      }
    }
  }
  out[idx] = acc;
}

@compute @workgroup_size(WG)
fn conv2d_dw_naive(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                   @builtin(local_invocation_index) lid: u32) {
  let idx = lin(wid, nwg, lid);
  if (idx >= p.K * cg() * rs()) { return; }
  let t = idx % rs();
  let c = (idx / rs()) % cg();
  let k = idx / (rs() * cg());
  let g = k / kg();
  let dh = i32((t / p.S) * p.dil_h) - i32(p.pad_h);
  let dw = i32((t % p.S) * p.dil_w) - i32(p.pad_w);
  var acc = 0.0;
  for (var n = 0u; n < p.N; n++) {
    let xo = (n * p.C + g * cg() + c) * hw();
    let yo = (n * p.K + k) * ohw();
    for (var oh = 0u; oh < p.OH; oh++) {
      let ih = i32(oh * p.stride_h) + dh;
      for (var ow = 0u; ow < p.OW; ow++) {
        acc = fma(in1[yo + oh * p.OW + ow], x_at(xo, ih, i32(ow * p.stride_w) + dw), acc);
      }
    }
  }
  out[idx] = acc;
}

@compute @workgroup_size(WG)
fn conv2d_db(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
             @builtin(local_invocation_index) lid: u32) {
  let k = wid.x + wid.y * nwg.x;   // uniform across the workgroup
  var acc = 0.0;
  if (k < p.K) {
    for (var i = lid; i < p.N * ohw(); i += WG) { acc += in0[((i / ohw()) * p.K + k) * ohw() + i % ohw()]; }
  }
  let total = wg_reduce(lid, acc, false);
  if (k < p.K && lid == 0u) { out[k] = total; }
}

@compute @workgroup_size(WG)
fn conv2d_bcast(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                @builtin(local_invocation_index) lid: u32) {
  gemm_bcast(conv_gemm(), wid.x + wid.y * nwg.x, lid);
}

@compute @workgroup_size(256)
fn conv2d_tiled(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                @builtin(local_invocation_index) lid: u32) {
  gemm_tiled(conv_gemm(), wid.x + wid.y * nwg.x, lid);
}
