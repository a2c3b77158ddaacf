/**
 * Training checkpoints as safetensors. Tensor names follow PyTorch's state_dict: model
 * parameters and buffers under their module paths ('0.weight', '1.running_mean'), optimizer
 * state as 'optimizer.state.<path>.<key>' (e.g. 'optimizer.state.0.weight.exp_avg'). Everything
 * else (step, data-order position, RNG state, schedule state, optimizer groups) is JSON in the
 * string metadata. Loading checks every tensor against what the model expects before anything
 * is written, and executes nothing.
 */
import type { HostArray } from '../backend/types.js';
import { NonFiniteError } from '../errors.js';
import { CheckpointMismatchError } from './errors.js';
import { decodeSafetensors, encodeSafetensors, tensorValues, type TensorData,
  type TensorToWrite } from './safetensors.js';
import { parseInputSpec, type InputSpec } from './input.js';

export const CHECKPOINT_FORMAT = 'slope.checkpoint';
/**
 * 2: the activation 'gelu' is PyTorch's exact form; 'gelu-tanh' the tanh approximation. Version 1
 * files (whose 'gelu' was the tanh form) are read as 'gelu-tanh'.
 */
export const CHECKPOINT_VERSION = '2';
const READS = ['1', CHECKPOINT_VERSION];

/**
 * A checkpoint's run config from its metadata, upgraded to this version: in version 1, the
 * activation 'gelu' meant the tanh form it was trained with. Throws a CheckpointMismatchError
 * for a config that is not a JSON object.
 */
export function checkpointConfig(meta: Readonly<Record<string, string>>, file = 'the checkpoint'): Record<string,
  unknown> {
  let config: unknown = {};
  try {
    config = meta.config ? JSON.parse(meta.config) : {};
  } catch {
    throw new CheckpointMismatchError(`${file}: the config metadata is not valid JSON`);
  }
  if (!config || typeof config !== 'object' || Array.isArray(config)) {
    throw new CheckpointMismatchError(`${file}: the config metadata must be a JSON object`);
  }
  const c = { ...(config as Record<string, unknown>) };
  if (meta.version === '1' && c.activation === 'gelu') c.activation = 'gelu-tanh';
  return c;
}
const OPT = 'optimizer.state.';

/** Where training stands: enough to continue exactly. */
export interface Progress {
  /** Optimizer updates taken. */
  step: number;
  /** Epoch in progress (0-based) and the next batch in it. */
  epoch: number;
  batch: number;
  /** Seed of the data order. */
  seed: number;
  /** State of the augmentation generator. */
  rng: number;
  /**
   * The batch size and the number of training samples the position counts in (checkpoints
   * written before these were recorded lack them): a run continues mid-epoch only with the same.
   */
  batchSize?: number;
  samples?: number;
  /** Loss sum, correct predictions and samples of the epoch in progress, so its figures continue too. */
  metrics?: [number, number, number];
}

export interface OptimizerSnapshot {
  type: string;
  step: number;
  /** Group options with parameters named by module path. */
  groups: ({ params: string[] } & Record<string, unknown>)[];
  /** Per module path: state tensors. */
  state: Record<string, Record<string, HostArray>>;
}

export interface TrainState {
  /** Module path → values, for parameters and for buffers (running statistics). */
  params: [string, HostArray][];
  buffers: [string, HostArray][];
  optimizer: OptimizerSnapshot | null;
  progress: Progress;
  /** Schedule state (e.g. ReduceLROnPlateau's counters), JSON-serializable. */
  schedule: Record<string, number> | null;
  /** Free-form description of the run (model spec, options), JSON-serializable. */
  config: Record<string, unknown>;
  /** The model's inputs: sample shape, class names, standardization (metadata 'input'). */
  input?: InputSpec | null;
  /** The kernel variants tuning chose, by shape class (metadata 'kernels'): a resumed run uses them. */
  kernels?: Record<string, string> | null;
}

function tensorOf(name: string, shape: readonly number[], data: HostArray): TensorToWrite {
  return { name, shape, data: data as TensorData };
}

/** Serialize a training state; `shapes` gives each parameter's and buffer's shape by path. */
export function encodeCheckpoint(s: TrainState, shapes: ReadonlyMap<string, readonly number[]>): Uint8Array {
  const shapeOf = (path: string, n: number) => shapes.get(path) ?? [n];
  const tensors: TensorToWrite[] = [];
  for (const [path, v] of [...s.params, ...s.buffers]) tensors.push(tensorOf(path, shapeOf(path, v.length), v));
  const opt = s.optimizer;
  if (opt) {
    for (const [path, rec] of Object.entries(opt.state)) {
      for (const [key, v] of Object.entries(rec)) tensors.push(tensorOf(`${OPT}${path}.${key}`, shapeOf(path, v.length),
        v));
    }
  }
  const metadata: Record<string, string> = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    progress: JSON.stringify(s.progress),
    config: JSON.stringify(s.config),
  };
  if (opt) metadata.optimizer = JSON.stringify({ type: opt.type, step: opt.step, groups: opt.groups });
  if (s.schedule) metadata.schedule = JSON.stringify(s.schedule);
  if (s.input) metadata.input = JSON.stringify(s.input);
  if (s.kernels && Object.keys(s.kernels).length) metadata.kernels = JSON.stringify(s.kernels);
  return encodeSafetensors(tensors, metadata);
}

/** The tuned kernel variants a checkpoint records (empty when none, or when not a map of strings). */
export function checkpointKernels(bytes: Uint8Array): Record<string, string> {
  const k = decodeSafetensors(bytes).metadata.kernels;
  if (k === undefined) return {};
  let v: unknown;
  try {
    v = JSON.parse(k);
  } catch {
    return {};
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
  return Object.fromEntries(Object.entries(v).filter(([, x]) => typeof x === 'string')) as Record<string, string>;
}

export interface Expected {
  /** Path → shape and dtype for each parameter and buffer of the model. */
  tensors: ReadonlyMap<string, { shape: readonly number[]; dtype: 'f32' | 'i32'; kind: 'param' | 'buffer' }>;
}

/** Parse a checkpoint and check it against the model: all checks happen before any loading. */
export function decodeCheckpoint(bytes: Uint8Array, expected: Expected): TrainState {
  const file = decodeSafetensors(bytes);
  const meta = file.metadata;
  const mismatch = (why: string): never => { throw new CheckpointMismatchError(why); };
  if (meta.format !== CHECKPOINT_FORMAT) mismatch(`not a slope checkpoint (metadata format = ` +
    `${JSON.stringify(meta.format ?? null)}); a plain safetensors file of weights can be loaded with loadWeights`);
  if (!READS.includes(meta.version)) {
    mismatch(`checkpoint version ${meta.version} is not supported (this build reads versions ${READS.join(' and ')})`);
  }
  const params: [string, HostArray][] = [];
  const buffers: [string, HostArray][] = [];
  for (const [path, want] of expected.tensors) {
    const t = file.tensors.get(path);
    if (!t) mismatch(`missing tensor '${path}' (the model has it, the checkpoint does not)`);
    if (t!.shape.join() !== want.shape.join()) mismatch(`tensor '${path}': the checkpoint has shape [${t!.shape}], ` +
      `the model expects [${want.shape}]`);
    const okDtype = want.dtype === 'f32' ? t!.dtype === 'F32' || t!.dtype === 'F64' : t!.dtype === 'I32';
    if (!okDtype) mismatch(`tensor '${path}': dtype ${t!.dtype} cannot be loaded into a ${want.dtype} tensor`);
    (want.kind === 'buffer' ? buffers : params).push([path, finite(path, tensorValues(t!) as HostArray, t!.shape)]);
  }
  const state: OptimizerSnapshot['state'] = {};
  for (const [name, t] of file.tensors) {
    if (expected.tensors.has(name)) continue;
    if (!name.startsWith(OPT)) mismatch(`unexpected tensor '${name}': the model has no such parameter or buffer`);
    const rest = name.slice(OPT.length);
    const dot = rest.lastIndexOf('.');
    const path = rest.slice(0, dot);
    if (dot < 0
      || !expected.tensors.has(path)) mismatch(`optimizer state '${name}' belongs to no parameter of the model`);
    if (t.dtype !== 'F32'
      && t.dtype !== 'F64') mismatch(`optimizer state '${name}' has dtype ${t.dtype}; expected F32 or F64`);
    (state[path] ??= {})[rest.slice(dot + 1)] = finite(name, tensorValues(t) as HostArray, t.shape);
  }
  const progress = parseJson(meta.progress, 'progress') as Progress;
  for (const k of ['step', 'epoch', 'batch', 'seed', 'rng'] as const) {
    if (!Number.isSafeInteger(progress[k])) mismatch(`metadata progress.${k} must be an integer, got ` +
      `${JSON.stringify(progress[k])}`);
  }
  for (const k of ['step', 'epoch',
    'batch'] as const) if (progress[k] < 0) mismatch(`metadata progress.${k} must not be negative, got ${progress[k]}`);
  for (const k of ['batchSize', 'samples'] as const) {
    const v = progress[k];
    if (v !== undefined && !(Number.isSafeInteger(v)
      && v > 0)) mismatch(`metadata progress.${k} must be a positive integer, got ${JSON.stringify(v)}`);
  }
  const m = progress.metrics;
  if (m !== undefined && !(Array.isArray(m) && m.length === 3 && m.every((v) => typeof v === 'number'
    && Number.isFinite(v) && v >= 0))) {
    mismatch(`metadata progress.metrics must be three finite non-negative numbers (loss sum, correct, samples), got ` +
      `${JSON.stringify(m)}`);
  }
  const optMeta = meta.optimizer ? (parseJson(meta.optimizer, 'optimizer') as Omit<OptimizerSnapshot, 'state'>) : null;
  if (!optMeta && Object.keys(state).length) mismatch('optimizer state tensors without optimizer metadata');
  return {
    params, buffers, progress,
    optimizer: optMeta ? { ...optMeta, state } : null,
    schedule: meta.schedule ? (parseJson(meta.schedule, 'schedule') as Record<string, number>) : null,
    config: checkpointConfig(meta),
    input: meta.input !== undefined ? parseInputSpec(meta.input) : null,
    kernels: meta.kernels !== undefined ? checkpointKernels(bytes) : null,
  };
}

/** Values loaded must be finite: a NaN or an infinity would survive training unseen (ReLU hides it). */
function finite(name: string, v: HostArray, shape: readonly number[]): HostArray {
  if (v instanceof Int32Array) return v;
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) {
      throw new NonFiniteError(`checkpoint tensor '${name}' (shape [${shape}]) holds ${v[i]} at index ${i}: ` +
        `non-finite values are not loaded; ` +
        'the run that saved it diverged: continue from an earlier checkpoint, with a lower learning rate or gradient ' +
          'clipping');
    }
  }
  return v;
}

function parseJson(s: string | undefined, what: string): unknown {
  if (s === undefined) throw new CheckpointMismatchError(`metadata '${what}' is missing`);
  try {
    return JSON.parse(s);
  } catch {
    throw new CheckpointMismatchError(`metadata '${what}' is not valid JSON`);
  }
}
