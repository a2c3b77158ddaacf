/**
 * One training session of the page, with the same training code as `slope train` in Node: the
 * model, optimizer and schedule come from the command line's factories (parseModel, buildModel,
 * makeOptimizer, makeSchedule) and the Trainer runs the steps (forward, backward, fused update
 * and metric accumulation in one submission; metrics read once per log interval). An extra
 * evaluation program shows the predictions for a few test digits.
 */
import * as slope from '../src/browser.js';

export type OptimizerName = slope.OptimizerName;
export type NormName = slope.NormKind;
export type InputNorm = 'raw' | 'standardize';

export const OPTIMIZER_LABELS: Record<OptimizerName, string> = {
  sgd: 'SGD', momentum: 'SGD + momentum 0.9', adagrad: 'Adagrad', rmsprop: 'RMSprop', adam: 'Adam', adamw: 'AdamW',
};

// GroupNorm is for cnn: models only.
export const NORM_LABELS: Record<Exclude<NormName, 'group'>, string> = { none: 'none', batch: 'BatchNorm', layer: 'LayerNorm' };

/** Schedules as the command line spells them; warmups last a tenth of the run. */
export const SCHEDULES: Record<string, { label: string; spec(totalSteps: number): string }> = {
  constant: { label: 'constant', spec: () => 'constant' },
  cosine: { label: 'cosine annealing', spec: () => 'cosine' },
  'warmup-cosine': { label: 'warmup + cosine', spec: (T) => `warmup-cosine:${Math.max(1, Math.round(T / 10))}` },
  'inverse-sqrt': { label: 'warmup + inverse sqrt', spec: (T) => `inverse-sqrt:${Math.max(1, Math.round(T / 10))}` },
  step: { label: 'step (×0.5 every epoch)', spec: () => 'step:1,0.5' },
  exp: { label: 'exponential (×0.7 per epoch)', spec: () => 'exp:0.7' },
  plateau: { label: 'reduce on plateau (test loss)', spec: () => 'plateau:1,0.5' },
};

export interface TrainConfig {
  optimizer: OptimizerName;
  lr: number;
  schedule: string;
  batchSize: number;
  inputNorm: InputNorm;
  norm: NormName;
  /** A model spec as the command line takes it: 'mlp:128', or 'cnn:8,16' (3×3 conv blocks with 2×2 max pooling). */
  model: string;
  /** Length of the run (the horizon of the decaying schedules). */
  totalSteps: number;
  seed: number;
}

/** Steps between readbacks of the training loss and accuracy. */
export const LOG_EVERY = 5;

/** The same feature standardization for both sets, with the training set's statistics. */
async function standardize(engine: slope.Engine, data: slope.Split): Promise<slope.Split> {
  const D = data.train.features;
  const st = await slope.fitStandardizer(engine, data.train.x, D);
  const apply = async (ds: slope.Dataset) => new slope.Dataset({
    name: ds.name, sampleShape: ds.sampleShape, y: ds.y, numClasses: ds.numClasses, x: await st.transform(engine, ds.x),
    classNames: ds.classNames ?? undefined,
  });
  return { train: await apply(data.train), test: await apply(data.test) };
}

export class Session {
  private constructor(
    readonly engine: slope.Engine, readonly cfg: TrainConfig, readonly data: slope.Split,
    readonly trainer: slope.Trainer, private grid: { prog: slope.Program; indices: Int32Array },
  ) {}

  static async create(engine: slope.Engine, raw: slope.Split, cfg: TrainConfig, gridIndices: Int32Array, callbacks: slope.Callbacks): Promise<Session> {
    const data = cfg.inputNorm === 'standardize' ? await standardize(engine, raw) : raw;
    const spec = slope.parseModel(cfg.model, cfg.norm, 'relu');
    const model = slope.buildModel(spec, data.train.sampleShape, data.train.numClasses, cfg.seed);
    const optimizer = slope.makeOptimizer({ name: cfg.optimizer, lr: cfg.lr }, model.parameters());
    // dropLast: every step sees a full batch (8,004 digits leave a last batch of 4 at size 64).
    const stepsPerEpoch = Math.floor(data.train.length / cfg.batchSize);
    const { schedule, plateau } = slope.makeSchedule(SCHEDULES[cfg.schedule].spec(cfg.totalSteps), { lr: cfg.lr, stepsPerEpoch, totalSteps: cfg.totalSteps }, optimizer);
    const trainer = await slope.Trainer.create(engine, {
      model, optimizer, train: data.train, test: data.test, batchSize: cfg.batchSize, seed: cfg.seed, dropLast: true, schedule, plateau,
      logEvery: LOG_EVERY, callbacks,
    });
    // Predictions for a few test digits: the model in evaluation mode, same parameters.
    const g = new slope.Graph();
    const logits = model.eval().forward(g.input('x', [gridIndices.length, ...data.test.sampleShape]));
    model.train();
    const prog = await engine.compile(g, { outputs: { logits } });
    return new Session(engine, cfg, data, trainer, { prog, indices: gridIndices });
  }

  get step(): number {
    return this.trainer.step;
  }

  /** Train for up to `steps` more steps (across epochs); stops at the configured length. */
  async train(steps: number): Promise<void> {
    const left = this.cfg.totalSteps - this.trainer.step;
    if (left > 0) await this.trainer.fit({ epochs: Number.MAX_SAFE_INTEGER, steps: Math.min(steps, left) });
  }

  /** Loss and accuracy over the whole test set. */
  evaluate(): Promise<slope.Evaluation> {
    return this.trainer.evaluate(this.data.test);
  }

  /** Predicted classes of the grid's test digits. */
  async predictions(): Promise<Int32Array> {
    const { prog, indices } = this.grid;
    const D = this.data.test.features;
    const x = new Float32Array(indices.length * D), y = new Int32Array(indices.length);
    this.data.test.fill(indices, x, y);
    await prog.run({ x });
    return argmax(await prog.read('logits'), this.data.test.numClasses);
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
