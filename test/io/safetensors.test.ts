/** safetensors: the layout byte for byte against the specification, round trips, and every header fault. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { slope } from '../util/engine.js';
import { Rng } from '../util/rng.js';
import { throws } from '../util/rejects.js';

const { encodeSafetensors, decodeSafetensors, tensorValues, SafetensorsError } = slope;

/** A file assembled by hand from the specification: u64 LE header length, JSON, buffer. */
function assemble(header: string, buffer: ArrayLike<number> = [], lengthOverride?: bigint): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + buffer.length);
  new DataView(out.buffer).setBigUint64(0, lengthOverride ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(Array.from(buffer), 8 + json.length);
  return out;
}

function fails(bytes: Uint8Array, kind: string, re: RegExp | [] = []): void {
  const e = throws(() => decodeSafetensors(bytes), SafetensorsError, re, kind);
  assert.is(e.kind, kind, e.message);
}

test('the written bytes are exactly the specification layout', () => {
  const bytes = encodeSafetensors(
    [{ name: 'a', shape: [2], data: Float32Array.from([1, -2]) }, { name: 'b', shape: [1, 2], data: Int32Array.from([3, -1]) }],
    { format: 'pt' },
  );
  let header = '{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"I32","shape":[1,2],"data_offsets":[8,16]}}';
  while (header.length % 8) header += ' ';
  const data = [0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0, 3, 0, 0, 0, 0xff, 0xff, 0xff, 0xff];
  const want = assemble(header, data);
  assert.is(bytes.length, want.length);
  assert.equal(Array.from(bytes), Array.from(want));
  assert.is((8 + header.length) % 8, 0, 'the buffer starts 8-byte aligned');
});

test('a file as Python safetensors writes it (no metadata, padded header) is read', () => {
  let header = '{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"s":{"dtype":"F64","shape":[],"data_offsets":[16,24]},"e":{"dtype":"F32","shape":[0],"data_offsets":[24,24]}}';
  while ((8 + header.length) % 8) header += ' ';
  const buf = new Uint8Array(24);
  new Float32Array(buf.buffer, 0, 4).set([1, 2, 3, 4]);
  new Float64Array(buf.buffer, 16, 1)[0] = Math.PI;
  const f = decodeSafetensors(assemble(header, buf));
  assert.equal(f.metadata, {});
  assert.equal(Array.from(tensorValues(f.tensors.get('w')!) as Float32Array), [1, 2, 3, 4]);
  assert.equal(f.tensors.get('w')!.shape, [2, 2]);
  assert.is((tensorValues(f.tensors.get('s')!) as Float64Array)[0], Math.PI);
  assert.is(f.tensors.get('e')!.bytes.length, 0);
});

test('round trip of every writable dtype with random shapes and awkward names', () => {
  const r = new Rng(8);
  const names = ['0.weight', 'a"quote', 'new\nline', 'back`tick', 'brace}', 'fn main() {}', 'ünïcødé'];
  const tensors = names.map((name, i) => {
    const shape = [1 + Math.floor(r.next() * 4), Math.floor(r.next() * 5)];
    const n = shape[0] * shape[1];
    const kinds = [() => r.normal(n), () => r.ints(n, 1000), () => Float64Array.from(r.normal(n)), () => Uint8Array.from(r.ints(n, 256)),
      () => BigInt64Array.from(r.ints(n, 99), (v) => BigInt(v) - 50n), () => Int16Array.from(r.ints(n, 600), (v) => v - 300), () => Uint32Array.from(r.ints(n, 1 << 30))];
    return { name, shape, data: kinds[i % kinds.length]() };
  });
  const f = decodeSafetensors(encodeSafetensors(tensors, { note: 'x' }));
  assert.equal(f.metadata, { note: 'x' });
  for (const t of tensors) {
    const got = f.tensors.get(t.name)!;
    assert.equal(got.shape, t.shape);
    assert.equal(Array.from(tensorValues(got) as ArrayLike<number | bigint>), Array.from(t.data as ArrayLike<number | bigint>), t.name);
  }
});

test('header faults give typed errors (the upstream test list)', () => {
  const ok = '{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
  const eight = new Array(8).fill(0);
  fails(new Uint8Array(0), 'HeaderTooSmall');
  fails(new Uint8Array(7), 'HeaderTooSmall');
  fails(assemble(ok, eight, 1000n), 'InvalidHeaderLength', /claims 1000 bytes/);
  const huge = assemble(ok, eight);
  huge[5] = huge[6] = huge[7] = 0xff;
  fails(huge, 'HeaderTooLarge');
  fails(assemble('{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}', eight), 'InvalidHeader', /not valid JSON/);
  fails(assemble('{', []), 'InvalidHeader');
  const nonUtf8 = assemble('{"x":1}    ');
  nonUtf8[10] = 0xff;
  fails(nonUtf8, 'InvalidHeader', /UTF-8/);
  fails(assemble(' {}'), 'InvalidHeaderStart');
  fails(assemble('[]'), 'InvalidHeaderStart');
  fails(assemble('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}', new Array(12).fill(0)), 'InvalidOffset', /tensor "b" starts at byte 4.*overlap/);
  fails(assemble('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}', new Array(12).fill(0)), 'InvalidOffset', /gap/);
  fails(assemble('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', eight), 'InvalidOffset', /must start at 0/);
  fails(assemble('{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}', eight), 'MetadataIncompleteBuffer', /"a" ends at byte 16, past the 8-byte buffer/);
  fails(assemble(ok, new Array(9).fill(0)), 'MetadataIncompleteBuffer', /1 bytes not indexed/);
  fails(assemble(ok, new Array(7).fill(0)), 'MetadataIncompleteBuffer');
  fails(assemble('{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', eight), 'TensorInvalidInfo', /needs 12 bytes/);
  fails(assemble('{"x":{"dtype":"F32","shape":[9007199254740991,9007199254740991],"data_offsets":[0,8]}}', eight), 'ValidationOverflow');
  fails(assemble('{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', eight), 'DuplicateName');
  fails(assemble('{"x":{"dtype":"Q7","shape":[2],"data_offsets":[0,8]}}', eight), 'UnknownDtype');
  fails(assemble('{"__metadata__":{"a":1},"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', eight), 'InvalidMetadata');
  fails(assemble('{"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,8]}}', eight), 'InvalidHeader');
  fails(assemble('{"x":{"dtype":"F32","shape":[1e400],"data_offsets":[0,8]}}', eight), 'InvalidHeader');
  fails(Uint8Array.from([0x80, 0x02, 0x7d, 0x71]), 'UnsupportedFormat', /can execute code/);
  fails(Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0, 0]), 'UnsupportedFormat');
});

test('a header whose length bytes look like a pickle or zip signature is still safetensors', () => {
  for (const len of [0x0380, 0x0280, 0x4b50]) {
    // A header of exactly `len` bytes: {"__metadata__":{"k":"xxx…"}} padded with spaces.
    const head = '{"__metadata__":{"k":"v"}}';
    const text = head + ' '.repeat(len - head.length);
    const bytes = new Uint8Array(8 + len);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(len), true);
    bytes.set(new TextEncoder().encode(text), 8);
    assert.equal(slope.decodeSafetensors(bytes).metadata, { k: 'v' }, `header length ${len}`);
  }
});

test('a huge declared shape is rejected against the file size before any allocation', () => {
  fails(assemble('{"x":{"dtype":"F32","shape":[100000,100000],"data_offsets":[0,8]}}', new Array(8).fill(0)), 'TensorInvalidInfo');
  fails(assemble('{"x":{"dtype":"F32","shape":[1000000000,1000000000],"data_offsets":[0,8]}}', new Array(8).fill(0)), 'ValidationOverflow');
});

test('fuzz: mutated files decode or throw SafetensorsError, nothing else', () => {
  const r = new Rng(77);
  const base = encodeSafetensors([
    { name: 'w', shape: [3, 2], data: r.normal(6) },
    { name: 'b', shape: [2], data: r.ints(2, 9) },
  ], { k: 'v' });
  let ok = 0, bad = 0;
  for (let it = 0; it < 4000; it++) {
    let b = base.slice();
    const mode = it % 3;
    if (mode === 0) for (let k = 0; k < 1 + Math.floor(r.next() * 3); k++) b[Math.floor(r.next() * b.length)] = Math.floor(r.next() * 256);
    else if (mode === 1) b = b.subarray(0, Math.floor(r.next() * b.length));
    else { const c = new Uint8Array(b.length + 1 + Math.floor(r.next() * 8)); c.set(b); b = c; }
    try {
      decodeSafetensors(b);
      ok++;
    } catch (e) {
      if (!(e instanceof SafetensorsError)) throw new Error(`iteration ${it}: ${(e as Error).name}: ${(e as Error).message}`);
      bad++;
    }
  }
  assert.ok(ok > 0 && bad > 0, `${ok} decoded, ${bad} rejected`);
});

test('no code path evaluates text: no eval, Function or vm in src/', async () => {
  const { readdirSync, readFileSync, statSync } = await import('node:fs');
  const { join } = await import('node:path');
  const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
  for (const f of walk('src').filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(f, 'utf8');
    assert.not.match(text, /(^|[^.\w])eval\(\s*[^)\s]|new Function\(|from 'node:vm'/m, f);
  }
});

test('shapes and offsets must be written as integers: 16.0 and 1e1 are refused, naming the tensor', () => {
  const buf = new Uint8Array(64);
  fails(assemble('{"w":{"dtype":"F32","shape":[16.0],"data_offsets":[0,64]}}', buf), 'InvalidHeader', /tensor "w": shape must be a list of non-negative integers, got \[16\.0\]/);
  fails(assemble('{"w":{"dtype":"F32","shape":[4,4],"data_offsets":[0,6.4e1]}}', buf), 'InvalidHeader', /tensor "w": data_offsets must be two non-negative integers, got \[0, 6\.4e1\]/);
  fails(assemble('{"__metadata__":{"v":1.5},"w":{"dtype":"F32","shape":[16],"data_offsets":[0,64]}}', buf), 'InvalidMetadata', /'v' must be a string, got 1\.5/);
  assert.equal(decodeSafetensors(assemble('{"w":{"dtype":"F32","shape":[16],"data_offsets":[0,64]}}', buf)).tensors.get('w')!.shape, [16]);
});

test.run();
