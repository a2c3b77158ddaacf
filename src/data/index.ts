/** Datasets, batching and file formats that work in every environment (no Node modules here). */
export { Dataset, packBytes, holdOut, type DatasetInit, type ByteFeatures, type Split } from './dataset.js';
export { DataLoader, permutation, mixSeed, type DataLoaderOptions } from './loader.js';
export { DataFormatError } from './errors.js';
export { parseIdx, parseIdxHeader, readIdx, inflateIdx, webInflate, isGzip, IDX_TYPES, DEFAULT_MAX_IDX_BYTES,
  type IdxArray, type IdxHeader, type IdxExpect, type Inflater } from './idx.js';
export { mnistFromIdx, splitDigits, FASHION_MNIST_CLASSES, DIGIT_CLASSES, type IdxPairOptions } from './mnist.js';
export { parseCsv, splitCsvLine, parseDecimal, type CsvOptions } from './csv.js';
export { ImageStack, toChannels, resizeBilinear, naturalChannels, parseImageSize, type Pixels, type ImageChannels,
  type ImageStackOptions } from './images.js';
export { alignClasses, parseFeatureCsv, csvHeader, type ClassSpace } from './inputs.js';
