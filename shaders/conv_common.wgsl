// conv_common.wgsl — what conv.wgsl and conv_subgroup.wgsl share: Params, the bindings, and the
// accessors through which gemm.wgsl's bodies run the convolution as implicit GEMM (see conv.wgsl's
// header for the three GEMMs), and the epilogue's act(). src/kernels/conv.ts appends it to
// each, then activation.wgsl and gemm.wgsl.
//
// Cursors. gemm_kcur(z, k) decodes a reduction index once (divisions); gemm_knext steps it with
// compares and adds only, since the bodies' k loops are sequential:
//   MODE 0 (k = (c, r, s)): i = c, u = r, v = s, dh = r·dil_h, dw = s·dil_w, off = c·H·W (into
//          x), off2 = k (into the weight row)
//   MODE 1 (k = (kk, r, s)): i = kk, u = r, v = s; r·dil_h = dh·stride_h + rh (quotient and
//          remainder, stepped with the host's dil / stride and dil mod stride), likewise dw, rw;
//          off = kk·OH·OW (into dy), off2 = ((g·Kg + kk)·Cg)·R·S + r·S + s (into the weights)
//   MODE 2 (k = (n, oh, ow)): i = n, u = oh, v = ow, dh = oh·stride_h − pad_h, dw = ow·stride_w − pad_w,
//          off = n·C·H·W (into x), off2 = (n·K + g·Kg)·OH·OW + oh·OW + ow (into dy)
// Columns. gemm_ncol(z, n) decodes a column once per thread into NCol:
//   MODE 0 n = (img, oh, ow): base = (img·C + g·Cg)·H·W, dh = oh·stride_h − pad_h, dw likewise
//   MODE 1 n = (img, h, w):   base = (img·K + g·Kg)·OH·OW; h + pad_h = dh·stride_h + rh, likewise
//                             dw, rw
//   MODE 2 n = (c, r, s):     base = (g·Cg + c)·H·W, dh = r·dil_h, dw = s·dil_w
// A patch element is x[off + base + ih·W + iw] with ih = dh(k) + dh(n) (MODE 0 and 2). MODE 1
// needs h + pad_h − r·dil_h = oh·stride_h: it holds exactly when the remainders agree, and then
// oh = dh(n) − dh(k), so its loads divide nothing either. Loads in the padding read element 0
// and are replaced by 0 (select: no branch per lane, no read out of bounds). The bounds tests
// combine with `&`, not `&&`: WGSL's `&&` short-circuits, so it compiles to branches, and eight
// inlined loads per k-step of such branches took SwiftShader minutes and gigabytes to compile.

struct Params {
  N: u32, C: u32, H: u32, W: u32,
  K: u32, R: u32, S: u32, G: u32,
  OH: u32, OW: u32, stride_h: u32, stride_w: u32,
  pad_h: u32, pad_w: u32, dil_h: u32, dil_w: u32,
  gm: u32, gn: u32, gk: u32, tiles_n: u32,
  tiles_mn: u32, has_bias: u32, act: u32, alpha: f32,
  beta: f32, dq_h: u32, dr_h: u32, dq_w: u32,   // dil_h / stride_h, dil_h mod stride_h, …
  dr_w: u32, pad0: u32, pad1: u32, pad2: u32,
}

@group(0) @binding(0) var<storage, read> in0: array<f32>;
@group(0) @binding(1) var<storage, read> in1: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

// The forward epilogue's activation: the activation table's function p.act (activation.wgsl,
// appended too), with its parameters alpha and beta.
fn act(v: f32) -> f32 { return act_f(p.act, v, p.alpha, p.beta); }

fn cg() -> u32 { return p.C / p.G; }
fn kg() -> u32 { return p.K / p.G; }
fn hw() -> u32 { return p.H * p.W; }
fn ohw() -> u32 { return p.OH * p.OW; }
fn rs() -> u32 { return p.R * p.S; }

fn bias_at(k: u32) -> f32 {
  if (p.has_bias != 0u) { return bias[k]; }
  return 0.0;
}

// x[off] when (ih, iw) lies inside the image, else 0 (padding).
fn x_at(off: u32, ih: i32, iw: i32) -> f32 {
  let ok = (bitcast<u32>(ih) < p.H) & (bitcast<u32>(iw) < p.W);
  let v = in0[select(0u, off + bitcast<u32>(ih) * p.W + bitcast<u32>(iw), ok)];
  return select(0.0, v, ok);
}

// ---------------------------------------------------------------- accessors of gemm.wgsl's bodies

struct KCur { i: u32, u: u32, v: u32, off: u32, off2: u32, dh: i32, dw: i32, rh: u32, rw: u32 }
struct NCol { base: u32, dh: i32, dw: i32, rh: u32, rw: u32 }

fn gemm_kcur(z: u32, k: u32) -> KCur {
  if (MODE == 2u) {
    let n = k / ohw();
    let q = k % ohw();
    let oh = q / p.OW;
    let ow = q % p.OW;
    return KCur(n, oh, ow, n * p.C * hw(), (n * p.K + z * kg()) * ohw() + q,
                i32(oh * p.stride_h) - i32(p.pad_h), i32(ow * p.stride_w) - i32(p.pad_w), 0u, 0u);
  }
  let i = k / rs();
  let t = k % rs();
  let r = t / p.S;
  let s = t % p.S;
  if (MODE == 1u) {
    let th = r * p.dil_h;
    let tw = s * p.dil_w;
    return KCur(i, r, s, i * ohw(), (z * kg() + i) * cg() * rs() + t,
                i32(th / p.stride_h), i32(tw / p.stride_w), th % p.stride_h, tw % p.stride_w);
  }
  return KCur(i, r, s, i * hw(), k, i32(r * p.dil_h), i32(s * p.dil_w), 0u, 0u);
}

// (quotient, remainder) of q·stride + r plus d·stride + e, with r, e < stride.
fn qr_add(q: i32, r: u32, d: u32, e: u32, stride: u32) -> vec2i {
  let t = r + e;
  let carry = t >= stride;
  return vec2i(q + i32(d) + select(0, 1, carry), i32(select(t, t - stride, carry)));
}

fn gemm_knext(c: KCur) -> KCur {
  var n = c;
  n.v += 1u;
  n.off2 += 1u;
  if (MODE == 2u) {
    n.dw += i32(p.stride_w);
    if (n.v == p.OW) {
      n.v = 0u;
      n.dw = -i32(p.pad_w);
      n.u += 1u;
      n.dh += i32(p.stride_h);
      if (n.u == p.OH) {
        n.u = 0u;
        n.dh = -i32(p.pad_h);
        n.i += 1u;
        n.off += p.C * hw();
        n.off2 += (p.K - 1u) * ohw();
      }
    }
    return n;
  }
  if (MODE == 1u) {
    let w = qr_add(n.dw, n.rw, p.dq_w, p.dr_w, p.stride_w);
    n.dw = w.x;
    n.rw = u32(w.y);
  } else {
    n.dw += i32(p.dil_w);
  }
  if (n.v == p.S) {
    n.v = 0u;
    n.dw = 0;
    n.rw = 0u;
    n.u += 1u;
    if (MODE == 1u) {
      let h = qr_add(n.dh, n.rh, p.dq_h, p.dr_h, p.stride_h);
      n.dh = h.x;
      n.rh = u32(h.y);
    } else {
      n.dh += i32(p.dil_h);
    }
    if (n.u == p.R) {
      n.u = 0u;
      n.dh = 0;
      n.rh = 0u;
      n.i += 1u;
      if (MODE == 1u) {
        n.off += ohw();
        n.off2 += (cg() - 1u) * rs();
      } else {
        n.off += hw();
      }
    }
  }
  return n;
}

fn gemm_ncol(z: u32, n: u32) -> NCol {
  if (MODE == 2u) {
    let c = n / rs();
    let t = n % rs();
    return NCol((z * cg() + c) * hw(), i32((t / p.S) * p.dil_h), i32((t % p.S) * p.dil_w), 0u, 0u);
  }
  if (MODE == 1u) {
    let img = n / hw();
    let q = n % hw();
    let th = q / p.W + p.pad_h;
    let tw = q % p.W + p.pad_w;
    return NCol((img * p.K + z * kg()) * ohw(), i32(th / p.stride_h), i32(tw / p.stride_w), th % p.stride_h,
      tw % p.stride_w);
  }
  let img = n / ohw();
  let q = n % ohw();
  return NCol((img * p.C + z * cg()) * hw(), i32((q / p.OW) * p.stride_h) - i32(p.pad_h),
              i32((q % p.OW) * p.stride_w) - i32(p.pad_w), 0u, 0u);
}

fn gemm_a(z: u32, m: u32, c: KCur) -> f32 {
  if (MODE == 0u) { return in1[(z * kg() + m) * cg() * rs() + c.off2]; }
  if (MODE == 1u) { return in1[c.off2 + m * rs()]; }
  // MODE 3: the weight transposed and flipped, w[z·cg + i, m, R − 1 − u, S − 1 − v] (cg, kg of the
  // flipped geometry: the original Kg and Cg).
  if (MODE == 3u) { return in1[((z * cg() + c.i) * kg() + m) * rs() + rs() - 1u - c.u * p.S - c.v]; }
  return in1[c.off2 + m * ohw()];
}

fn gemm_b(z: u32, c: KCur, col: NCol) -> f32 {
  if (MODE != 1u) { return x_at(c.off + col.base, c.dh + col.dh, c.dw + col.dw); }
  // dy[oh, ow] where h + pad_h − r·dil_h = oh·stride_h (likewise w): the remainders agree.
  let oh = col.dh - c.dh;
  let ow = col.dw - c.dw;
  let ok = (col.rh == c.rh) & (col.rw == c.rw) & (bitcast<u32>(oh) < p.OH) & (bitcast<u32>(ow) < p.OW);
  let v = in0[select(0u, col.base + c.off + bitcast<u32>(oh) * p.OW + bitcast<u32>(ow), ok)];
  return select(0.0, v, ok);
}

struct Epi { z: u32, K: u32, C: u32, kg: u32, cg: u32, hw: u32, ohw: u32, crs: u32, has_bias: bool, act: u32,
  alpha: f32, beta: f32 }
fn gemm_epi(z: u32) -> Epi {
  return Epi(z, p.K, p.C, kg(), cg(), hw(), ohw(), cg() * rs(), p.has_bias != 0u, p.act, p.alpha, p.beta);
}

fn gemm_out(e: Epi, m: u32, n: u32, v: f32) {
  if (MODE == 0u || MODE == 3u) {
    let k = e.z * e.kg + m;
    var r = v;
    if (e.has_bias) { r += bias[k]; }
    r = act_f(e.act, r, e.alpha, e.beta);
    out[((n / e.ohw) * e.K + k) * e.ohw + n % e.ohw] = r;
  } else if (MODE == 1u) {
    out[((n / e.hw) * e.C + e.z * e.cg + m) * e.hw + n % e.hw] = v;
  } else {
    out[(e.z * e.kg + m) * e.crs + n] = v;
  }
}

// The GEMM of this MODE (sizes from the host; batch = groups). Tile loads: only MODE 2's B (patches
// transposed) has neighbouring addresses along k.
fn conv_gemm() -> Gemm {
  return Gemm(p.gm, p.gn, p.gk, p.G, p.tiles_n, p.tiles_mn, false, MODE == 2u);
}
