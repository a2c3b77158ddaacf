/**
 * The graphs of a training step and of an evaluation pass. A batch comes from a table on the
 * device (gathered by index: no per-batch copy of the data) or is fed from the host. Rows are
 * weighted so that a padded or partial batch gives exactly the mean loss of its real rows, and
 * metrics (loss sum, correct count, sample count) accumulate into one variable on the device.
 * Micro-batches: 'accumulate' adds the gradients into accumulator variables, 'final' updates
 * with accumulator + its own gradients (then zeroes the accumulators); 'train' is one batch.
 */
import { ArgumentError, LimitError } from '../errors.js';
import { Graph, Variable, type Parameter, type Tensor } from '../graph/tensor.js';
import { grad } from '../graph/autodiff.js';
import { add, mul } from '../graph/ops/elementwise.js';
import { reshape, sum } from '../graph/ops/reduce.js';
import { crossEntropy } from '../graph/ops/loss.js';
import { gather, gatherBytes } from '../graph/ops/gather.js';
import { classMetrics } from '../graph/ops/metrics.js';
import type { Module } from '../nn/module.js';

/** A dataset resident on the device: features (floats, or bytes packed four to a word) and labels. */
export interface DeviceTable {
  x: Variable;
  y: Variable;
  bytes: { features: number; scale: number; offset: number } | null;
}

/** Running totals on the device: [loss sum, correct predictions, samples]. */
export interface Metrics {
  totals: Variable;
}

export function metricVariables(prefix: string): Metrics {
  return { totals: new Variable(`${prefix}.metrics`, [3]) };
}

export type StepMode = 'train' | 'accumulate' | 'final' | 'eval';

export interface StepGraphOptions {
  model: Module;
  /** Rows per run (the micro-batch). */
  rows: number;
  sampleShape: readonly number[];
  table: DeviceTable | null;
  /** Without a table: the dataset's bytes are fed packed and converted on the device. */
  streamBytes: DeviceTable['bytes'];
  /**
   * Random translations (and with `flip`, horizontal flips) of image samples (height, width),
   * applied by the gather kernel from a fed (rows, 2 or 3) int32 input 'shifts'.
   */
  shift: { height: number; width: number; flip?: boolean } | null;
  labelSmoothing: number;
  metrics: Metrics;
  mode: StepMode;
  /** The dataset, to check its labels fit the model's outputs. */
  dataset?: { name: string; numClasses: number };
  params: readonly Parameter[];
  accumulators: ReadonlyMap<Parameter, Variable> | null;
}

export interface StepGraph {
  graph: Graph;
  loss: Tensor | null;
  gradients: [Parameter, Tensor][];
}

/** The batch's features and labels: gathered from the device table or fed. */
function batchInputs(g: Graph, o: StepGraphOptions): { x: Tensor; y: Tensor } {
  const m = o.rows;
  const D = o.sampleShape.reduce((a, d) => a * d, 1);
  const shifts = o.shift ? g.input('shifts', [m, o.shift.flip ? 3 : 2], 'i32') : undefined;
  const so = shifts ? { shifts, height: o.shift!.height, width: o.shift!.width } : {};
  let x: Tensor, y: Tensor;
  if (o.table) {
    const idx = g.input('idx', [m], 'i32');
    const t = o.table;
    x = t.bytes ? gatherBytes(g.variable(t.x), idx, { ...t.bytes, ...so }) : gather(g.variable(t.x), idx, so);
    y = gather(g.variable(t.y), idx);
  } else {
    // Fed rows go through the same gather kernels as a device table, so both paths agree bit for bit.
    y = g.input('y', [m], 'i32');
    const rows = () => g.constant(Int32Array.from({ length: m }, (_, i) => i));
    if (o.streamBytes) x = gatherBytes(g.input('xb', [m, Math.ceil(D / 4)], 'i32'), rows(),
      { ...o.streamBytes, ...so });
    else {
      x = g.input('x', [m, D]);
      if (shifts) x = gather(x, rows(), so);
    }
  }
  return { x: reshape(x, [m, ...o.sampleShape]), y };
}

function accumulate(g: Graph, v: Variable, t: Tensor): void {
  g.assign(v, add(g.variable(v), t));
}

/** A graph too deep for a recursive pass over it is a LimitError naming its size, not a RangeError. */
function deep<T>(g: Graph, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      throw new LimitError(`the training step's graph of ${g.nodes.length.toLocaleString('en-US')} ops is too deep ` +
        `to differentiate here (JavaScript's call stack ran out): use fewer layers`);
    }
    throw e;
  }
}

export function buildStepGraph(o: StepGraphOptions): StepGraph {
  const g = new Graph();
  const { x, y } = batchInputs(g, o);
  const mask = g.input('mask', [o.rows]);
  const logits = o.model.forward(x);
  if (logits.rank !== 2) throw new LimitError(`the model must output (batch, classes) scores, got ${logits}`);
  // Labels gathered on the device are never seen by the host, so their range is checked here.
  const ds = o.dataset;
  if (ds && ds.numClasses > logits.shape[1]) {
    throw new ArgumentError(`dataset '${ds.name}' has ${ds.numClasses} classes but the model outputs ` +
      `${logits.shape[1]} scores per sample: make its last layer ${ds.numClasses} wide`);
  }
  const smoothing = o.mode === 'eval' ? 0 : o.labelSmoothing;
  const ce = crossEntropy(logits, y, { reduction: 'none', labelSmoothing: smoothing });
  accumulate(g, o.metrics.totals, classMetrics(ce, logits, y, mask));
  if (o.mode === 'eval') return { graph: g, loss: null, gradients: [] };
  const w = g.input('weight', [o.rows]);
  const loss = sum(mul(ce, w));
  const grads = deep(g, () => grad(loss, o.params.map((p) => g.param(p))));
  const gradients: [Parameter, Tensor][] = [];
  o.params.forEach((p, i) => {
    const acc = o.accumulators?.get(p);
    if (o.mode === 'train') gradients.push([p, grads[i]]);
    else if (o.mode === 'accumulate') accumulate(g, acc!, grads[i]);
    else {
      gradients.push([p, add(g.variable(acc!), grads[i])]);
      g.assign(acc!, g.fill(p.shape, 0));
    }
  });
  return { graph: g, loss, gradients };
}

/**
 * The micro-batch for batches of `rows`: all of them when every batch-sized tensor binds within
 * `limitBytes`, else the fewest equal parts that do (the step graph is built at `rows` and its
 * batch-shaped tensors measured per row).
 */
export function microBatchRows(build: (rows: number) => StepGraph, rows: number, limitBytes: number): number {
  const { graph } = build(rows);
  let perRow = 0;
  for (const t of graph.nodes) {
    if (t.op.kind === 'leaf' && t.op.name !== 'input') continue; // persistent leaves: not per batch
    const bytes = t.size * 4;
    if (t.rank > 0 && t.shape[0] === rows) perRow = Math.max(perRow, bytes / rows);
    else if (bytes > limitBytes)
      throw new LimitError(`${t} needs ${bytes} bytes, above the device's binding limit of ${limitBytes} bytes, ` +
        `whatever the batch size`);
  }
  if (perRow * rows <= limitBytes) return rows;
  const most = Math.floor(limitBytes / perRow);
  if (most < 1)
    throw new LimitError(`one sample needs ${perRow} bytes in a single tensor, above the device's binding limit of ` +
      `${limitBytes} bytes`);
  // As few micro-batches as fit, of equal size, so that a full batch wastes no padded rows.
  return Math.ceil(rows / Math.ceil(rows / most));
}
