/** IDX reading: round trips of every type, each malformed header or length, gzip and bombs, fuzz. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { gzipSync } from 'node:zlib';
import { slope } from '../util/engine.js';
import { Rng } from '../util/rng.js';
import { idxBytes, gz } from './idx_fixtures.js';
import { rejects, throws } from '../util/rejects.js';
import { zlibInflate } from '../../src/data/node.js';

const { parseIdx, readIdx, inflateIdx, webInflate, DataFormatError, mnistFromIdx } = slope;

test('every IDX type round-trips, big-endian values decoded', () => {
  const r = new Rng(1);
  const cases: [number, (i: number) => number][] = [
    [0x08, () => Math.floor(r.next() * 256)],
    [0x09, () => Math.floor(r.next() * 256) - 128],
    [0x0b, () => Math.floor(r.next() * 65536) - 32768],
    [0x0c, () => Math.floor(r.next() * 2 ** 32) - 2 ** 31],
    [0x0d, () => Math.fround(r.normal(1)[0] * 1e3)],
    [0x0e, () => r.normal(1)[0] * 1e-7],
  ];
  for (const [type, gen] of cases) {
    for (const dims of [[5], [3, 7], [2, 3, 5], [1, 2, 3, 4]]) {
      const n = dims.reduce((a, d) => a * d, 1);
      const values = Array.from({ length: n }, gen);
      const a = parseIdx(idxBytes(type, dims, values), 'f');
      assert.equal(a.header.dims, dims);
      assert.equal(Array.from(a.data), values, `type ${type} dims ${dims}`);
    }
  }
});

test('malformed headers name the file and what is wrong', () => {
  const good = idxBytes(0x08, [2, 3, 3], new Array(18).fill(1));
  const mut = (i: number, v: number) => { const b = good.slice(); b[i] = v; return b; };
  throws(() => parseIdx(mut(0, 1), 'train-images-idx3-ubyte'), DataFormatError, /train-images-idx3-ubyte: bad magic 0x01000803/, 'nonzero first byte');
  throws(() => parseIdx(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]), 'x.png'), DataFormatError, /bad magic 0x89504e47/, 'png');
  throws(() => parseIdx(gz(good), 'a.gz'), DataFormatError, /still gzip-compressed/, 'gzip passed to raw parser');
  throws(() => parseIdx(mut(2, 0x0a), 'f'), DataFormatError, /bad magic 0x00000a03/, 'unknown type');
  throws(() => parseIdx(mut(3, 0), 'f'), DataFormatError, /declares 0 dimensions/, 'ndims 0');
  throws(() => parseIdx(mut(3, 5), 'f'), DataFormatError, /declares 5 dimensions/, 'ndims 5');
  throws(() => parseIdx(good.subarray(0, 3), 'f'), DataFormatError, /truncated IDX header: 3 bytes/, 'short magic');
  throws(() => parseIdx(good.subarray(0, 10), 'f'), DataFormatError, /truncated IDX header: 10 bytes, 3 dimensions need 16/, 'short dims');
  throws(() => parseIdx(new Uint8Array(0), 'empty'), DataFormatError, /empty: truncated IDX header: 0 bytes/, 'empty');
});

test('a truncated or over-long file gives expected and actual byte counts', () => {
  const good = idxBytes(0x08, [2, 3, 3], new Array(18).fill(7));
  throws(() => parseIdx(good.subarray(0, good.length - 1), 'f'), DataFormatError, /truncated: the header declares 34 bytes .* the file has 33/, 'one short');
  const long = new Uint8Array(good.length + 1);
  long.set(good);
  throws(() => parseIdx(long, 'f'), DataFormatError, /1 unexpected trailing bytes: the header declares 34 bytes, the file has 35/, 'one extra');
});

test('huge declared dimensions fail before any allocation', () => {
  const b = idxBytes(0x08, [0xffffffff, 28, 28], []);
  throws(() => parseIdx(b, 'bomb'), DataFormatError, /above the limit of/, 'huge header');
  throws(() => parseIdx(idxBytes(0x0e, [0xffffffff, 0xffffffff, 0xffffffff], []), 'f'), DataFormatError, /above the limit/, 'overflowing product');
});

test('expected type and rank are enforced, not reinterpreted', () => {
  const lab = idxBytes(0x0c, [4], [1, 2, 3, 4]);
  throws(() => parseIdx(lab, 'labels', { type: 'ubyte', ndims: 1, role: 'labels' }), DataFormatError, /MNIST labels must hold ubyte values, the header says int32/, 'type');
  throws(() => parseIdx(idxBytes(0x08, [2, 2], [1, 2, 3, 4]), 'labels', { ndims: 1, role: 'labels' }), DataFormatError, /must have 1 dimension, the header declares 2/, 'rank');
});

test('gzip files inflate through zlib and DecompressionStream alike', async () => {
  const r = new Rng(2);
  const values = Array.from({ length: 4 * 5 * 6 }, () => Math.floor(r.next() * 256));
  const raw = idxBytes(0x08, [4, 5, 6], values);
  for (const inflate of [zlibInflate, webInflate]) {
    const a = await readIdx(gz(raw), 'f.gz', {}, { inflate });
    assert.equal(Array.from(a.data), values);
    const b = await readIdx(raw, 'f', {}, { inflate });
    assert.equal(Array.from(b.data), values);
  }
});

test('a decompression bomb stops at the size its header declares', async () => {
  const header = idxBytes(0x08, [10, 28, 28], []);
  const payload = new Uint8Array(header.length + 64 * 2 ** 20); // 64 MiB of zeros behind a 7,840-byte header
  payload.set(header);
  const bomb = new Uint8Array(gzipSync(payload, { level: 9 }));
  assert.ok(bomb.length < 200_000, `bomb is ${bomb.length} bytes`);
  for (const inflate of [zlibInflate, webInflate]) {
    const t = Date.now();
    await rejects(inflateIdx(bomb, 'bomb.gz', inflate), DataFormatError, /decompresses to more than the 7856 bytes its IDX header declares/, 'bomb');
    assert.ok(Date.now() - t < 2000, `took ${Date.now() - t} ms`);
  }
  const huge = gz(idxBytes(0x08, [0xffffffff, 28, 28], []));
  await rejects(inflateIdx(huge, 'huge.gz', zlibInflate), DataFormatError, /above the limit/, 'huge declared');
  const raw = idxBytes(0x08, [3, 4], new Array(12).fill(1));
  await rejects(inflateIdx(gz(raw.subarray(0, raw.length - 2)), 'short.gz', zlibInflate), DataFormatError, /truncated: the header declares 24 bytes, the decompressed file has 22/, 'truncated inside');
  const z = gz(raw);
  await rejects(inflateIdx(z.subarray(0, z.length - 12), 'cut.gz', zlibInflate), DataFormatError, /gzip decompression failed/, 'cut stream');
});

test('image and label counts must agree; labels must be classes', async () => {
  const images = idxBytes(0x08, [3, 2, 2], new Array(12).fill(9));
  const labels = idxBytes(0x08, [4], [0, 1, 2, 3]);
  await rejects(mnistFromIdx({ bytes: images, file: 'imgs' }, { bytes: labels, file: 'labs' }, { name: 't' }), DataFormatError, /imgs: holds 3 images, but its companion file holds 4/, 'raw');
  await rejects(mnistFromIdx({ bytes: gz(images), file: 'imgs.gz' }, { bytes: gz(labels), file: 'labs.gz' }, { name: 't', inflate: zlibInflate }), DataFormatError, /imgs.gz: holds 3 images, but its companion file holds 4/, 'gz');
  const bad = idxBytes(0x08, [3], [0, 10, 1]);
  await rejects(mnistFromIdx({ bytes: images, file: 'imgs' }, { bytes: bad, file: 'labs' }, { name: 't' }), DataFormatError, /labs: label 10 at index 1 is out of range for 10 classes/, 'label range');
  const ds = await mnistFromIdx({ bytes: images, file: 'i' }, { bytes: idxBytes(0x08, [3], [4, 0, 9]), file: 'l' }, { name: 't' });
  assert.equal(ds.sampleShape, [1, 2, 2]);
  assert.equal(Array.from(ds.y), [4, 0, 9]);
  assert.ok(Math.abs(ds.x[0] - 9 / 255) < 1e-7);
});

test('fuzz: random mutations of valid files give a result or a DataFormatError, nothing else', async () => {
  const r = new Rng(99);
  const base = idxBytes(0x08, [3, 4, 5], Array.from({ length: 60 }, () => Math.floor(r.next() * 256)));
  const bases = [base, idxBytes(0x0d, [2, 3], [1, 2, 3, 4, 5, 6]), idxBytes(0x08, [4], [1, 2, 3, 4])];
  let ok = 0, rejected = 0;
  for (let it = 0; it < 3000; it++) {
    const src = bases[it % bases.length];
    let b = src.slice();
    const kind = Math.floor(r.next() * 3);
    if (kind === 0) for (let k = 0; k < 1 + Math.floor(r.next() * 4); k++) b[Math.floor(r.next() * b.length)] = Math.floor(r.next() * 256);
    else if (kind === 1) b = b.subarray(0, Math.floor(r.next() * b.length));
    else { const c = new Uint8Array(b.length + 1 + Math.floor(r.next() * 8)); c.set(b); b = c; }
    try {
      parseIdx(b, 'fuzz', {}, 1 << 20);
      ok++;
    } catch (e) {
      if (!(e instanceof DataFormatError)) throw new Error(`iteration ${it}: ${(e as Error).name}: ${(e as Error).message}`);
      rejected++;
    }
  }
  for (let it = 0; it < 200; it++) {
    const z = gz(bases[it % bases.length]);
    const b = z.slice();
    b[10 + Math.floor(r.next() * (b.length - 10))] ^= 1 << Math.floor(r.next() * 8);
    try {
      await inflateIdx(b, 'fuzz.gz', zlibInflate, {}, 1 << 20);
    } catch (e) {
      if (!(e instanceof DataFormatError)) throw new Error(`gzip iteration ${it}: ${(e as Error).name}: ${(e as Error).message}`);
    }
  }
  assert.ok(ok > 0 && rejected > 0, `${ok} parsed, ${rejected} rejected`);
});

test.run();
