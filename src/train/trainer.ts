/**
 * The trainer: fit(N epochs) and evaluate(), on any engine. One step is one submission
 * (forward, backward, the optimizer's fused update, metric accumulation); losses and accuracy
 * accumulate on the device and are read back once per log interval. A batch larger than the
 * device can bind runs as micro-batches whose gradients accumulate into one update.
 */
import type { InputSpec } from '../io/input.js';
import { ArgumentError, DeviceLostError, NonFiniteError } from '../errors.js';
import type { Engine } from '../engine.js';
import { Variable, type Parameter } from '../graph/tensor.js';
import { DROPOUT_RNG, OPS } from '../ops/index.js';
import type { Module } from '../nn/module.js';
import { Generator } from '../nn/init.js';
import type { Dataset } from '../data/dataset.js';
import { DataLoader, mixSeed } from '../data/loader.js';
import { Feeder } from './feeder.js';
import { metricVariables, microBatchRows, type Metrics, type StepMode } from './graphs.js';
import { Evaluator, Placement, readMetrics, resetMetrics, type Running } from './evaluate.js';
import { ProgressBar } from './progress.js';
import { exportState, importState, type TrainerStateAccess } from './state.js';
import type { TrainState } from '../io/checkpoint.js';
import { CheckpointMismatchError } from '../io/errors.js';
import type { Callbacks, EpochEntry, Evaluation, History, LogEntry, PlateauLike, ProgressSink,
  TrainOptimizer } from './types.js';

export interface TrainerOptions {
  model: Module;
  optimizer: TrainOptimizer;
  train: Dataset;
  test?: Dataset | null;
  batchSize: number;
  /** Seed of the data order and of the augmentation (default 0). */
  seed?: number;
  shuffle?: boolean;
  dropLast?: boolean;
  /** Learning rate as a function of the step (installed as the optimizer's schedule). */
  schedule?: ((step: number) => number) | null;
  /** Stepped once per epoch with the test loss (or the train loss without a test set). */
  plateau?: PlateauLike | null;
  labelSmoothing?: number;
  /** Random translations of up to this many pixels for image samples (default 0: none). */
  augmentShift?: number;
  /** Mirror image samples left to right with probability 1/2 (default false). */
  augmentFlip?: boolean;
  /** Steps between readbacks of loss and accuracy (default: about 20 per epoch). */
  logEvery?: number;
  /** Rows per evaluation run (default 1000). */
  evalBatchSize?: number;
  /** Keep datasets on the device and gather batches there ('auto': when they fit). */
  dataOnDevice?: 'auto' | 'always' | 'never';
  /** Binding limit for micro-batching (default: the device's). */
  maxBindingBytes?: number;
  callbacks?: Callbacks;
  progress?: ProgressSink | null;
  /** Saved in checkpoints as-is (model spec, command-line options). */
  config?: Record<string, unknown>;
  /** Saved in checkpoints with the model: sample shape, class names, standardization. */
  input?: InputSpec | null;
}

export class Trainer implements TrainerStateAccess {
  readonly history: History = { log: [], epochs: [] };
  /** Updates taken; the epoch in progress (0-based) and the next batch in it. */
  step = 0;
  epoch = 0;
  batch = 0;
  loader: DataLoader;
  readonly gen: Generator;
  readonly params: Parameter[];
  readonly microBatch: number;
  readonly onDevice: boolean;
  private train!: Running;
  private accumulate: Running | null = null;
  readonly placement: Placement;
  readonly evaluator: Evaluator;
  private logEvery: number;
  private epochSums = { loss: 0, correct: 0, count: 0, t0: 0 };
  /** Metrics read from the device for a checkpoint, not yet in a log entry. */
  private unlogged = { loss: 0, correct: 0, count: 0 };
  private interval = { t0: 0, steps: 0 };
  private fitStart = 0;
  private stopRequested = false;
  /** The training graph has dropout: each step feeds it (seed, step). */
  private dropout = false;

  private constructor(readonly engine: Engine, readonly opts: TrainerOptions) {
    const o = opts;
    if (!Number.isSafeInteger(o.batchSize) || o.batchSize < 1)
      throw new ArgumentError(`Trainer: batchSize must be a positive integer, got ${o.batchSize}`);
    this.loader = new DataLoader(o.train.length,
      { batchSize: o.batchSize, seed: o.seed ?? 0, shuffle: o.shuffle, dropLast: o.dropLast });
    this.gen = new Generator(mixSeed(o.seed ?? 0, 0x5eed));
    this.params = [...new Set(o.optimizer.paramGroups.flatMap((g) => [...g.params]))];
    const known = new Set(o.model.parameters());
    const stray = this.params.find((p) => !known.has(p));
    if (stray)
      throw new ArgumentError(`Trainer: the optimizer updates '${stray.name}', which is not a parameter of the model`);
    const shift = o.augmentShift ?? 0;
    if (!Number.isSafeInteger(shift) || shift < 0)
      throw new ArgumentError(`Trainer: augmentShift must be a non-negative integer, got ${shift}`);
    if ((shift || o.augmentFlip) && (o.train.sampleShape.length < 2 || o.train.sampleShape.length > 3)) {
      const what = shift ? 'augmentShift' : 'augmentFlip';
      throw new ArgumentError(`Trainer: ${what} needs image samples (H, W) or (C, H, W); '${o.train.name}' has ` +
        `shape [${o.train.sampleShape}]`);
    }
    if (o.test && o.test.features !== o.train.features)
      throw new ArgumentError(`Trainer: test samples have ${o.test.features} features, training samples ` +
        `${o.train.features}`);
    this.logEvery = o.logEvery ?? Math.max(1, Math.round(this.loader.batchesPerEpoch / 20));
    if (!Number.isSafeInteger(this.logEvery) || this.logEvery < 1)
      throw new ArgumentError(`Trainer: logEvery must be a positive integer, got ${o.logEvery}`);
    const limit = o.maxBindingBytes ?? engine.backend.limits.maxBindingBytes;
    this.placement = new Placement(o.model, limit, o.dataOnDevice ?? 'auto');
    this.evaluator = new Evaluator(engine, this.placement, o.evalBatchSize ?? 1000, o.train.features);
    this.onDevice = this.placement.table(o.train) !== null;
    this.microBatch = microBatchRows((rows) => this.graph(rows, 'train', metricVariables('probe')), o.batchSize, limit);
  }

  /** Build the programs (pipelines, uploads of device-resident data) for training on `engine`. */
  static async create(engine: Engine, opts: TrainerOptions): Promise<Trainer> {
    const t = new Trainer(engine, opts);
    await t.compile();
    return t;
  }

  private graph(rows: number, mode: StepMode, metrics: Metrics, accumulators: Map<Parameter, Variable> | null = null) {
    const o = this.opts;
    return this.placement.graph(rows, mode, o.train, metrics,
      { params: this.params, accumulators, shift: o.augmentShift ?? 0, flip: !!o.augmentFlip,
        labelSmoothing: o.labelSmoothing ?? 0 });
  }

  private async compile(): Promise<void> {
    const o = this.opts;
    const m = this.microBatch;
    const metrics = metricVariables('train');
    const acc = m < o.batchSize ? new Map(this.params.map((p) => [p,
      new Variable(`grad_accum.${p.name}`, p.shape)])) : null;
    o.model.train();
    const g = this.graph(m, acc ? 'final' : 'train', metrics, acc);
    if (o.schedule) o.optimizer.schedule = o.schedule;
    const prog = await this.engine.compile(g.graph,
      { outputs: { loss: g.loss! }, loss: g.loss!, gradients: g.gradients, hooks: [o.optimizer] });
    this.train = { prog, feeder: new Feeder(o.train, m, this.onDevice, o.augmentShift ?? 0, this.gen,
      !!o.augmentFlip), metrics };
    this.dropout = g.graph.nodes.some((t) => t.op === OPS.input && t.ref === DROPOUT_RNG);
    if (acc) {
      const ga = this.graph(m, 'accumulate', metrics, acc);
      this.accumulate = { prog: await this.engine.compile(ga.graph, {}), feeder: this.train.feeder, metrics };
    }
  }

  /** One update from the samples `indices` (micro-batched when needed). */
  private async trainBatch(indices: Int32Array): Promise<void> {
    const f = this.train.feeder;
    const parts = f.parts(indices.length);
    const pad = this.loader.order(this.epoch);
    for (let j = 0; j < parts; j++) {
      const r = j === parts - 1 ? this.train : this.accumulate!;
      const feeds = f.feeds(indices, j, pad, true);
      // Dropout masks: a pure function of (seed, step) — each micro-batch its own — so a resumed
      // run draws the same ones.
      if (this.dropout) feeds[DROPOUT_RNG] = Int32Array.from([this.opts.seed ?? 0, this.step * parts + j]);
      await r.prog.run(feeds);
    }
  }

  /** Train until `epochs` epochs are complete in total (default: one more), or for `steps` more steps. */
  async fit(o: { epochs?: number; steps?: number } = {}): Promise<History> {
    const epochs = o.epochs ?? this.epoch + 1;
    const maxSteps = o.steps ?? Infinity;
    const spe = this.loader.batchesPerEpoch;
    const bar = this.opts.progress ? new ProgressBar(this.opts.progress, epochs, spe) : null;
    const now = performance.now();
    this.fitStart = now;
    this.interval = { t0: now, steps: 0 };
    this.epochSums.t0 = now;
    let taken = 0;
    const more = () => taken < maxSteps && !this.stopRequested;
    try {
      while (this.epoch < epochs && more()) {
        while (this.batch < spe && more()) {
          await this.trainBatch(this.loader.batch(this.epoch, this.batch));
          this.batch++;
          this.step++;
          taken++;
          this.interval.steps++;
          await this.opts.callbacks?.onStep?.(this.step);
          if (this.step % this.logEvery === 0) {
            const left = Math.min(maxSteps - taken, (epochs - this.epoch - 1) * spe + spe - this.batch);
            await this.logInterval(bar, left);
          }
        }
        if (this.batch >= spe) await this.finishEpoch(bar);
      }
      if (this.interval.steps) await this.logInterval(bar, 0);
    } catch (e) {
      if (e instanceof DeviceLostError) {
        throw new DeviceLostError(`${e.message} Detected during training at step ${this.step} (epoch ` +
          `${this.epoch + 1}); ` +
          'the parameters on the device are lost: continue from the last checkpoint on a new engine and trainer ' +
            '(loadState, or `slope train --resume FILE`).', e.reason);
      }
      throw e;
    } finally {
      this.stopRequested = false;
      bar?.close();
    }
    return this.history;
  }

  /**
   * Ask fit() to return after the step in progress (from a signal handler or a stop button):
   * the position is kept, so a checkpoint saved then, or another fit(), continues exactly. A
   * stop asked for while no fit() runs makes the next one return before its first step.
   */
  stop(): void {
    this.stopRequested = true;
  }

  private async logInterval(bar: ProgressBar | null, remaining: number): Promise<void> {
    const d = await readMetrics(this.engine, this.train.metrics);
    const u = this.unlogged;
    const r = { loss: d.loss + u.loss, correct: d.correct + u.correct, count: d.count + u.count };
    this.unlogged = { loss: 0, correct: 0, count: 0 };
    await this.checkFinite();
    const now = performance.now();
    const e: LogEntry = {
      step: this.step, epoch: this.epoch + 1, loss: r.loss / Math.max(1, r.count),
        accuracy: r.correct / Math.max(1, r.count),
      samples: r.count, lr: this.opts.optimizer.lr,
        stepsPerSecond: (1000 * this.interval.steps) / Math.max(1e-3, now - this.interval.t0),
      seconds: (now - this.fitStart) / 1000,
    };
    this.epochSums.loss += r.loss;
    this.epochSums.correct += r.correct;
    this.epochSums.count += r.count;
    this.interval = { t0: now, steps: 0 };
    this.history.log.push(e);
    bar?.update(e, this.batch, remaining);
    await this.opts.callbacks?.onLog?.(e);
  }

  /** Throws NonFiniteError when the optimizer's guard skipped a step. */
  private async checkFinite(): Promise<void> {
    const k = await this.opts.optimizer.nonFiniteStep();
    if (k !== null) {
      throw new NonFiniteError(`the loss or the gradients were not finite at step ${k}: that update and any after it ` +
        `were skipped, so the parameters are those from before step ${k}. Lower the learning rate, clip gradients ` +
          `(clipGradNorm) or check the data`);
    }
  }

  private async finishEpoch(bar: ProgressBar | null): Promise<void> {
    if (this.interval.steps) await this.logInterval(null, 0);
    const s = this.epochSums;
    const test = this.opts.test ? await this.evaluate(this.opts.test) : null;
    const e: EpochEntry = {
      epoch: this.epoch + 1, step: this.step, trainLoss: s.loss / Math.max(1, s.count),
        trainAccuracy: s.correct / Math.max(1, s.count),
      testLoss: test?.loss ?? null, testAccuracy: test?.accuracy ?? null, lr: this.opts.optimizer.lr,
        seconds: (performance.now() - s.t0) / 1000,
    };
    this.epochSums = { loss: 0, correct: 0, count: 0, t0: performance.now() };
    this.epoch++;
    this.batch = 0;
    this.opts.plateau?.step(test?.loss ?? e.trainLoss);
    this.history.epochs.push(e);
    bar?.epochEnd(e);
    await this.opts.callbacks?.onEpochEnd?.(e);
  }

  /** Mean loss (without label smoothing) and accuracy over a dataset, in evaluation mode. */
  async evaluate(ds: Dataset | null = this.opts.test ?? null): Promise<Evaluation> {
    if (!ds) throw new ArgumentError('evaluate: no dataset given and the trainer has no test set');
    return this.evaluator.evaluate(ds);
  }

  /** Everything needed to continue exactly: parameters, buffers, optimizer, position, RNG, schedule. */
  state(): Promise<TrainState> {
    return exportState(this);
  }

  /** Loss sum, correct predictions and samples of the epoch in progress (read from the device). */
  async epochTotals(): Promise<[number, number, number]> {
    const d = await readMetrics(this.engine, this.train.metrics);
    const u = this.unlogged;
    this.unlogged = { loss: u.loss + d.loss, correct: u.correct + d.correct, count: u.count + d.count };
    const s = this.epochSums;
    return [s.loss + this.unlogged.loss, s.correct + this.unlogged.correct, s.count + this.unlogged.count];
  }

  /**
   * Restore a state (checked fully before anything is written). A position inside an epoch
   * continues only with the batch size and the number of samples it was saved with (when the
   * checkpoint records them) and must lie inside the epoch.
   */
  async loadState(s: TrainState): Promise<void> {
    const p = s.progress;
    const o = this.opts;
    const loader = new DataLoader(o.train.length,
      { batchSize: o.batchSize, seed: p.seed, shuffle: o.shuffle, dropLast: o.dropLast });
    if (p.batch > 0) {
      const where = `the checkpoint stopped inside epoch ${p.epoch + 1}, before batch ${p.batch + 1}`;
      if (p.batchSize !== undefined && p.batchSize !== o.batchSize) {
        throw new CheckpointMismatchError(`${where} of batches of ${p.batchSize}; this trainer's batch size is ` +
          `${o.batchSize}: the batch size may change only at an epoch boundary`);
      }
      if (p.samples !== undefined && p.samples !== o.train.length) {
        throw new CheckpointMismatchError(`${where}, counted in ${p.samples} training samples; '${o.train.name}' has ` +
          `${o.train.length}: a run continues mid-epoch only on the same data`);
      }
      if (p.batch >= loader.batchesPerEpoch) {
        throw new CheckpointMismatchError(`${where}, but an epoch here has only ${loader.batchesPerEpoch} batches ` +
          `(${o.train.length} samples in batches of ` +
            `${o.batchSize}${o.dropLast ? ', the last partial one dropped' : ''})`);
      }
    }
    await importState(this, s);
    this.loader = loader;
    resetMetrics(this.engine, this.train.metrics);
    const m = p.batch > 0 ? p.metrics : undefined;
    this.epochSums = { loss: m?.[0] ?? 0, correct: m?.[1] ?? 0, count: m?.[2] ?? 0, t0: performance.now() };
    this.unlogged = { loss: 0, correct: 0, count: 0 };
  }
}
