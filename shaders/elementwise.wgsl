// elementwise.wgsl — one thread per element.
//
//   unary:        out[i] = f(x[i])                     f chosen by OP (see UNARY codes below)
//   unary_grad:   out[i] = g[i] · f'(t[i])             t is f's output for relu, sigmoid, tanh,
//                                                      exp, sqrt, and f's input otherwise
//   unary_deriv2: out[i] = d f'(t)/dt at t[i]
//   binary:       out = a ∘ b with broadcasting over ≤ 4 dims: each operand has its own
//                 strides (0 on a broadcast dim); binary_same is the same-shape fast path
//   broadcast:    out = x expanded to out's shape (strides as in binary)
//   scale:        out[i] = alpha · x[i] + beta
//   copy:         out[i] = x[i]
//   add_into:     out[i] = out[i] + x[i], in place
//   one_hot:      out[n, c] = (labels[n] == c)
//
// UNARY codes: the activation table's (shaders/activation.wgsl, appended to this file, lists
//              them and holds the functions and their numerics).
// BINARY codes: 0 add, 1 sub, 2 mul, 3 div, 4 eq, 5 max, 6 min.
//
// Bindings: inputs (read), output (read_write), then Params (uniform).
// Dispatch: linear workgroup id = wid.x + wid.y · nwg.x (the host folds counts above 65,535
// into y); thread t handles elements t·EPT .. t·EPT + EPT − 1, each checked against n.
// Variants: EPT = 1 (x1, one element per thread, the naive form) and EPT = 8 (x8): software
// adapters pay a per-invocation overhead that eight elements share (measured ≈2× faster on
// lavapipe for 4M-element unary ops); GPUs keep one element per thread.
// Numerics: see activation.wgsl.

override WG: u32 = 256u;
override OP: u32 = 0u;
override EPT: u32 = 1u;   // elements per thread: consecutive, i0 .. i0 + EPT − 1

struct Params { n: u32, alpha: f32, beta: f32, pad: u32 }
struct BParams {
  n: u32, d1: u32, d2: u32, d3: u32,
  sa0: u32, sa1: u32, sa2: u32, sa3: u32,
  sb0: u32, sb1: u32, sb2: u32, sb3: u32,
}
struct CParams { n: u32, pad0: u32, pad1: u32, pad2: u32 }
struct OParams { n: u32, classes: u32, pad0: u32, pad1: u32 }

// f, f', f'' of the activation chosen by OP (appended from activation.wgsl).
fn f(x: f32, alpha: f32, b: f32) -> f32 { return act_f(OP, x, alpha, b); }
fn df(t: f32, alpha: f32, b: f32) -> f32 { return act_df(OP, t, alpha, b); }
fn ddf(t: f32, alpha: f32, b: f32) -> f32 { return act_ddf(OP, t, alpha, b); }

fn bop(a: f32, b: f32) -> f32 {
  switch OP {
    case 0u: { return a + b; }
    case 1u: { return a - b; }
    case 2u: { return a * b; }
    case 3u: { return a / b; }
    case 4u: { return select(0.0, 1.0, a == b); }
    case 5u: { return select(b, a, a >= b); }
    default: { return select(b, a, a <= b); }
  }
}

fn linear_id(wid: vec3u, nwg: vec3u, lid: u32) -> u32 {
  return (wid.x + wid.y * nwg.x) * WG + lid;
}

// ---------------------------------------------------------------- unary family

@group(0) @binding(0) var<storage, read> u_x: array<f32>;
@group(0) @binding(1) var<storage, read_write> u_out: array<f32>;
@group(0) @binding(2) var<uniform> u_p: Params;

@compute @workgroup_size(WG)
fn unary(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let i0 = linear_id(wid, nwg, lid) * EPT;
  for (var j = 0u; j < EPT; j++) {
    let i = i0 + j;
    if (i >= u_p.n) { return; }
    u_out[i] = f(u_x[i], u_p.alpha, u_p.beta);
  }
}

@compute @workgroup_size(WG)
fn unary_deriv2(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let i0 = linear_id(wid, nwg, lid) * EPT;
  for (var j = 0u; j < EPT; j++) {
    let i = i0 + j;
    if (i >= u_p.n) { return; }
    u_out[i] = ddf(u_x[i], u_p.alpha, u_p.beta);
  }
}

@compute @workgroup_size(WG)
fn scale(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let i0 = linear_id(wid, nwg, lid) * EPT;
  for (var j = 0u; j < EPT; j++) {
    let i = i0 + j;
    if (i >= u_p.n) { return; }
    u_out[i] = u_p.alpha * u_x[i] + u_p.beta;
  }
}

// Copies move raw 32-bit words, so int32 data and NaN payloads survive unchanged.
@group(0) @binding(0) var<storage, read> c_x: array<u32>;
@group(0) @binding(1) var<storage, read_write> c_out: array<u32>;
@group(0) @binding(2) var<uniform> c_p: CParams;

@compute @workgroup_size(WG)
fn copy(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let i0 = linear_id(wid, nwg, lid) * EPT;
  for (var j = 0u; j < EPT; j++) {
    let i = i0 + j;
    if (i >= c_p.n) { return; }
    c_out[i] = c_x[i];
  }
}

// add_into: out[i] += x[i] in place (the planner's form of an accumulator assign v ← v + x).
@group(0) @binding(0) var<storage, read> ai_x: array<f32>;
@group(0) @binding(1) var<storage, read_write> ai_out: array<f32>;
@group(0) @binding(2) var<uniform> ai_p: CParams;

@compute @workgroup_size(WG)
fn add_into(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let i0 = linear_id(wid, nwg, lid) * EPT;
  for (var j = 0u; j < EPT; j++) {
    let i = i0 + j;
    if (i >= ai_p.n) { return; }
    ai_out[i] = ai_out[i] + ai_x[i];
  }
}

// ---------------------------------------------------------------- two-input family

@group(0) @binding(0) var<storage, read> g_t: array<f32>;
@group(0) @binding(1) var<storage, read> g_g: array<f32>;
@group(0) @binding(2) var<storage, read_write> g_out: array<f32>;
@group(0) @binding(3) var<uniform> g_p: Params;

@compute @workgroup_size(WG)
fn unary_grad(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let i0 = linear_id(wid, nwg, lid) * EPT;
  for (var j = 0u; j < EPT; j++) {
    let i = i0 + j;
    if (i >= g_p.n) { return; }
    g_out[i] = g_g[i] * df(g_t[i], g_p.alpha, g_p.beta);
  }
}

@compute @workgroup_size(WG)
fn binary_same(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let i0 = linear_id(wid, nwg, lid) * EPT;
  for (var j = 0u; j < EPT; j++) {
    let i = i0 + j;
    if (i >= g_p.n) { return; }
    g_out[i] = bop(g_t[i], g_g[i]);
  }
}

@group(0) @binding(3) var<uniform> b_p: BParams;

// Output coordinates (c0, c1, c2, c3) of linear index i in a 4-d shape (·, d1, d2, d3).
fn coords(i: u32) -> vec4u {
  let c3 = i % b_p.d3;
  let r = i / b_p.d3;
  let c2 = r % b_p.d2;
  let r2 = r / b_p.d2;
  return vec4u(r2 / b_p.d1, r2 % b_p.d1, c2, c3);
}

@compute @workgroup_size(WG)
fn binary(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let i0 = linear_id(wid, nwg, lid) * EPT;
  for (var j = 0u; j < EPT; j++) {
    let i = i0 + j;
    if (i >= b_p.n) { return; }
    let c = coords(i);
    let ia = dot(c, vec4u(b_p.sa0, b_p.sa1, b_p.sa2, b_p.sa3));
    let ib = dot(c, vec4u(b_p.sb0, b_p.sb1, b_p.sb2, b_p.sb3));
    g_out[i] = bop(g_t[ia], g_g[ib]);
  }
}

@group(0) @binding(0) var<storage, read> x_in: array<f32>;
@group(0) @binding(1) var<storage, read_write> x_out: array<f32>;
@group(0) @binding(2) var<uniform> x_p: BParams;

@compute @workgroup_size(WG)
fn broadcast(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let i0 = linear_id(wid, nwg, lid) * EPT;
  for (var j = 0u; j < EPT; j++) {
    let i = i0 + j;
    if (i >= x_p.n) { return; }
    let c3 = i % x_p.d3;
    let r = i / x_p.d3;
    let c2 = r % x_p.d2;
    let r2 = r / x_p.d2;
    let c = vec4u(r2 / x_p.d1, r2 % x_p.d1, c2, c3);
    x_out[i] = x_in[dot(c, vec4u(x_p.sa0, x_p.sa1, x_p.sa2, x_p.sa3))];
  }
}

@group(0) @binding(0) var<storage, read> o_labels: array<i32>;
@group(0) @binding(1) var<storage, read_write> o_out: array<f32>;
@group(0) @binding(2) var<uniform> o_p: OParams;

@compute @workgroup_size(WG)
fn one_hot(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let i0 = linear_id(wid, nwg, lid) * EPT;
  for (var j = 0u; j < EPT; j++) {
    let i = i0 + j;
    if (i >= o_p.n) { return; }
    let row = i / o_p.classes;
    let c = i % o_p.classes;
    o_out[i] = select(0.0, 1.0, o_labels[row] == i32(c));
  }
}
