/**
 * Trainer state ↔ checkpoint state. Parameters and buffers are named by module path (as in a
 * PyTorch state_dict), the optimizer's state too (it names parameters by Parameter.name, which
 * depends on construction order), so a checkpoint loads into a freshly built model.
 */
import type { HostArray } from '../backend/types.js';
import type { Engine } from '../engine.js';
import { Parameter, Variable } from '../graph/tensor.js';
import type { Generator } from '../nn/init.js';
import type { Module } from '../nn/module.js';
import type { DataLoader } from '../data/loader.js';
import { CheckpointMismatchError } from '../io/errors.js';
import { decodeCheckpoint, encodeCheckpoint, type Expected, type TrainState } from '../io/checkpoint.js';
import type { InputSpec } from '../io/input.js';
import type { PlateauLike, TrainOptimizer } from './types.js';

/** What state export/import needs from a trainer. */
export interface TrainerStateAccess {
  readonly engine: Engine;
  readonly opts: { model: Module; optimizer: TrainOptimizer; plateau?: PlateauLike | null; config?: Record<string,
    unknown>; input?: InputSpec | null; batchSize: number; train: { length: number } };
  readonly gen: Generator;
  readonly loader: DataLoader;
  step: number;
  epoch: number;
  batch: number;
  /** Loss sum, correct predictions and samples of the epoch in progress. */
  epochTotals(): Promise<[number, number, number]>;
}

/** Current values of a parameter or variable at full precision (Float64Array on the cpu backend). */
async function values(e: Engine, t: Parameter | Variable): Promise<HostArray> {
  if (t instanceof Parameter) return e.store.has(t) ? e.backend.read(e.store.view(t)) : t.data.slice();
  return e.store.hasVariable(t) ? e.backend.read(await e.store.variable(t)) : t.data.slice();
}

function names(model: Module) {
  const params = model.namedParameters();
  const buffers = model.namedBuffers();
  const byPath = new Map<string, Parameter>(params);
  const pathOf = new Map<string, string>(params.map(([path, p]) => [p.name, path]));
  return { params, buffers, byPath, pathOf };
}

export async function exportState(t: TrainerStateAccess): Promise<TrainState> {
  const { model, optimizer, plateau, config, input } = t.opts;
  const n = names(model);
  const sd = await optimizer.stateDict();
  const path = (name: string) => {
    const p = n.pathOf.get(name);
    if (p === undefined) throw new CheckpointMismatchError(`optimizer parameter '${name}' is not in the model`);
    return p;
  };
  const state: Record<string, Record<string, HostArray>> = {};
  for (const [name, rec] of Object.entries(sd.state)) state[path(name)] = rec;
  return {
    params: await Promise.all(n.params.map(async ([p, v]) => [p, await values(t.engine, v)] as [string, HostArray])),
    buffers: await Promise.all(n.buffers.map(async ([p, v]) => [p, await values(t.engine, v)] as [string, HostArray])),
    optimizer: { type: optimizer.name, step: sd.step,
      groups: sd.groups.map((g) => ({ ...g, params: g.params.map(path) })), state },
    progress: {
      step: t.step, epoch: t.epoch, batch: t.batch, seed: t.loader.seed, rng: t.gen.state, batchSize: t.opts.batchSize,
        samples: t.opts.train.length,
      ...(t.batch > 0 ? { metrics: await t.epochTotals() } : {}),
    },
    schedule: plateau ? { best: plateau.best, numBadEpochs: plateau.numBadEpochs,
      cooldownCounter: plateau.cooldownCounter } : null,
    config: config ?? {},
    input: input ?? null,
    kernels: Object.fromEntries(t.engine.backend.profile.tuned),
  };
}

/** Restore: the optimizer validates and loads its part first, then parameters and buffers. */
export async function importState(t: TrainerStateAccess, s: TrainState): Promise<void> {
  const { model, optimizer, plateau } = t.opts;
  const n = names(model);
  const expected = expectedTensors(model);
  for (const [path, v] of [...s.params, ...s.buffers]) {
    const want = expected.tensors.get(path);
    const size = want ? want.shape.reduce((a, d) => a * d, 1) : -1;
    if (v.length !== size)
      throw new CheckpointMismatchError(`tensor '${path}': ${v.length} values, the model expects ` +
        `${size < 0 ? 'no such tensor' : size}`);
  }
  if (s.optimizer) {
    if (s.optimizer.type !== optimizer.name)
      throw new CheckpointMismatchError(`the checkpoint holds ${s.optimizer.type} state, the trainer uses ` +
        `${optimizer.name}`);
    const nameOf = (path: string) => {
      const p = n.byPath.get(path);
      if (!p) throw new CheckpointMismatchError(`optimizer state for '${path}', which is not a parameter of the model`);
      return p.name;
    };
    const state: Record<string, Record<string, HostArray>> = {};
    for (const [path, rec] of Object.entries(s.optimizer.state)) state[nameOf(path)] = rec;
    const groups = s.optimizer.groups.map((g) => ({ ...g, params: g.params.map(nameOf) }));
    await optimizer.loadStateDict({ step: s.optimizer.step, groups, state });
  }
  const vars = new Map<string, Variable>(n.buffers);
  for (const [path, v] of s.params) t.engine.write(n.byPath.get(path)!, v);
  for (const [path, v] of s.buffers) t.engine.write(vars.get(path)!, v);
  t.step = s.progress.step;
  t.epoch = s.progress.epoch;
  t.batch = s.progress.batch;
  t.gen.state = s.progress.rng >>> 0;
  if (plateau && s.schedule) {
    if (typeof s.schedule.best === 'number') plateau.best = s.schedule.best;
    plateau.numBadEpochs = s.schedule.numBadEpochs;
    plateau.cooldownCounter = s.schedule.cooldownCounter;
  }
}

/** Every tensor the model's checkpoint must hold, by path. */
export function expectedTensors(model: Module): Expected {
  type Entry = { shape: readonly number[]; dtype: 'f32' | 'i32'; kind: 'param' | 'buffer' };
  const tensors = new Map<string, Entry>();
  for (const [path, p] of model.namedParameters()) tensors.set(path, { shape: p.shape, dtype: 'f32', kind: 'param' });
  for (const [path, v] of model.namedBuffers()) tensors.set(path, { shape: v.shape, dtype: v.dtype, kind: 'buffer' });
  return { tensors };
}

export function tensorShapes(model: Module): Map<string, readonly number[]> {
  return new Map([...expectedTensors(model).tensors].map(([k, v]) => [k, v.shape]));
}

/** A checkpoint file's bytes for this trainer's state. */
export async function checkpointBytes(t: TrainerStateAccess): Promise<Uint8Array> {
  return encodeCheckpoint(await exportState(t), tensorShapes(t.opts.model));
}

/** Parse a checkpoint against the trainer's model (no loading yet). */
export function parseCheckpoint(t: TrainerStateAccess, bytes: Uint8Array): TrainState {
  return decodeCheckpoint(bytes, expectedTensors(t.opts.model));
}

/** Load a checkpoint's model parameters and buffers into `model` (optimizer state is ignored). */
export function loadWeights(engine: Engine, model: Module, bytes: Uint8Array): TrainState {
  const s = decodeCheckpoint(bytes, expectedTensors(model));
  const n = names(model);
  const vars = new Map<string, Variable>(n.buffers);
  for (const [path, v] of s.params) engine.write(n.byPath.get(path)!, v);
  for (const [path, v] of s.buffers) engine.write(vars.get(path)!, v);
  return s;
}
