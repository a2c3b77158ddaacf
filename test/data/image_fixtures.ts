/** Small image folders written by the tests themselves: PNG (gray, RGB, RGBA) and JPEG files. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import pngjs from 'pngjs';
import jpeg from 'jpeg-js';

export interface Img {
  width: number;
  height: number;
  /** 1 gray, 3 RGB, 4 RGBA: interleaved bytes. */
  channels: 1 | 3 | 4;
  data: Uint8Array;
}

/** An image whose pixel (y, x, k) is f(y, x, k). */
export function image(height: number, width: number, channels: 1 | 3 | 4, f: (y: number, x: number, k: number) => number): Img {
  const data = new Uint8Array(height * width * channels);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let k = 0; k < channels; k++) data[(y * width + x) * channels + k] = f(y, x, k);
  return { width, height, channels, data };
}

/** PNG bytes: gray images as colour type 0, RGB as 2, RGBA as 6. */
export function pngBytes(img: Img): Uint8Array {
  const { PNG } = pngjs as unknown as { PNG: { sync: { write(p: object, o: object): Buffer } } };
  const rgba = new Uint8Array(img.width * img.height * 4);
  for (let i = 0; i < img.width * img.height; i++) {
    for (let k = 0; k < 4; k++) rgba[4 * i + k] = k === 3 ? (img.channels === 4 ? img.data[4 * i + 3] : 255) : img.data[i * img.channels + (img.channels === 1 ? 0 : k)];
  }
  const colorType = img.channels === 1 ? 0 : img.channels === 3 ? 2 : 6;
  return PNG.sync.write({ width: img.width, height: img.height, data: Buffer.from(rgba) }, { colorType, inputColorType: 6, inputHasAlpha: true });
}

/** JPEG bytes (quality 100; colour). */
export function jpegBytes(img: Img): Uint8Array {
  const rgba = new Uint8Array(img.width * img.height * 4);
  for (let i = 0; i < img.width * img.height; i++) for (let k = 0; k < 4; k++) rgba[4 * i + k] = k === 3 ? 255 : img.data[i * img.channels + (img.channels === 1 ? 0 : k)];
  return jpeg.encode({ width: img.width, height: img.height, data: rgba }, 100).data;
}

export function writeImage(file: string, img: Img): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, /\.jpe?g$/i.test(file) ? jpegBytes(img) : pngBytes(img));
}

/**
 * A folder of `perClass` images per class, each class a pattern easy to learn: class c is bright
 * in its own band of rows. Sizes h × w, gray unless `channels` says otherwise.
 */
export function writeClassFolder(dir: string, classes: readonly string[], perClass: number, h = 6, w = 5, channels: 1 | 3 = 1): void {
  classes.forEach((name, c) => {
    for (let i = 0; i < perClass; i++) {
      const img = image(h, w, channels, (y, x, k) => ((y * classes.length) / h >= c && (y * classes.length) / h < c + 1 ? 200 : 30) + ((x + i + k) % 3) * 10);
      writeImage(`${dir}/${name}/img${String(i).padStart(3, '0')}.png`, img);
    }
  });
}
