// dropout.wgsl — y = x · keep · scale with a mask drawn on the device by a counter-based
// generator: Philox4x32-10 (Salmon, Moraes, Dror, Shaw: "Parallel random numbers: as easy as
// 1, 2, 3", SC'11), the same bits as src/ref/dropout.ts.
//
//   bits(i) = philox4x32_10(counter = (⌊i/4⌋, stream, step, 0), key = (seed, 0))[i mod 4]
//   keep(i) = (bits(i) >> 8) ≥ threshold          threshold = round(p · 2²⁴), an integer compare
//   y[i]    = x[i] · (keep(i) ? scale : 0)          scale = 1 / (1 − p), 0 for p = 1
// (seed, step) is an int32 pair in a buffer (the trainer writes it each step); stream tells the
// dropout layers of a graph apart. The mask is a pure function of (seed, step, stream, i):
// nothing is stored or uploaded but those 8 bytes, the
// backward pass is the same kernel on dy (dx = dy · keep · scale), and a resumed run redraws the
// same masks. Eval mode and p = 0 are the identity (the host launches nothing). A dropped NaN or
// ±∞ gives NaN (x · 0), as PyTorch's multiply by a zero mask does.
//
// Shapes: x and y (n) flat, rng (2). Bindings: x (read), rng (read), y (read_write), Params (uniform).
// Entry point:
//   dropout — one thread per 4 consecutive elements (one Philox block; one counter per thread).
// Dispatch: linear workgroup id = wid.x + wid.y · nwg.x. 32×32 → 64-bit products are built from
// 16-bit halves (WGSL has no 64-bit integers); each partial product fits a u32 exactly.

override WG: u32 = 64u;

struct Params {
  n: u32, stream: u32, threshold: u32, scale: f32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> rng: array<u32, 2>;   // (seed, step)
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

// High 32 bits of a · b.
fn mulhi(a: u32, b: u32) -> u32 {
  let al = a & 0xffffu;
  let ah = a >> 16u;
  let bl = b & 0xffffu;
  let bh = b >> 16u;
  let ll = al * bl;
  let lh = al * bh;
  let hl = ah * bl;
  let mid = (ll >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  return ah * bh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u);
}

fn philox4x32_10(counter: vec4u, key: vec2u) -> vec4u {
  var c = counter;
  var k = key;
  for (var r = 0u; r < 10u; r++) {
    if (r > 0u) { k += vec2u(0x9e3779b9u, 0xbb67ae85u); }
    let hi0 = mulhi(0xd2511f53u, c.x);
    let lo0 = 0xd2511f53u * c.x;
    let hi1 = mulhi(0xcd9e8d57u, c.z);
    let lo1 = 0xcd9e8d57u * c.z;
    c = vec4u(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
  }
  return c;
}

@compute @workgroup_size(WG)
fn dropout(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
           @builtin(local_invocation_index) lid: u32) {
  let q = (wid.x + wid.y * nwg.x) * WG + lid;
  if (q >= (p.n + 3u) / 4u) { return; }
  let bits = philox4x32_10(vec4u(q, p.stream, rng[1], 0u), vec2u(rng[0], 0u));
  for (var j = 0u; j < 4u; j++) {
    let i = q * 4u + j;
    if (i < p.n) { y[i] = x[i] * select(0.0, p.scale, (bits[j] >> 8u) >= p.threshold); }
  }
}
