/**
 * Image folders in Node, laid out as torchvision's ImageFolder reads them: one subfolder per
 * class (named by the folder, classes in sorted order), PNG or JPEG files anywhere below it;
 * optionally `train/` and `test/` folders, each with the same class folders. PNG is decoded by
 * pngjs and JPEG by jpeg-js (pure JavaScript, loaded on first use). A file that is not a
 * readable image, an empty class folder or an image of the wrong size is an error naming it.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { ArgumentError } from '../errors.js';
import { holdOut, type Dataset, type Split } from './dataset.js';
import { DataFormatError } from './errors.js';
import { ImageStack, type ImageStackOptions, type Pixels } from './images.js';
import { readBytes } from './node.js';

/** Largest image file read (256 MiB) and largest image decoded (64 megapixels). */
export const MAX_IMAGE_FILE_BYTES = 2 ** 28;
export const MAX_IMAGE_PIXELS = 2 ** 26;

const IMAGE_EXT = /\.(png|jpe?g)$/i;

interface PngModule {
  PNG: { sync: { read(b: Buffer): { width: number; height: number; data: Buffer; colorType: number } } };
}
interface JpegOptions { useTArray: true; formatAsRGBA: false; maxResolutionInMP: number; maxMemoryUsageInMB: number }
interface JpegModule {
  decode(b: Uint8Array, o: JpegOptions): { width: number; height: number; data: Uint8Array };
}

let png: Promise<PngModule> | null = null;
let jpeg: Promise<JpegModule> | null = null;
const cjs = <T>(m: { default?: T } & T): T => m.default ?? m;

/** Decode a PNG or JPEG file's bytes (recognized by their signature, not the file name). */
export async function decodeImage(bytes: Uint8Array, file: string): Promise<Pixels> {
  const isPng = bytes.length >= 24 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const isJpeg = bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  if (!isPng && !isJpeg) throw new DataFormatError(file, 'not a PNG or JPEG image (unknown signature)');
  try {
    if (isPng) {
      // IHDR: width and height (big-endian) at bytes 16 and 20; refuse a bomb before inflating.
      const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const w = v.getUint32(16), h = v.getUint32(20);
      if (w * h > MAX_IMAGE_PIXELS) {
        throw new DataFormatError(file, `a ${h}×${w} PNG is above the limit of ${MAX_IMAGE_PIXELS} pixels`);
      }
      const { PNG } = cjs(await (png ??= import('pngjs') as unknown as Promise<PngModule>));
      const r = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      // pngjs always gives RGBA; colour types 0 and 4 are gray (+ alpha).
      const gray = r.colorType === 0 || r.colorType === 4;
      const data = gray ? pick(r.data, 4, [0, 3]) : new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength);
      return { width: r.width, height: r.height, channels: gray ? 2 : 4, data };
    }
    const { decode } = cjs(await (jpeg ??= import('jpeg-js') as unknown as Promise<JpegModule>));
    const r = decode(bytes, {
      useTArray: true, formatAsRGBA: false, maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6, maxMemoryUsageInMB: 1024,
    });
    const channels = r.data.length / (r.width * r.height);
    if (channels !== 1 && channels !== 3) {
      throw new Error(`${channels} colour components are not supported (gray or RGB only)`);
    }
    return { width: r.width, height: r.height, channels, data: r.data };
  } catch (e) {
    if (e instanceof DataFormatError) throw e;
    throw new DataFormatError(file, `cannot decode the ${isPng ? 'PNG' : 'JPEG'} image: ${(e as Error).message ?? e}`);
  }
}

function pick(src: Uint8Array, stride: number, keep: number[]): Uint8Array {
  const n = src.length / stride;
  const out = new Uint8Array(n * keep.length);
  for (let i = 0; i < n; i++) keep.forEach((k, j) => { out[i * keep.length + j] = src[i * stride + k]; });
  return out;
}

/** Read and decode one image file. */
export async function readImage(file: string): Promise<Pixels> {
  return decodeImage(await readBytes(file, MAX_IMAGE_FILE_BYTES), file);
}

async function entries(dir: string): Promise<{ name: string; dir: boolean }[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => !n.startsWith('.')).sort();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such folder' : code === 'ENOTDIR' ? 'not a folder' : (e as Error).message;
    throw new ArgumentError(`cannot read the image folder '${dir}': ${why}`);
  }
  return Promise.all(names.map(async (name) => ({ name, dir: (await stat(join(dir, name))).isDirectory() })));
}

/** Image files below `dir` (any depth), in sorted order. */
export async function listImages(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await entries(dir)) {
    const p = join(dir, e.name);
    if (e.dir) out.push(...(await listImages(p)));
    else if (IMAGE_EXT.test(e.name)) out.push(p);
  }
  return out;
}

export interface ImageFolderOptions extends ImageStackOptions {
  /** Dataset name (default: the folder's name). */
  name?: string;
  /** The classes of the training data: class folders must be among them (a test folder). */
  classNames?: readonly string[];
  /** Where `classNames` come from, for messages. */
  classSource?: string;
}

/** The class folders of `dir` and their images; an empty class folder is an error. */
export async function classFolders(dir: string): Promise<{ name: string; files: string[] }[]> {
  const classes = (await entries(dir)).filter((e) => e.dir);
  if (!classes.length) {
    throw new DataFormatError(dir, 'no class folders (expected one subfolder of PNG or JPEG images per class)');
  }
  return Promise.all(classes.map(async ({ name }) => {
    const files = await listImages(join(dir, name));
    if (!files.length) {
      throw new DataFormatError(join(dir, name), `the class folder '${name}' holds no PNG or JPEG images`);
    }
    return { name, files };
  }));
}

/** Decode `files` into a dataset (labels given per file). */
export async function stackImages(
  files: readonly { file: string; label: number }[], name: string, numClasses: number,
  classNames: readonly string[] | undefined, opts: ImageStackOptions,
): Promise<Dataset> {
  const stack = new ImageStack(files.length, opts);
  for (const { file, label } of files) stack.add(await readImage(file), label, file);
  return stack.finish(name, numClasses, classNames);
}

/** One folder of class folders as a dataset; with `classNames`, labels follow those classes. */
export async function readImageFolder(dir: string, opts: ImageFolderOptions = {}): Promise<Dataset> {
  const classes = await classFolders(dir);
  const names = opts.classNames ?? classes.map((c) => c.name);
  const files: { file: string; label: number }[] = [];
  for (const c of classes) {
    const label = names.indexOf(c.name);
    if (label < 0) {
      const source = opts.classSource ?? 'the training data';
      const why = `class '${c.name}' is not a class of ${source} (classes: ${names.join(', ')})`;
      throw new DataFormatError(join(dir, c.name), why);
    }
    for (const file of c.files) files.push({ file, label });
  }
  return stackImages(files, opts.name ?? basename(dir), names.length, names, opts);
}

/**
 * An image folder as training and test data: `DIR/train` and `DIR/test` when both exist (the
 * test classes must be training classes), else DIR's class folders with a fraction of each
 * class held out (every k-th image in sorted order).
 */
export async function loadImageFolder(
  dir: string, opts: ImageFolderOptions & { testFraction?: number } = {},
): Promise<Split> {
  const name = opts.name ?? basename(dir);
  const top = await entries(dir);
  const has = (n: string) => top.some((e) => e.dir && e.name === n);
  if (has('train') && has('test')) {
    const train = await readImageFolder(join(dir, 'train'), { ...opts, name: `${name}-train` });
    const test = await readImageFolder(join(dir, 'test'), {
      ...opts, name: `${name}-test`, classNames: train.classNames!, classSource: join(dir, 'train'),
      shape: train.sampleShape, shapeSource: join(dir, 'train'),
    });
    return { train, test };
  }
  return holdOut(await readImageFolder(dir, { ...opts, name }), opts.testFraction ?? 0.2);
}

/** Image files for prediction: a flat folder (no labels) or class folders (labels). */
export async function listPredictImages(dir: string): Promise<{ files: string[]; labels: string[] | null }> {
  const top = await entries(dir);
  if (top.some((e) => !e.dir && IMAGE_EXT.test(e.name)) || !top.some((e) => e.dir)) {
    const files = await listImages(dir);
    if (!files.length) throw new DataFormatError(dir, 'no PNG or JPEG images in this folder');
    return { files, labels: null };
  }
  const classes = await classFolders(dir);
  return { files: classes.flatMap((c) => c.files), labels: classes.flatMap((c) => c.files.map(() => c.name)) };
}

/** A path relative to the folder, for output rows. */
export function relativeName(dir: string, file: string): string {
  return relative(dir, file) || basename(file);
}
