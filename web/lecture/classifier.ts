/**
 * A classifier trained batch by batch on the pages: the model's forward pass, a loss (softmax +
 * cross-entropy, or the lecture's softmax + squared error against one-hot targets), its gradient
 * by grad(), and the library's optimizer as the program's hook — one program per batch size —
 * with the loss and the count of correct predictions read back after each step. Batches are
 * drawn from a seeded permutation of the training set, reshuffled every epoch.
 */
import { slope } from './common.js';

const { Graph, grad, crossEntropy, softmax, oneHot, square, sub, sum, scale, correct } = slope;
type Tensor = slope.Tensor;

export type LossKind = 'ce' | 'mse';

/** The mean over the batch of the loss of each row: cross-entropy, or Σ_c (softmax(z)_c − ŷ_c)². */
export function classLoss(kind: LossKind, z: Tensor, y: Tensor): Tensor {
  const [n, c] = z.shape;
  if (kind === 'ce') return crossEntropy(z, y);
  return scale(sum(square(sub(softmax(z), oneHot(y, c)))), 1 / n);
}

/** Shuffled batches of a dataset: a new seeded permutation every epoch. */
export class Batches {
  private order: Int32Array;
  private at = 0;
  epoch = 0;
  readonly x: Float32Array;
  readonly y: Int32Array;

  constructor(readonly data: slope.Dataset, readonly size: number, private gen = new slope.Generator(7)) {
    this.order = slope.permutation(data.length, gen);
    this.x = new Float32Array(size * data.features);
    this.y = new Int32Array(size);
  }

  /** Fill x and y with the next batch (a new epoch, freshly shuffled, when this one has too few left). */
  next(): { x: Float32Array; y: Int32Array } {
    if (this.at + this.size > this.order.length) {
      this.order = slope.permutation(this.data.length, this.gen);
      this.at = 0;
      this.epoch++;
    }
    this.data.fill(this.order.subarray(this.at, this.at + this.size), this.x, this.y);
    this.at += this.size;
    return { x: this.x, y: this.y };
  }
}

export interface StepResult {
  loss: number;
  /** Fraction of the batch predicted right. */
  accuracy: number;
}

export class Classifier {
  private constructor(readonly engine: slope.Engine, readonly model: slope.Module, readonly optimizer: slope.Optimizer, readonly batch: number, private prog: slope.Program) {}

  /** A training step at batch size `batch` for `model` (features flat) with `optimizer` over its parameters. */
  static async create(engine: slope.Engine, model: slope.Module, optimizer: slope.Optimizer, o: { batch: number; features: number; loss: LossKind }): Promise<Classifier> {
    const g = new Graph();
    const x = g.input('x', [o.batch, o.features]);
    const y = g.input('y', [o.batch], 'i32');
    model.train();
    const z = model.forward(x);
    const loss = classLoss(o.loss, z, y);
    const params = model.parameters();
    const grads = grad(loss, params.map((p) => g.param(p)));
    const prog = await engine.compile(g, {
      outputs: { loss, correct: sum(correct(z, y)) }, loss, gradients: params.map((p, i) => [p, grads[i]] as const), hooks: [optimizer],
    });
    return new Classifier(engine, model, optimizer, o.batch, prog);
  }

  /** One update on (x, y); `read` false skips the readback (the step is only submitted). */
  async step(b: { x: Float32Array; y: Int32Array }, read = true): Promise<StepResult | null> {
    await this.prog.run({ x: b.x, y: b.y });
    if (!read) return null;
    const [loss, right] = [await this.prog.item('loss'), await this.prog.item('correct')];
    return { loss, accuracy: right / this.batch };
  }

  dispose(): void {
    this.prog.dispose();
  }
}

/** Accuracy and mean cross-entropy of a model over a whole dataset, in chunks of `rows` (in evaluation mode by default). */
export class Evaluation {
  private constructor(private prog: slope.Program, readonly rows: number) {}

  /**
   * In mode 'train' the model normalizes with each chunk's own statistics (BatchNorm's training
   * mode), and, as in PyTorch, running the evaluation updates its running statistics.
   */
  static async create(engine: slope.Engine, model: slope.Module, features: number, rows: number, mode: 'eval' | 'train' = 'eval'): Promise<Evaluation> {
    const g = new Graph();
    const x = g.input('x', [rows, features]);
    const y = g.input('y', [rows], 'i32');
    model.train(mode === 'train');
    const z = model.forward(x);
    model.train();
    const prog = await engine.compile(g, { outputs: { loss: sum(crossEntropy(z, y, { reduction: 'none' })), correct: sum(correct(z, y)) } });
    return new Evaluation(prog, rows);
  }

  /** Over the first floor(n/rows)·rows samples of `ds`. */
  async run(ds: slope.Dataset): Promise<{ loss: number; accuracy: number }> {
    const n = Math.floor(ds.length / this.rows) * this.rows;
    const x = new Float32Array(this.rows * ds.features), y = new Int32Array(this.rows);
    let loss = 0, right = 0;
    for (let i = 0; i < n; i += this.rows) {
      ds.fill(Int32Array.from({ length: this.rows }, (_, k) => i + k), x, y);
      await this.prog.run({ x, y });
      loss += await this.prog.item('loss');
      right += await this.prog.item('correct');
    }
    return { loss: loss / n, accuracy: right / n };
  }

  dispose(): void {
    this.prog.dispose();
  }
}
