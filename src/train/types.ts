/** Types shared by the trainer, its callbacks and the command line. */
import type { HostArray } from '../backend/types.js';
import type { StepHook } from '../graph/program.js';
import type { Parameter } from '../graph/tensor.js';

/** An optimizer as the trainer uses it (src/optim's optimizers have this shape). */
export interface TrainOptimizer extends StepHook {
  readonly name: string;
  lr: number;
  readonly stepCount: number;
  /** Set before every step from the optimizer's own step count. */
  schedule: ((step: number) => number) | null;
  readonly paramGroups: readonly ({ readonly params: readonly Parameter[] } & object)[];
  stateDict(): Promise<OptimizerStateLike>;
  loadStateDict(s: OptimizerStateLike): Promise<void>;
  /** The step whose loss or gradients were not finite (skipped on the device), or null. */
  nonFiniteStep(): Promise<number | null>;
}

export interface OptimizerStateLike {
  step: number;
  groups: ({ params: string[] } & Record<string, unknown>)[];
  state: Record<string, Record<string, HostArray>>;
}

/** A learning-rate rule that reacts to a metric once per epoch (PyTorch's ReduceLROnPlateau). */
export interface PlateauLike {
  step(metric: number): number;
  best: number;
  numBadEpochs: number;
  cooldownCounter: number;
}

/** One log interval: means over the samples seen since the previous entry. */
export interface LogEntry {
  /** Updates taken so far. */
  step: number;
  /** Epoch in progress, 1-based. */
  epoch: number;
  loss: number;
  accuracy: number;
  samples: number;
  lr: number;
  /** Updates per second over the interval. */
  stepsPerSecond: number;
  /** Seconds since fit() started. */
  seconds: number;
}

/** One finished epoch. Train figures are means over the epoch's batches, as they were trained. */
export interface EpochEntry {
  epoch: number;
  step: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number | null;
  testAccuracy: number | null;
  lr: number;
  seconds: number;
}

export interface History {
  log: LogEntry[];
  epochs: EpochEntry[];
}

export interface Evaluation {
  loss: number;
  accuracy: number;
  count: number;
}

/** Called during fit(); an async callback is awaited. */
export interface Callbacks {
  onLog?(entry: LogEntry): void | Promise<void>;
  onEpochEnd?(entry: EpochEntry): void | Promise<void>;
  /** After each update is submitted (nothing has been read back). */
  onStep?(step: number): void | Promise<void>;
}

/** Where progress goes: process.stdout in Node, any object with write() elsewhere. */
export interface ProgressSink {
  write(s: string): unknown;
  /** A terminal: redraw one line in place; otherwise print plain lines. */
  isTTY?: boolean;
  columns?: number;
}
