/** Image conversions (hand values), PNG/JPEG decoding, and image folders as datasets, with their errors. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toChannels, resizeBilinear, parseImageSize, ImageStack } from '../../src/data/images.js';
import { decodeImage, loadImageFolder, readImageFolder, listPredictImages } from '../../src/data/images_node.js';
import { DataFormatError } from '../../src/data/errors.js';
import { ArgumentError } from '../../src/errors.js';
import { image, pngBytes, jpegBytes, writeImage, writeClassFolder } from './image_fixtures.js';
import { rejects } from '../util/rejects.js';

const root = mkdtempSync(join(tmpdir(), 'slope-images-'));

test('RGB → gray is the ITU-R 601-2 luma (PIL), gray → RGB repeats, alpha is dropped', () => {
  const rgba = { width: 3, height: 1, channels: 4, data: Uint8Array.of(255, 0, 0, 9, 0, 255, 0, 9, 10, 20, 30, 0) };
  // 0.299·255 = 76.245, 0.587·255 = 149.685, (299·10 + 587·20 + 114·30)/1000 = 18.15
  assert.equal([...toChannels(rgba, 1).data], [76, 150, 18]);
  assert.equal([...toChannels(rgba, 3).data], [255, 0, 0, 0, 255, 0, 10, 20, 30]);
  assert.equal([...toChannels({ width: 2, height: 1, channels: 2, data: Uint8Array.of(7, 1, 9, 2) }, 3).data], [7, 7, 7, 9, 9, 9]);
});

test('bilinear resize: half-pixel centres and clamped edges, as torch interpolate(align_corners=False)', () => {
  // 1×2 → 1×4: source positions -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1).
  const up = resizeBilinear({ width: 2, height: 1, channels: 1, data: Uint8Array.of(0, 255) }, 1, 4);
  assert.equal([...up.data], [0, 64, 191, 255]); // 63.75 and 191.25 rounded
  // 4×4 → 2×2: each output is the mean of a 2×2 block (positions 0.5 and 2.5).
  const src = image(4, 4, 1, (y, x) => 16 * y + 4 * x);
  assert.equal([...resizeBilinear(src, 2, 2).data], [10, 18, 42, 50]);
  assert.is(resizeBilinear(src, 4, 4), src, 'same size: unchanged');
  assert.equal(parseImageSize('28x32'), [28, 32]);
  assert.throws(() => parseImageSize('28'), /HxW/);
  assert.throws(() => parseImageSize('0x5'), /HxW/);
});

test('PNG (gray, RGB, RGBA) and JPEG decode to their pixels', async () => {
  const gray = image(3, 4, 1, (y, x) => 20 * y + x);
  let p = await decodeImage(pngBytes(gray), 'g.png');
  assert.equal([p.height, p.width], [3, 4]);
  assert.equal([...toChannels(p, 1).data], [...gray.data]);
  const rgb = image(2, 3, 3, (y, x, k) => 50 * k + 10 * y + x);
  p = await decodeImage(pngBytes(rgb), 'c.png');
  assert.equal([...toChannels(p, 3).data], [...rgb.data]);
  const rgba = image(2, 2, 4, (y, x, k) => (k === 3 ? 0 : 100 + k));
  assert.equal([...toChannels(await decodeImage(pngBytes(rgba), 'a.png'), 3).data], [100, 101, 102, 100, 101, 102, 100, 101, 102, 100, 101, 102]);
  // JPEG is lossy: a flat colour comes back within a few levels.
  const flat = image(8, 8, 3, (_y, _x, k) => [200, 100, 50][k]);
  p = await decodeImage(jpegBytes(flat), 'f.jpg');
  assert.is(p.channels, 3);
  const back = toChannels(p, 3).data;
  for (let i = 0; i < back.length; i++) assert.ok(Math.abs(back[i] - [200, 100, 50][i % 3]) <= 3, `jpeg value ${back[i]} at ${i}`);
  await rejects(decodeImage(Uint8Array.of(1, 2, 3, 4), 'junk.png'), DataFormatError, /junk\.png: not a PNG or JPEG image/, 'unknown signature');
  const cut = pngBytes(gray).slice(0, 40);
  await rejects(decodeImage(cut, 'cut.png'), DataFormatError, /cut\.png: cannot decode the PNG image/, 'truncated PNG');
  const huge = pngBytes(gray);
  new DataView(huge.buffer, huge.byteOffset).setUint32(16, 100000);
  new DataView(huge.buffer, huge.byteOffset).setUint32(20, 100000);
  await rejects(decodeImage(huge, 'bomb.png'), DataFormatError, /bomb\.png: a 100000×100000 PNG is above the limit/, 'pixel bomb');
});

test('a folder of class folders: sorted classes, [C, H, W] bytes, the first image fixes size and channels', async () => {
  const dir = join(root, 'shapes');
  writeClassFolder(dir, ['square', 'circle', 'line'], 5, 6, 5);
  writeImage(join(dir, 'circle', 'deeper', 'extra.png'), image(6, 5, 1, () => 7)); // below the class folder: included
  writeFileSync(join(dir, 'circle', 'notes.txt'), 'not an image'); // ignored, as torchvision does
  const ds = await readImageFolder(dir);
  assert.equal(ds.classNames, ['circle', 'line', 'square']);
  assert.equal(ds.sampleShape, [1, 6, 5]);
  assert.is(ds.length, 16);
  assert.equal([...ds.y.slice(0, 6)], [0, 0, 0, 0, 0, 0]);
  // 'circle/deeper/extra.png' sorts before 'circle/img000.png'.
  assert.equal([...ds.bytes!.data.slice(0, 3)], [7, 7, 7]);
  assert.ok(Math.abs(ds.x[30] - ds.bytes!.data[30] / 255) < 1e-7);
  const split = await loadImageFolder(dir, { testFraction: 0.2 });
  assert.is(split.train.length + split.test.length, 16);
  // --channels 3 repeats the gray values into R, G and B planes.
  const rgb = await readImageFolder(dir, { channels: 3 });
  assert.equal(rgb.sampleShape, [3, 6, 5]);
  const d = rgb.bytes!.data;
  assert.equal([...d.slice(30, 35)], [...d.slice(0, 5)], 'G plane equals R plane');
});

test('train/ and test/ folders; a test class the training data lacks is an error naming both', async () => {
  const dir = join(root, 'split');
  writeClassFolder(join(dir, 'train'), ['a', 'b'], 4);
  writeClassFolder(join(dir, 'test'), ['b'], 2);
  const s = await loadImageFolder(dir);
  assert.equal([s.train.length, s.test.length], [8, 2]);
  assert.equal(s.test.classNames, ['a', 'b']);
  assert.equal([...s.test.y], [1, 1], 'test labels numbered as in training');
  writeClassFolder(join(dir, 'test'), ['c'], 1);
  await rejects(loadImageFolder(dir), DataFormatError, /split\/test\/c: class 'c' is not a class of .*split\/train \(classes: a, b\)/, 'unseen class');
});

test('images of another size are an error naming the file and both sizes, unless resized', async () => {
  const dir = join(root, 'sizes');
  writeClassFolder(dir, ['a', 'b'], 3, 6, 5);
  writeImage(join(dir, 'b', 'z_big.png'), image(8, 9, 3, () => 100));
  await rejects(readImageFolder(dir), DataFormatError, /z_big\.png: the image is 8×9 \(H×W\), but the first image \(.*a\/img000\.png\) is 6×5; give --resize 6x5/, 'size mismatch');
  const r = await readImageFolder(dir, { resize: [4, 4] });
  assert.equal(r.sampleShape, [1, 4, 4]);
  assert.is(r.length, 7);
  // A required shape (a checkpoint's) is named as such.
  await rejects(readImageFolder(dir, { shape: [1, 4, 4], shapeSource: 'run.st' }), DataFormatError, /the model's images \(run\.st\) are 4×4/, 'checkpoint shape');
});

test('an empty class folder, an unreadable image and a missing folder are errors naming them', async () => {
  const dir = join(root, 'bad');
  writeClassFolder(dir, ['a'], 2);
  mkdirSync(join(dir, 'empty'), { recursive: true });
  await rejects(readImageFolder(dir), DataFormatError, /bad\/empty: the class folder 'empty' holds no PNG or JPEG images/, 'empty class');
  const dir2 = join(root, 'bad2');
  writeClassFolder(dir2, ['a', 'b'], 2);
  writeFileSync(join(dir2, 'b', 'broken.jpg'), 'this is text');
  await rejects(readImageFolder(dir2), DataFormatError, /b\/broken\.jpg: not a PNG or JPEG image/, 'unreadable image');
  await rejects(readImageFolder(join(root, 'nope')), ArgumentError, /cannot read the image folder .*nope.*: no such folder/, 'missing folder');
  const flat = join(root, 'flat');
  writeImage(join(flat, 'x.png'), image(2, 2, 1, () => 1));
  await rejects(readImageFolder(flat), DataFormatError, /no class folders/, 'no class folders');
  assert.equal((await listPredictImages(flat)).labels, null, 'a flat folder predicts without labels');
});

test('ImageStack checks its count', () => {
  const s = new ImageStack(1);
  s.add(image(1, 1, 1, () => 0), 0, 'a');
  assert.throws(() => s.add(image(1, 1, 1, () => 0), 0, 'b'), /more than the 1 images/);
  assert.throws(() => new ImageStack(2).finish('x', 1), /0 of 2 images added/);
});

test.run();
