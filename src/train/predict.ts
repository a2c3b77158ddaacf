/**
 * Prediction: class probabilities (softmax of the model's scores, in eval() mode) for a dataset
 * or a Float32Array of samples, chunk by chunk so that large inputs never exceed the device's
 * binding limit and results can be streamed out; and a model rebuilt from a checkpoint with its
 * input record (sample shape, class names, standardization).
 */
import { ArgumentError, fmtShape } from '../errors.js';
import type { Engine } from '../engine.js';
import { Graph } from '../graph/tensor.js';
import type { Program } from '../graph/program.js';
import { softmax } from '../graph/ops/index.js';
import type { Module } from '../nn/module.js';
import { Dataset } from '../data/dataset.js';
import { Standardizer } from '../nn/standardize.js';
import { decodeSafetensors } from '../io/safetensors.js';
import { checkpointConfig } from '../io/checkpoint.js';
import { parseInputSpec, type InputSpec, type StoredStandardizer } from '../io/input.js';
import { buildModel, parseModel, type ModelSpec } from './factory.js';
import { loadWeights } from './state.js';

export interface PredictOptions {
  /** Shape of one sample (default: the dataset's; required for a Float32Array unless the model flattens). */
  sampleShape?: readonly number[];
  /** Standardization applied first (the training data's), or null. */
  standardizer?: Standardizer | StoredStandardizer | null;
  /** Samples per device run (default: up to 1000, fewer for large samples). */
  batchSize?: number;
}

/** Predictions for a chunk of samples starting at `start`. */
export interface PredictionChunk {
  start: number;
  count: number;
  numClasses: number;
  /** Most probable class per sample (the first one on ties). */
  classes: Int32Array;
  /** count × numClasses probabilities, row-major. */
  probabilities: Float32Array;
  /** count × numClasses scores before the softmax. */
  logits: Float32Array;
}

export interface Predictions {
  classes: Int32Array;
  probabilities: Float32Array;
  logits: Float32Array;
  numClasses: number;
}

/** A Standardizer from its stored form. */
export function standardizerOf(s: Standardizer | StoredStandardizer): Standardizer {
  return s instanceof Standardizer ? s : new Standardizer(Float64Array.from(s.mean), Float64Array.from(s.std), s.count);
}

type Samples = { x: Float32Array; shape: readonly number[]; n: number };

function samples(input: Dataset | Float32Array, opts: PredictOptions): Samples {
  if (input instanceof Dataset) {
    if (opts.sampleShape && opts.sampleShape.join() !== input.sampleShape.join()) {
      const [got, want] = [fmtShape(input.sampleShape), fmtShape(opts.sampleShape)];
      throw new ArgumentError(`predict: '${input.name}' has samples of shape ${got}, expected ${want}`);
    }
    return { x: input.x, shape: input.sampleShape, n: input.length };
  }
  if (!(input instanceof Float32Array)) {
    throw new ArgumentError('predict: the input must be a Dataset or a Float32Array');
  }
  const shape = opts.sampleShape ?? (opts.standardizer ? [opts.standardizer.mean.length] : null);
  if (!shape) throw new ArgumentError('predict: give sampleShape for a Float32Array input');
  const D = shape.reduce((a, d) => a * d, 1);
  if (!D || input.length % D) {
    const what = `a whole number of samples of shape ${fmtShape(shape)}`;
    throw new ArgumentError(`predict: ${input.length} values are not ${what}`);
  }
  return { x: input, shape, n: input.length / D };
}

/**
 * A model ready to predict: compiled programs (one per distinct row count) reused across calls,
 * the standardization applied first. Call dispose() when done.
 */
export class Predictor {
  private progs = new Map<number, Program>();
  private readonly st: Standardizer | null;
  readonly features: number;
  readonly rows: number;

  constructor(
    readonly engine: Engine, readonly model: Module, readonly sampleShape: readonly number[],
    opts: { standardizer?: Standardizer | StoredStandardizer | null; batchSize?: number } = {},
  ) {
    if (!sampleShape.length || !sampleShape.every((d) => Number.isSafeInteger(d) && d > 0)) {
      throw new ArgumentError(`predict: sample shape ${fmtShape(sampleShape)} must be positive integers`);
    }
    this.features = sampleShape.reduce((a, d) => a * d, 1);
    this.st = opts.standardizer ? standardizerOf(opts.standardizer) : null;
    if (this.st && this.st.dims !== this.features) {
      throw new ArgumentError(`predict: the standardizer has ${this.st.dims} features, the samples ${this.features}`);
    }
    this.rows = opts.batchSize ?? Math.min(1000, Math.max(1, Math.floor((16 << 20) / (4 * this.features))));
    if (!Number.isSafeInteger(this.rows) || this.rows < 1) {
      throw new ArgumentError(`predict: batch size must be a positive integer, got ${opts.batchSize}`);
    }
  }

  private async program(m: number): Promise<Program> {
    let p = this.progs.get(m);
    if (p) return p;
    const g = new Graph();
    const logits = this.model.forward(g.input('x', [m, ...this.sampleShape]));
    if (logits.rank !== 2 || logits.shape[0] !== m) {
      throw new ArgumentError(`predict: the model must output (batch, classes) scores, got ${logits}`);
    }
    p = await this.engine.compile(g, { outputs: { logits, probs: softmax(logits) } });
    this.progs.set(m, p);
    return p;
  }

  /** Predictions for the samples in `x` (row-major, a whole number of samples). */
  async run(x: Float32Array, start = 0): Promise<PredictionChunk> {
    const D = this.features;
    if (!(x instanceof Float32Array) || x.length % D) {
      const shape = fmtShape(this.sampleShape);
      throw new ArgumentError(`predict: ${x?.length} values are not a whole number of samples of shape ${shape}`);
    }
    const n = x.length / D;
    if (this.st && n) x = await this.st.transform(this.engine, x);
    const parts: { probs: Float32Array; logits: Float32Array }[] = [];
    const wasTraining = this.model.training;
    this.model.eval();
    try {
      for (let s = 0; s < n; s += this.rows) {
        const m = Math.min(this.rows, n - s);
        const p = await this.program(m);
        await p.run({ x: x.subarray(s * D, (s + m) * D) });
        const probs = Float32Array.from(await p.read('probs'));
        parts.push({ probs, logits: Float32Array.from(await p.read('logits')) });
      }
    } finally {
      if (wasTraining) this.model.train();
    }
    const C = parts.length ? parts[0].probs.length / Math.min(this.rows, n) : 0;
    const probabilities = new Float32Array(n * C), logits = new Float32Array(n * C);
    let off = 0;
    for (const q of parts) {
      probabilities.set(q.probs, off);
      logits.set(q.logits, off);
      off += q.probs.length;
    }
    const classes = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 1; c < C; c++) if (probabilities[i * C + c] > probabilities[i * C + best]) best = c;
      classes[i] = best;
    }
    return { start, count: n, numClasses: C, classes, probabilities, logits };
  }

  dispose(): void {
    for (const p of this.progs.values()) p.dispose();
    this.progs.clear();
  }
}

/** Predict chunk by chunk (in order), `batchSize` samples at a time. */
export async function* predictChunks(
  engine: Engine, model: Module, input: Dataset | Float32Array, opts: PredictOptions = {},
): AsyncGenerator<PredictionChunk> {
  const { x, shape, n } = samples(input, opts);
  const p = new Predictor(engine, model, shape, opts);
  try {
    const D = p.features;
    for (let start = 0; start < n; start += p.rows) {
      yield await p.run(x.subarray(start * D, Math.min(n, start + p.rows) * D), start);
    }
  } finally {
    p.dispose();
  }
}

/** Class indices, probabilities and scores for every sample of `input`. */
export async function predict(
  engine: Engine, model: Module, input: Dataset | Float32Array, opts: PredictOptions = {},
): Promise<Predictions> {
  const parts: PredictionChunk[] = [];
  for await (const c of predictChunks(engine, model, input, opts)) parts.push(c);
  const n = parts.reduce((a, c) => a + c.count, 0);
  const C = parts[0]?.numClasses ?? 0;
  const out = {
    classes: new Int32Array(n), probabilities: new Float32Array(n * C), logits: new Float32Array(n * C), numClasses: C,
  };
  for (const c of parts) {
    out.classes.set(c.classes, c.start);
    out.probabilities.set(c.probabilities, c.start * C);
    out.logits.set(c.logits, c.start * C);
  }
  return out;
}

/** A model rebuilt from a checkpoint, its weights loaded, with what the checkpoint says of its inputs. */
export interface LoadedModel {
  model: Module;
  /** The stored input record, or null for a checkpoint written without one. */
  input: InputSpec | null;
  /** Samples' feature count and the number of classes (from the weights). */
  features: number;
  numClasses: number;
  config: Record<string, unknown>;
  step: number;
}

/**
 * Rebuild the model a checkpoint was trained with (its config's model, norm and activation;
 * sizes from its weights) and load the weights into it.
 */
export function loadModel(engine: Engine, bytes: Uint8Array): LoadedModel {
  const sizes = checkpointSizes(bytes);
  const { config, input, features, numClasses } = sizes;
  const model = buildModel(modelSpec(config), modelInput(sizes), numClasses);
  const s = loadWeights(engine, model, bytes);
  return { model, input, features, numClasses, config, step: s.progress.step };
}

/** A checkpoint's config, input record, and its model's feature and class counts (from the weights). */
export interface CheckpointSizes {
  config: Record<string, unknown>;
  input: InputSpec | null;
  features: number;
  numClasses: number;
}

/** The model spec a checkpoint's config names (defaults as the command line's). */
export function modelSpec(config: Record<string, unknown>): ModelSpec {
  const s = (k: string, d: string) => String(config[k] ?? d);
  return parseModel(s('model', 'mlp:512,256'), s('norm', 'none'), s('activation', 'relu'), Number(config.dropout ?? 0));
}

/** What buildModel takes for a checkpoint's model: a cnn's sample shape, an mlp's feature count. */
export function modelInput(s: CheckpointSizes): number | readonly number[] {
  return s.input && modelSpec(s.config).kind === 'cnn' ? s.input.shape : s.features;
}

export function checkpointSizes(bytes: Uint8Array): CheckpointSizes {
  const file = decodeSafetensors(bytes);
  const config = checkpointConfig(file.metadata);
  const input = file.metadata.input !== undefined ? parseInputSpec(file.metadata.input) : null;
  // Linear weights are (out, in): the first gives the features, the last the classes.
  const weights = [...file.tensors].filter(([k, t]) => /^\d+\.weight$/.test(k) && t.shape.length === 2);
  weights.sort((a, b) => parseInt(a[0]) - parseInt(b[0]));
  if (!weights.length) throw new ArgumentError('the checkpoint holds no Linear weights (tensors named like 1.weight)');
  // A cnn's first Linear follows its conv blocks: its samples' size is in the input record.
  const cnn = modelSpec(config).kind === 'cnn';
  if (cnn && !input) throw new ArgumentError('the checkpoint of a cnn model has no input record (its sample shape)');
  const features = cnn ? input!.shape.reduce((a, d) => a * d, 1) : weights[0][1].shape[1];
  const numClasses = weights[weights.length - 1][1].shape[0];
  if (input && (input.shape.reduce((a, d) => a * d, 1) !== features || input.numClasses !== numClasses)) {
    const record = `shape ${fmtShape(input.shape)}, ${input.numClasses} classes`;
    const sizes = `${features} features, ${numClasses} classes`;
    throw new ArgumentError(`the checkpoint's input record (${record}) does not fit its weights (${sizes})`);
  }
  return { config, input, features, numClasses };
}
