// pool.wgsl — 2-D max, average and adaptive average pooling (NCHW, PyTorch semantics), forward
// and backward.
//
// Shapes: x and dx (P, H, W), y and dy (P, OH, OW), P = N·C planes pooled alone. Window (oh, ow)
// covers rows oh·stride_h − pad_h + i·dil_h (i < kh) and columns likewise; positions outside
// the input are padding. The host computes OH and OW (PyTorch's formula, ceil_mode included).
//   max:      y = the window's largest element, padding excluded. Ties go to the first element in
//             row-major order; a NaN wins over any number and a later NaN over an earlier one
//             (PyTorch's `v > max || isnan(v)` scan from −∞ at the window's first element).
//   avg:      y = Σ window / divisor over the window clipped to the input; the divisor counts the
//             window clipped to the padded input (H + pad_h rows) when count_include_pad, else
//             the input elements only; 0 for a window with no input element. No dilation.
//   adaptive: output oh averages rows ⌊oh·H/OH⌋ … ⌈(oh+1)·H/OH⌉ − 1, likewise columns.
// Backward passes gather, without atomics: each input element visits the windows that cover it
// (for i < kh: oh = (ih + pad_h − i·dil_h) / stride_h when that divides exactly), in increasing
// (oh, ow), and adds what each sends it — max: dy when the window's argmax (recomputed from x by
// the same scan) is this element; avg and adaptive: dy / divisor.
//
// Bindings: in0 (read), in1 (read), out (read_write), Params (uniform).
//   forward: in0 = x, out = y; max backward: in0 = x, in1 = dy, out = dx; max select: in0 = x,
//   in1 = h (shaped like x), out = y; avg and adaptive backward: in0 = dy, out = dx. Unused
//   bindings take any buffer.
// Entry points, one thread per output element (dispatch: linear workgroup id wid.x + wid.y·nwg.x):
//   max_pool2d, max_pool2d_backward, max_pool2d_backward_disjoint (windows that do not overlap,
//   stride ≥ dil·(k − 1) + 1 on both axes: one thread per stride_h × stride_w cell of the input,
//   which holds at most one window; the same result as max_pool2d_backward, bit for bit, with one
//   scan per window instead of one per element and candidate window), max_pool2d_select (h at
//   each window's argmax of x: the backward's adjoint, for second derivatives), avg_pool2d,
//   avg_pool2d_backward, adaptive_avg_pool2d, adaptive_avg_pool2d_backward.
// NaN is detected from the bits (WGSL lets implementations assume no NaN in comparisons), and
// the maximum is stored by copying the argmax element, so a NaN keeps its payload.

override WG: u32 = 64u;

struct Params {
  P: u32, H: u32, W: u32, OH: u32,
  OW: u32, kh: u32, kw: u32, stride_h: u32,
  stride_w: u32, pad_h: u32, pad_w: u32, dil_h: u32,
  dil_w: u32, count_include_pad: u32, pad0: u32, pad1: u32,
}

@group(0) @binding(0) var<storage, read> in0: array<f32>;
@group(0) @binding(1) var<storage, read> in1: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

fn lin(wid: vec3u, nwg: vec3u, lid: u32) -> u32 { return (wid.x + wid.y * nwg.x) * WG + lid; }

fn is_nan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }

// Index within the plane of window (oh, ow)'s maximum of the plane at `base`; −1 if it has no
// element. Starting from the first element is PyTorch's start from −∞ at that element.
fn max_arg(base: u32, oh: u32, ow: u32) -> i32 {
  var best = 0.0;
  var arg = -1;
  var nan = false;
  for (var i = 0u; i < p.kh; i++) {
    let ih = i32(oh * p.stride_h + i * p.dil_h) - i32(p.pad_h);
    if (ih < 0 || ih >= i32(p.H)) { continue; }
    for (var j = 0u; j < p.kw; j++) {
      let iw = i32(ow * p.stride_w + j * p.dil_w) - i32(p.pad_w);
      if (iw < 0 || iw >= i32(p.W)) { continue; }
      let at = ih * i32(p.W) + iw;
      let v = in0[base + u32(at)];
      if (is_nan(v)) {
        nan = true;
        arg = at;
      } else if (arg < 0 || (!nan && v > best)) {
        best = v;
        arg = at;
      }
    }
  }
  return arg;
}

@compute @workgroup_size(WG)
fn max_pool2d(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
              @builtin(local_invocation_index) lid: u32) {
  let idx = lin(wid, nwg, lid);
  let o = p.OH * p.OW;
  if (idx >= p.P * o) { return; }
  let base = (idx / o) * p.H * p.W;
  let a = max_arg(base, (idx % o) / p.OW, idx % p.OW);
  out[idx] = in0[base + u32(max(a, 0))];   // every window holds an element (the host checks the geometry)
}

// y = h at each window's argmax of x (h shaped like x): the adjoint of max_pool2d_backward.
@compute @workgroup_size(WG)
fn max_pool2d_select(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                     @builtin(local_invocation_index) lid: u32) {
  let idx = lin(wid, nwg, lid);
  let o = p.OH * p.OW;
  if (idx >= p.P * o) { return; }
  let base = (idx / o) * p.H * p.W;
  let a = max_arg(base, (idx % o) / p.OW, idx % p.OW);
  out[idx] = in1[base + u32(max(a, 0))];
}

// With windows that do not overlap: one thread per cell of stride_h × stride_w input elements,
// cell (ch, cw) starting at row ch·stride_h − pad_h and column cw·stride_w − pad_w (CH = pad0
// rows and CW = pad1 columns of cells cover the input). Window (ch, cw), when it exists, lies
// inside its cell, and no other window touches the cell: the thread finds the argmax once and
// writes every element of the cell, dy at the argmax and 0 elsewhere (cells past the last
// window row or column: zeros). One scan per window instead of one per element; the sizes are
// read before the stores (after a store the compiler would reload them).
@compute @workgroup_size(WG)
fn max_pool2d_backward_disjoint(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                                @builtin(local_invocation_index) lid: u32) {
  let idx = lin(wid, nwg, lid);
  let cw_n = p.pad1;
  let cells = p.pad0 * cw_n;
  if (idx >= p.P * cells) { return; }
  let pl = idx / cells;
  let ch = (idx % cells) / cw_n;
  let cw = idx % cw_n;
  let H = i32(p.H);
  let W = i32(p.W);
  let base = pl * p.H * p.W;
  var arg = -1;
  var d = 0.0;
  if (ch < p.OH && cw < p.OW) {
    arg = max_arg(base, ch, cw);
    d = in1[(pl * p.OH + ch) * p.OW + cw];
  }
  let h0 = i32(ch * p.stride_h) - i32(p.pad_h);
  let w0 = i32(cw * p.stride_w) - i32(p.pad_w);
  let h1 = min(h0 + i32(p.stride_h), H);
  let w1 = min(w0 + i32(p.stride_w), W);
  for (var ih = max(h0, 0); ih < h1; ih++) {
    for (var iw = max(w0, 0); iw < w1; iw++) {
      let at = ih * W + iw;
      out[base + u32(at)] = select(0.0, d, at == arg);
    }
  }
}

// The first window row (in increasing oh) covering input row ih, and whether tap i covers it:
// oh = (ih + pad − i·dil) / stride when that is a non-negative integer below `limit`.
fn window_of(ih: u32, i: u32, pad: u32, dil: u32, stride: u32, limit: u32) -> i32 {
  let t = i32(ih + pad) - i32(i * dil);
  if (t < 0) { return -1; }
  let o = u32(t) / stride;
  if (o * stride != u32(t) || o >= limit) { return -1; }
  return i32(o);
}

@compute @workgroup_size(WG)
fn max_pool2d_backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                       @builtin(local_invocation_index) lid: u32) {
  let idx = lin(wid, nwg, lid);
  let hw = p.H * p.W;
  if (idx >= p.P * hw) { return; }
  let pl = idx / hw;
  let me = i32(idx % hw);
  let ih = u32(me) / p.W;
  let iw = u32(me) % p.W;
  var acc = 0.0;
  // Taps from the last to the first: windows in increasing oh, then ow.
  for (var i = p.kh; i > 0u; i--) {
    let oh = window_of(ih, i - 1u, p.pad_h, p.dil_h, p.stride_h, p.OH);
    if (oh < 0) { continue; }
    for (var j = p.kw; j > 0u; j--) {
      let ow = window_of(iw, j - 1u, p.pad_w, p.dil_w, p.stride_w, p.OW);
      if (ow < 0) { continue; }
      if (max_arg(pl * hw, u32(oh), u32(ow)) == me) { acc += in1[(pl * p.OH + u32(oh)) * p.OW + u32(ow)]; }
    }
  }
  out[idx] = acc;
}

// The window of (oh, ow) clipped to the input, as (h0, h1, w0, w1), and its divisor.
struct AvgWin { h0: i32, h1: i32, w0: i32, w1: i32, div: f32 }

fn avg_window(oh: u32, ow: u32) -> AvgWin {
  var h0 = i32(oh * p.stride_h) - i32(p.pad_h);
  var w0 = i32(ow * p.stride_w) - i32(p.pad_w);
  var h1 = min(h0 + i32(p.kh), i32(p.H + p.pad_h));
  var w1 = min(w0 + i32(p.kw), i32(p.W + p.pad_w));
  let padded = (h1 - h0) * (w1 - w0);
  h0 = max(h0, 0);
  w0 = max(w0, 0);
  h1 = min(h1, i32(p.H));
  w1 = min(w1, i32(p.W));
  let div = select((h1 - h0) * (w1 - w0), padded, p.count_include_pad != 0u);
  return AvgWin(h0, h1, w0, w1, f32(div));
}

// Σ window w of the plane at `base` of in0 / w.div; 0 for a window with no input element.
fn window_mean(base: u32, w: AvgWin) -> f32 {
  var acc = 0.0;
  for (var ih = w.h0; ih < w.h1; ih++) {
    for (var iw = w.w0; iw < w.w1; iw++) { acc += in0[base + u32(ih) * p.W + u32(iw)]; }
  }
  return select(0.0, acc / w.div, w.h0 < w.h1 && w.w0 < w.w1);
}

@compute @workgroup_size(WG)
fn avg_pool2d(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
              @builtin(local_invocation_index) lid: u32) {
  let idx = lin(wid, nwg, lid);
  let o = p.OH * p.OW;
  if (idx >= p.P * o) { return; }
  out[idx] = window_mean((idx / o) * p.H * p.W, avg_window((idx % o) / p.OW, idx % p.OW));
}

@compute @workgroup_size(WG)
fn avg_pool2d_backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                       @builtin(local_invocation_index) lid: u32) {
  let idx = lin(wid, nwg, lid);
  let hw = p.H * p.W;
  if (idx >= p.P * hw) { return; }
  let pl = idx / hw;
  let ih = (idx % hw) / p.W;
  let iw = idx % p.W;
  var acc = 0.0;
  for (var i = p.kh; i > 0u; i--) {
    let oh = window_of(ih, i - 1u, p.pad_h, 1u, p.stride_h, p.OH);
    if (oh < 0) { continue; }
    for (var j = p.kw; j > 0u; j--) {
      let ow = window_of(iw, j - 1u, p.pad_w, 1u, p.stride_w, p.OW);
      if (ow < 0) { continue; }
      // A covering window may still clip this element away (ceil_mode's last window ends at H + pad).
      let w = avg_window(u32(oh), u32(ow));
      if (i32(ih) < w.h1 && i32(iw) < w.w1) { acc += in0[(pl * p.OH + u32(oh)) * p.OW + u32(ow)] / w.div; }
    }
  }
  out[idx] = acc;
}

// Adaptive window [start, end) of output o along an axis of `size` inputs and `outs` outputs.
fn adaptive_start(o: u32, size: u32, outs: u32) -> u32 { return (o * size) / outs; }
fn adaptive_end(o: u32, size: u32, outs: u32) -> u32 { return ((o + 1u) * size + outs - 1u) / outs; }

@compute @workgroup_size(WG)
fn adaptive_avg_pool2d(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                       @builtin(local_invocation_index) lid: u32) {
  let idx = lin(wid, nwg, lid);
  let o = p.OH * p.OW;
  if (idx >= p.P * o) { return; }
  let oh = (idx % o) / p.OW;
  let ow = idx % p.OW;
  let h0 = i32(adaptive_start(oh, p.H, p.OH));
  let h1 = i32(adaptive_end(oh, p.H, p.OH));
  let w0 = i32(adaptive_start(ow, p.W, p.OW));
  let w1 = i32(adaptive_end(ow, p.W, p.OW));
  out[idx] = window_mean((idx / o) * p.H * p.W, AvgWin(h0, h1, w0, w1, f32((h1 - h0) * (w1 - w0))));
}

@compute @workgroup_size(WG)
fn adaptive_avg_pool2d_backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                                @builtin(local_invocation_index) lid: u32) {
  let idx = lin(wid, nwg, lid);
  let hw = p.H * p.W;
  if (idx >= p.P * hw) { return; }
  let pl = idx / hw;
  let ih = (idx % hw) / p.W;
  let iw = idx % p.W;
  var acc = 0.0;
  // Windows covering ih: oh from ⌊ih·OH/H⌋ to ⌈(ih+1)·OH/H⌉ − 1 (membership checked exactly).
  for (var oh = (ih * p.OH) / p.H; oh < ((ih + 1u) * p.OH + p.H - 1u) / p.H; oh++) {
    let h0 = adaptive_start(oh, p.H, p.OH);
    let h1 = adaptive_end(oh, p.H, p.OH);
    if (ih < h0 || ih >= h1) { continue; }
    for (var ow = (iw * p.OW) / p.W; ow < ((iw + 1u) * p.OW + p.W - 1u) / p.W; ow++) {
      let w0 = adaptive_start(ow, p.W, p.OW);
      let w1 = adaptive_end(ow, p.W, p.OW);
      if (iw < w0 || iw >= w1) { continue; }
      acc += in0[(pl * p.OH + oh) * p.OW + ow] / f32((h1 - h0) * (w1 - w0));
    }
  }
  out[idx] = acc;
}
