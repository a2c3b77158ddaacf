/**
 * One training session of the page: an MLP on the digits, a training program (forward,
 * backward and the optimizer's fused update in one submission) and an evaluation program
 * sharing the same parameters. Optimizers, schedules and layers are the library's own.
 */
import * as slope from '../src/browser.js';
import { gather, rawMap, standardiseMap, type Digits, type PixelMap, type Split } from './digits.js';

const { Graph, Sequential, Linear, ReLU, crossEntropy, grad } = slope;

export const OPTIMIZERS = {
  sgd: { label: 'SGD', lr: 0.1, make: (p: slope.Parameter[], lr: number) => new slope.SGD(p, { lr }) },
  momentum: { label: 'SGD + momentum 0.9', lr: 0.05, make: (p: slope.Parameter[], lr: number) => new slope.SGD(p, { lr, momentum: 0.9 }) },
  nesterov: { label: 'SGD + Nesterov 0.9', lr: 0.05, make: (p: slope.Parameter[], lr: number) => new slope.SGD(p, { lr, momentum: 0.9, nesterov: true }) },
  adagrad: { label: 'Adagrad', lr: 0.05, make: (p: slope.Parameter[], lr: number) => new slope.Adagrad(p, { lr }) },
  rmsprop: { label: 'RMSprop', lr: 0.001, make: (p: slope.Parameter[], lr: number) => new slope.RMSprop(p, { lr }) },
  adam: { label: 'Adam', lr: 0.001, make: (p: slope.Parameter[], lr: number) => new slope.Adam(p, { lr }) },
  adamw: { label: 'AdamW', lr: 0.001, make: (p: slope.Parameter[], lr: number) => new slope.AdamW(p, { lr }) },
} as const;

export const SCHEDULES = {
  constant: { label: 'constant', make: (lr: number) => slope.constant(lr) },
  step: { label: 'step (×0.5 every third)', make: (lr: number, T: number) => slope.stepLR(lr, Math.max(1, Math.round(T / 3)), 0.5) },
  exponential: { label: 'exponential (to 1%)', make: (lr: number, T: number) => slope.exponentialLR(lr, 0.01 ** (1 / T)) },
  cosine: { label: 'cosine annealing', make: (lr: number, T: number) => slope.cosineAnnealingLR(lr, T) },
  'warmup-cosine': { label: 'warmup (10%) + cosine', make: (lr: number, T: number) => slope.warmupCosine(lr, Math.max(1, Math.round(T / 10)), T) },
  'inverse-sqrt': { label: 'warmup + inverse sqrt', make: (lr: number, T: number) => slope.inverseSqrt(lr, Math.max(1, Math.round(T / 10))) },
} as const;

/** A hidden layer of `h` units after `w` inputs, with its normalization, then ReLU. */
export const NORMS = {
  none: { label: 'none', layer: (w: number, h: number) => [new Linear(w, h)] },
  batchnorm: { label: 'BatchNorm', layer: (w: number, h: number) => [new Linear(w, h), new slope.BatchNorm1d(h)] },
  batchrenorm: { label: 'Batch Renormalization', layer: (w: number, h: number) => [new Linear(w, h), new slope.BatchRenorm1d(h)] },
  layernorm: { label: 'LayerNorm', layer: (w: number, h: number) => [new Linear(w, h), new slope.LayerNorm(h)] },
  groupnorm: { label: 'GroupNorm (8 groups)', layer: (w: number, h: number) => [new Linear(w, h), new slope.GroupNorm(8, h)] },
  weightnorm: { label: 'weight normalization', layer: (w: number, h: number) => [slope.weightNorm(new Linear(w, h))] },
  spectralnorm: { label: 'spectral normalization', layer: (w: number, h: number) => [slope.spectralNorm(new Linear(w, h))] },
} as const;

export type OptimizerName = keyof typeof OPTIMIZERS;
export type ScheduleName = keyof typeof SCHEDULES;
export type NormName = keyof typeof NORMS;
export type InputNorm = 'raw' | 'standardize';

export interface TrainConfig {
  optimizer: OptimizerName;
  lr: number;
  schedule: ScheduleName;
  batchSize: number;
  inputNorm: InputNorm;
  layerNorm: NormName;
  hidden: number[];
  /** Horizon of the decaying schedules. */
  totalSteps: number;
  seed: number;
}

export const EVAL_BATCH = 250;

function buildModel(cfg: TrainConfig, inputs: number): slope.Module {
  slope.manualSeed(cfg.seed);
  const layers: slope.Module[] = [];
  let width = inputs;
  for (const h of cfg.hidden) {
    layers.push(...NORMS[cfg.layerNorm].layer(width, h), new ReLU());
    width = h;
  }
  layers.push(new Linear(width, 10));
  return new Sequential(...layers);
}

export class Session {
  step = 0;
  private cursor = 0;

  private constructor(
    readonly engine: slope.Engine, readonly cfg: TrainConfig, private digits: Digits, private split: Split,
    private map: PixelMap, private opt: slope.Optimizer, private train: slope.Program, private evalProg: slope.Program,
  ) {}

  static async create(engine: slope.Engine, digits: Digits, split: Split, cfg: TrainConfig): Promise<Session> {
    const px = digits.rows * digits.cols;
    const map = cfg.inputNorm === 'standardize' ? standardiseMap(digits, split.train) : rawMap(px);
    const model = buildModel(cfg, px);
    const g = new Graph();
    const logits = model.train().forward(g.input('x', [cfg.batchSize, px]));
    const loss = crossEntropy(logits, g.input('y', [cfg.batchSize], 'i32'));
    const params = model.parameters();
    const grads = grad(loss, params.map((p) => g.param(p)));
    const opt = OPTIMIZERS[cfg.optimizer].make(params, cfg.lr);
    opt.schedule = SCHEDULES[cfg.schedule].make(cfg.lr, cfg.totalSteps);
    const train = await engine.compile(g, {
      outputs: { loss, logits }, loss, gradients: params.map((p, i) => [p, grads[i]] as const), hooks: [opt],
    });
    const ge = new Graph();
    const evalLogits = model.eval().forward(ge.input('x', [EVAL_BATCH, px]));
    const evalProg = await engine.compile(ge, { outputs: { logits: evalLogits } });
    model.train();
    return new Session(engine, cfg, digits, split, map, opt, train, evalProg);
  }

  /** The learning rate of the last step. */
  get lr(): number {
    return this.opt.lr;
  }

  /** One optimisation step on the next mini-batch (cycling through the shuffled training digits). */
  async trainStep(): Promise<void> {
    const B = this.cfg.batchSize;
    const batch = gather(this.digits, this.split.train, this.cursor, B, this.map);
    this.cursor = (this.cursor + B) % this.split.train.length;
    await this.train.run(batch);
    this.step++;
  }

  /** Loss and accuracy of the last training batch. */
  async lastBatchMetrics(): Promise<{ loss: number; acc: number }> {
    const loss = (await this.train.read('loss'))[0];
    const logits = await this.train.read('logits');
    const B = this.cfg.batchSize;
    const start = (this.cursor - B + this.split.train.length) % this.split.train.length;
    const { y } = gather(this.digits, this.split.train, start, B, this.map);
    return { loss, acc: accuracy(argmax(logits, 10), y) };
  }

  /** Predictions for the first `n` test digits (rounded up to whole evaluation batches). */
  async evaluate(n: number): Promise<{ acc: number; preds: Int32Array; labels: Int32Array }> {
    const batches = Math.ceil(n / EVAL_BATCH);
    const preds = new Int32Array(batches * EVAL_BATCH), labels = new Int32Array(batches * EVAL_BATCH);
    for (let b = 0; b < batches; b++) {
      const { x, y } = gather(this.digits, this.split.test, b * EVAL_BATCH, EVAL_BATCH, this.map);
      await this.evalProg.run({ x });
      preds.set(argmax(await this.evalProg.read('logits'), 10), b * EVAL_BATCH);
      labels.set(y, b * EVAL_BATCH);
    }
    return { acc: accuracy(preds, labels), preds, labels };
  }

  dispose(): void {
    this.train.dispose();
    this.evalProg.dispose();
  }
}

export function argmax(logits: ArrayLike<number>, classes: number): Int32Array {
  const n = logits.length / classes;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[i * classes + c] > logits[i * classes + best]) best = c;
    out[i] = best;
  }
  return out;
}

function accuracy(preds: ArrayLike<number>, labels: ArrayLike<number>): number {
  let ok = 0;
  for (let i = 0; i < labels.length; i++) if (preds[i] === labels[i]) ok++;
  return ok / labels.length;
}
