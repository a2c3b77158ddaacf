/**
 * One training session of the page: an MLP on the digits, a training program (forward,
 * backward and update in one step) and an evaluation program sharing the same parameters.
 */
import * as slope from '../src/browser.js';
import { gather, rawMap, standardiseMap, type Digits, type PixelMap, type Split } from './digits.js';

const { Graph, Sequential, Linear, ReLU, crossEntropy, grad } = slope;

export type OptimizerName = 'sgd' | 'momentum';
export type ScheduleName = 'constant' | 'step' | 'cosine' | 'warmup-cosine' | 'exponential';
export type InputNorm = 'raw' | 'standardize';
export type LayerNorm = 'none';

export interface TrainConfig {
  optimizer: OptimizerName;
  lr: number;
  schedule: ScheduleName;
  batchSize: number;
  inputNorm: InputNorm;
  layerNorm: LayerNorm;
  hidden: number[];
  /** Horizon of the decaying schedules. */
  totalSteps: number;
  seed: number;
}

export const EVAL_BATCH = 250;

/** The learning rate at a step (0-based) for a schedule. */
export function scheduleLr(name: ScheduleName, lr: number, step: number, total: number): number {
  const t = Math.min(step, total);
  switch (name) {
    case 'constant': return lr;
    case 'step': return lr * 0.5 ** Math.floor(t / Math.max(1, Math.round(total / 3)));
    case 'exponential': return lr * 0.01 ** (t / total);
    case 'cosine': return 0.5 * lr * (1 + Math.cos((Math.PI * t) / total));
    case 'warmup-cosine': {
      const warm = Math.max(1, Math.round(total * 0.1));
      return t < warm ? (lr * (t + 1)) / warm : 0.5 * lr * (1 + Math.cos((Math.PI * (t - warm)) / Math.max(1, total - warm)));
    }
  }
}

function buildModel(cfg: TrainConfig, inputs: number): slope.Module {
  slope.manualSeed(cfg.seed);
  const layers: slope.Module[] = [];
  let width = inputs;
  for (const h of cfg.hidden) {
    layers.push(new Linear(width, h), new ReLU());
    width = h;
  }
  layers.push(new Linear(width, 10));
  return new Sequential(...layers);
}

export class Session {
  step = 0;
  private cursor = 0;
  private velocity: Float32Array[];

  private constructor(
    readonly engine: slope.Engine, readonly cfg: TrainConfig, private digits: Digits, private split: Split,
    private map: PixelMap, private model: slope.Module, private train: slope.Program, private evalProg: slope.Program,
  ) {
    this.velocity = model.parameters().map((p) => new Float32Array(p.size));
  }

  static async create(engine: slope.Engine, digits: Digits, split: Split, cfg: TrainConfig): Promise<Session> {
    const px = digits.rows * digits.cols;
    const map = cfg.inputNorm === 'standardize' ? standardiseMap(digits, split.train) : rawMap(px);
    const model = buildModel(cfg, px);
    const g = new Graph();
    const logits = model.train().forward(g.input('x', [cfg.batchSize, px]));
    const loss = crossEntropy(logits, g.input('y', [cfg.batchSize], 'i32'));
    const params = model.parameters();
    const grads = grad(loss, params.map((p) => g.param(p)));
    const outputs: Record<string, slope.Tensor> = { loss, logits };
    grads.forEach((t, i) => { outputs[`g${i}`] = t; });
    const train = await engine.compile(g, { outputs, loss });
    const ge = new Graph();
    const evalLogits = model.eval().forward(ge.input('x', [EVAL_BATCH, px]));
    const evalProg = await engine.compile(ge, { outputs: { logits: evalLogits } });
    model.train();
    return new Session(engine, cfg, digits, split, map, model, train, evalProg);
  }

  get lr(): number {
    return scheduleLr(this.cfg.schedule, this.cfg.lr, this.step, this.cfg.totalSteps);
  }

  /** One optimisation step on the next mini-batch (reshuffled each epoch). */
  async trainStep(): Promise<void> {
    const B = this.cfg.batchSize;
    const batch = gather(this.digits, this.split.train, this.cursor, B, this.map);
    this.cursor = (this.cursor + B) % this.split.train.length;
    await this.train.run(batch);
    await this.update(this.lr);
    this.step++;
  }

  /** SGD (PyTorch's form: v ← μ·v + g, w ← w − lr·v). */
  private async update(lr: number): Promise<void> {
    const mu = this.cfg.optimizer === 'momentum' ? 0.9 : 0;
    const params = this.model.parameters();
    for (let i = 0; i < params.length; i++) {
      const w = Float32Array.from(await this.engine.read(params[i]));
      const g = await this.train.read(`g${i}`);
      const v = this.velocity[i];
      for (let k = 0; k < w.length; k++) {
        v[k] = mu * v[k] + g[k];
        w[k] -= lr * v[k];
      }
      this.engine.write(params[i], w);
    }
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
