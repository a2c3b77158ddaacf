// gather.wgsl — a batch gathered from a table that lives on the device (a dataset uploaded
// once), by an index vector idx (B): no per-batch copy of the data from the host.
//
//   gather_rows:        out[b, k] = table[idx[b], k]; 32-bit words copied bit for bit, so the
//                       same entry serves f32 features and i32 labels.
//   gather_bytes:       the table holds bytes packed four to a word (little-endian), each row
//                       padded to `words` words; out[b, k] = f32(byte(idx[b], k)) · scale + offset.
//   gather_rows_shift,
//   gather_bytes_shift: as above, with each row read as planes of H × W pixels translated by
//                       shifts[b] = (dy, dx[, flip]): out[b, c, y, x] = row[c, y − dy, x' − dx]
//                       with x' = W − 1 − x when flip ≠ 0 (a horizontal flip after the shift),
//                       else x; a pixel from outside the image reads as 0 (rows) or byte 0 (bytes).
//
// An index outside [0, N) reads a row of zeros (byte 0 for bytes): never an out-of-bounds load.
// Shapes: table (N, D) or (N, words); idx (B) i32; shifts (B, cols) i32, cols 2 or 3; out (B, D); n = B · D.
// Bindings: table, idx, [shifts] (read), out (read_write), Params (uniform).
// Dispatch: one thread per output element; linear workgroup id = wid.x + wid.y · nwg.x, and
// every thread checks j < n.
// Numerics: rows are exact copies; bytes are converted exactly (≤ 255) and rounded once by
// the multiply-add.

override WG: u32 = 256u;

struct Params { n: u32, N: u32, D: u32, words: u32, H: u32, W: u32, scale: f32, offset: f32, cols: u32 }

@group(0) @binding(0) var<storage, read> table: array<u32>;
@group(0) @binding(1) var<storage, read> idx: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(3) var<uniform> p: Params;

@group(0) @binding(2) var<storage, read> shifts: array<i32>;
@group(0) @binding(3) var<storage, read_write> out_s: array<u32>;
@group(0) @binding(4) var<uniform> ps: Params;

// The table row of batch element b, or -1 when its index is out of range.
fn row_of(i: i32, N: u32) -> i32 {
  if (i < 0 || u32(i) >= N) { return -1; }
  return i;
}

// The element of a row that output element k of batch element b reads after its translation
// (dy, dx) and, with a third column, its horizontal flip; or -1 when that falls outside.
fn shifted(k: u32, q: Params, b: u32) -> i32 {
  let hw = q.H * q.W;
  let plane = k / hw;
  let r = k % hw;
  var xo = r % q.W;
  if (q.cols == 3u && shifts[3u * b + 2u] != 0) { xo = q.W - 1u - xo; }
  let y = i32(r / q.W) - shifts[q.cols * b];
  let x = i32(xo) - shifts[q.cols * b + 1u];
  if (y < 0 || x < 0 || y >= i32(q.H) || x >= i32(q.W)) { return -1; }
  return i32(plane * hw + u32(y) * q.W + u32(x));
}

fn byte_value(row: u32, k: u32, q: Params) -> f32 {
  let w = table[row * q.words + k / 4u];
  let byte = (w >> (8u * (k % 4u))) & 255u;
  return f32(byte) * q.scale + q.offset;
}

fn linear_id(wid: vec3u, nwg: vec3u, lid: u32) -> u32 {
  return (wid.x + wid.y * nwg.x) * WG + lid;
}

@compute @workgroup_size(WG)
fn gather_rows(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let j = linear_id(wid, nwg, lid);
  if (j >= p.n) { return; }
  let b = j / p.D;
  let k = j % p.D;
  let r = row_of(idx[b], p.N);
  var v = 0u;
  if (r >= 0) { v = table[u32(r) * p.D + k]; }
  out[j] = v;
}

@compute @workgroup_size(WG)
fn gather_bytes(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let j = linear_id(wid, nwg, lid);
  if (j >= p.n) { return; }
  let b = j / p.D;
  let k = j % p.D;
  let r = row_of(idx[b], p.N);
  var v = p.offset;
  if (r >= 0) { v = byte_value(u32(r), k, p); }
  out[j] = bitcast<u32>(v);
}

@compute @workgroup_size(WG)
fn gather_rows_shift(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let j = linear_id(wid, nwg, lid);
  if (j >= ps.n) { return; }
  let b = j / ps.D;
  let r = row_of(idx[b], ps.N);
  let s = shifted(j % ps.D, ps, b);
  var v = 0u;
  if (r >= 0 && s >= 0) { v = table[u32(r) * ps.D + u32(s)]; }
  out_s[j] = v;
}

@compute @workgroup_size(WG)
fn gather_bytes_shift(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32) {
  let j = linear_id(wid, nwg, lid);
  if (j >= ps.n) { return; }
  let b = j / ps.D;
  let r = row_of(idx[b], ps.N);
  let s = shifted(j % ps.D, ps, b);
  var v = ps.offset;
  if (r >= 0 && s >= 0) { v = byte_value(u32(r), u32(s), ps); }
  out_s[j] = bitcast<u32>(v);
}
