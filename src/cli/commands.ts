/** The commands of `slope` and their flags. */
import type { CommandSpec } from './args.js';
import { ACTIVATIONS, NORMS, OPTIMIZERS } from '../train/factory.js';

const common = {
  backend: { kind: 'string', help: 'webgpu (the GPU, or a software adapter) or cpu (float64 reference, slow)',
    default: 'webgpu', choices: ['webgpu', 'cpu'] },
  json: { kind: 'boolean', help: 'print a JSON object as the last line' },
} as const;

const dataset = { kind: 'string', arg: 'SPEC',
  help: 'mnist (built-in 10,000 digits), fashion-mnist, idx:DIR (MNIST-format files), csv:FILE, images:DIR (a folder ' +
    'per class)' } as const;

/** Flags of the data a model sees: a separate test set, image conversions, standardization. */
const dataFlags = {
  test: { kind: 'string', arg: 'SPEC',
    help: 'csv:FILE or images:DIR test data with the training data\'s columns and classes (default: held out)' },
  resize: { kind: 'string', arg: 'HxW',
    help: 'images: resize every image to H×W (bilinear); without it all must have the first one\'s size' },
  channels: { kind: 'string', choices: ['1', '3'], help: 'images: 1 (gray) or 3 (RGB); default the first image\'s' },
} as const;

export const COMMANDS: Record<string, CommandSpec> = {
  train: {
    summary: 'train a classifier and report loss and accuracy',
    flags: {
      dataset: { ...dataset, default: 'mnist' },
      model: { kind: 'string', arg: 'SPEC',
        help: 'mlp:W1,W2,… (hidden widths), linear, or cnn:C1,C2,…[,gap][/H1,…] (3×3 conv blocks with 2×2 max ' +
          'pooling, then global average pooling or a flatten, then hidden Linears)', default: 'mlp:512,256' },
      norm: { kind: 'string',
        help: `normalization after each hidden Linear or conv: ${NORMS.filter((n) => n !== 'group').join(', ')}; cnn ` +
          `also group[:G] (GroupNorm, G = 8 by default; layer is GroupNorm with one group)`, default: 'none' },
      dropout: { kind: 'number', min: 0, below: 1, arg: 'P',
        help: 'dropout probability before each Linear (after the first, for an mlp)', default: 0 },
      activation: { kind: 'string', help: 'hidden activation', default: 'relu', choices: ACTIVATIONS },
      optimizer: { kind: 'string', help: 'optimizer', default: 'adam', choices: OPTIMIZERS },
      lr: { kind: 'number', above: 0, help: 'learning rate (default: the optimizer\'s; sgd 0.1)' },
      momentum: { kind: 'number', min: 0, help: 'momentum for sgd/momentum/rmsprop' },
      'weight-decay': { kind: 'number', min: 0, help: 'weight decay (L2; decoupled for adamw)' },
      'clip-grad-norm': { kind: 'number', above: 0, help: 'clip the global gradient norm to this value' },
      schedule: { kind: 'string', arg: 'SPEC',
        help: 'constant, cosine, warmup-cosine:W, warmup-linear:W, inverse-sqrt:W, step:S[,G], multistep:E1/E2[,G], ' +
          'exp:G, inverse-time:K, plateau[:P[,F]]', default: 'constant' },
      'batch-size': { kind: 'int', min: 1, help: 'samples per update', default: 64 },
      epochs: { kind: 'int', min: 1, help: 'train until this many epochs are done (schedules span them)', default: 5 },
      steps: { kind: 'int', min: 1, help: 'stop after this many steps in this run (then checkpoint); resume later' },
      seed: { kind: 'int', min: 0, help: 'seed of the initialization, data order and augmentation', default: 0 },
      'label-smoothing': { kind: 'number', min: 0, below: 1, help: 'label smoothing ε in [0, 1)', default: 0 },
      'augment-shift': { kind: 'int', min: 0, arg: 'PIXELS',
        help: 'random image translations of up to this many pixels', default: 0 },
      'augment-crop': { kind: 'int', min: 0, arg: 'PADDING',
        help: 'padded random crops: pad each side with PADDING zeros, crop the image size at a random place ' +
          '(torchvision\'s RandomCrop(size, padding); the same draws as --augment-shift PADDING)' },
      'augment-flip': { kind: 'boolean', help: 'mirror each training image left to right with probability 1/2' },
      'drop-last': { kind: 'boolean', help: 'skip the last partial batch of each epoch' },
      'log-every': { kind: 'int', min: 1, arg: 'STEPS',
        help: 'steps between progress updates (default: ~20 per epoch)' },
      'test-fraction': { kind: 'number', above: 0, below: 1, help: 'csv: fraction of each class held out for testing',
        default: 0.2 },
      label: { kind: 'string', arg: 'COLUMN', help: 'csv: label column (name or 0-based index; default the last)' },
      ...dataFlags,
      standardize: { kind: 'boolean',
        help: 'standardize features with the training data\'s mean and std (default: on for csv, off otherwise)' },
      checkpoint: { kind: 'string', arg: 'FILE',
        help: 'save a safetensors checkpoint after every epoch, at the end and on Ctrl-C (atomically)' },
      resume: {
        kind: 'string', arg: 'FILE',
        help: 'continue from a checkpoint, saving to it: its options are the defaults; only --epochs, --steps, --lr, ' +
          '--schedule, '
          + '--batch-size (at an epoch boundary) and the outputs may differ',
      },
      curves: { kind: 'string', arg: 'FILE.svg', help: 'write loss and accuracy curves as SVG' },
      quiet: { kind: 'boolean', help: 'no progress output' },
      ...common,
    },
  },
  evaluate: {
    summary: 'evaluate a checkpoint on a dataset\'s test set',
    flags: {
      checkpoint: { kind: 'string', arg: 'FILE', help: 'checkpoint to evaluate (required)' },
      dataset: { ...dataset, help: `${dataset.help} (default: the checkpoint's)` },
      split: { kind: 'string', help: 'which part of the dataset', default: 'test', choices: ['test', 'train'] },
      'batch-size': { kind: 'int', min: 1, help: 'rows per evaluation run', default: 1000 },
      'test-fraction': { kind: 'number', above: 0, below: 1, help: 'csv: fraction held out for testing', default: 0.2 },
      label: { kind: 'string', arg: 'COLUMN', help: 'csv: label column' },
      ...dataFlags,
      standardize: { kind: 'boolean',
        help: 'apply the checkpoint\'s standardization (default: when it has one; false: skip it)' },
      ...common,
    },
  },
  predict: {
    summary: 'predict classes with a checkpoint: per row or image the class, its probability and the top K',
    flags: {
      checkpoint: { kind: 'string', arg: 'FILE', help: 'the trained model (required)' },
      input: { kind: 'string', arg: 'SPEC',
        help: 'csv:FILE (with or without the label column), images:DIR (images, or class folders), idx:DIR (its t10k ' +
          'files) (required)' },
      output: { kind: 'string', arg: 'FILE',
        help: 'write the predictions here (atomically, only when all succeed; default: stdout)' },
      top: { kind: 'int', min: 1, arg: 'K', help: 'also list the K most probable classes', default: 1 },
      'batch-size': { kind: 'int', min: 1, help: 'samples per device run and per output chunk', default: 1000 },
      standardize: { kind: 'boolean',
        help: 'apply the checkpoint\'s standardization (default: when it has one; false: skip it)' },
      ...common,
      json: { kind: 'boolean', help: 'one JSON object per row, and a JSON summary as the last line' },
    },
  },
  export: {
    summary: 'write a Python file that rebuilds a checkpoint\'s model in PyTorch and loads its weights',
    flags: {
      checkpoint: { kind: 'string', arg: 'FILE', help: 'the trained model (required)' },
      format: { kind: 'string', help: 'what to write', default: 'torch', choices: ['torch'] },
      out: { kind: 'string', arg: 'FILE.py', help: 'the Python file to write (required)' },
    },
  },
  info: {
    summary: 'show the adapter, its limits and features',
    flags: { ...common },
  },
  bench: {
    summary: 'measure this adapter: a square matmul and an MLP training step (bench/ has the full benchmarks)',
    flags: {
      size: { kind: 'int', min: 1, help: 'matmul size n (n×n×n)', default: 512 },
      batch: { kind: 'int', min: 1, help: 'the larger batch of the training step (the other is 1)', default: 64 },
      runs: { kind: 'int', min: 1, help: 'rounds to take the median of', default: 5 },
      tune: { kind: 'boolean', help: 'first time every matmul variant here and use the fastest (tuneMatmul)' },
      profile: { kind: 'boolean',
        help: 'profile one training step at --batch instead: every dispatch\'s GPU time against this adapter\'s ' +
          'roofline (medians of --runs steps)' },
      trace: { kind: 'string', arg: 'FILE',
        help: 'with --profile: write the steps as a Chrome trace (opens in Perfetto)' },
      ...common,
    },
  },
  inspect: {
    summary: 'list what a checkpoint (or any safetensors file) holds: tensors, shapes, metadata',
    flags: {
      checkpoint: { kind: 'string', arg: 'FILE', help: 'the file to inspect (required)' },
      json: common.json,
    },
  },
};
