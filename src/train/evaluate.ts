/**
 * Where datasets live (a device table when it fits the binding limit, else streamed) and
 * evaluation: mean loss (no label smoothing) and accuracy over a dataset, in eval() mode,
 * accumulated on the device and read back once.
 */
import { ArgumentError } from '../errors.js';
import type { Engine } from '../engine.js';
import type { Program } from '../graph/program.js';
import { Variable, type Parameter } from '../graph/tensor.js';
import { Generator } from '../nn/init.js';
import type { Module } from '../nn/module.js';
import { packBytes, type Dataset } from '../data/dataset.js';
import { Feeder } from './feeder.js';
import { buildStepGraph, metricVariables, microBatchRows, type DeviceTable, type Metrics,
  type StepMode } from './graphs.js';
import type { Evaluation } from './types.js';

export type DataPlacement = 'auto' | 'always' | 'never';

/** Decides, once per dataset, whether it lives on the device, and builds step graphs over it. */
export class Placement {
  private tables = new Map<Dataset, DeviceTable | null>();
  constructor(readonly model: Module, readonly limit: number, readonly mode: DataPlacement = 'auto') {}

  /** The device table of a dataset, or null when it is streamed from the host. */
  table(ds: Dataset): DeviceTable | null {
    if (this.tables.has(ds)) return this.tables.get(ds)!;
    const fits = ds.deviceBytes() <= this.limit;
    if (this.mode === 'always' && !fits) {
      throw new ArgumentError(`dataset '${ds.name}' needs ${ds.deviceBytes()} bytes, above the device's binding ` +
        `limit of ${this.limit}; let it be streamed (data placement 'auto')`);
    }
    let t: DeviceTable | null = null;
    if (this.mode !== 'never' && fits) {
      const y = new Variable(`${ds.name}.y`, [ds.length], 'i32', ds.y);
      if (ds.bytes) {
        const { table, words } = packBytes(ds.bytes.data, ds.length, ds.features);
        t = { x: new Variable(`${ds.name}.x`, [ds.length, words], 'i32', table), y,
          bytes: { features: ds.features, scale: ds.bytes.scale, offset: ds.bytes.offset } };
      } else {
        t = { x: new Variable(`${ds.name}.x`, [ds.length, ds.features], 'f32', ds.x), y, bytes: null };
      }
    }
    this.tables.set(ds, t);
    return t;
  }

  graph(rows: number, mode: StepMode, ds: Dataset, metrics: Metrics,
    extra: { params?: readonly Parameter[]; accumulators?: Map<Parameter, Variable> | null; shift?: number;
      flip?: boolean; labelSmoothing?: number } = {}) {
    const flip = mode !== 'eval' && !!extra.flip;
    const shift = mode === 'eval' ? 0 : extra.shift ?? 0;
    const s = ds.sampleShape;
    return buildStepGraph({
      model: this.model, rows, sampleShape: s, table: this.table(ds), metrics, mode,
        dataset: { name: ds.name, numClasses: ds.numClasses }, params: extra.params ?? [],
          accumulators: extra.accumulators ?? null,
      streamBytes: ds.bytes ? { features: ds.features, scale: ds.bytes.scale, offset: ds.bytes.offset } : null,
      shift: shift || flip ? { height: s[s.length - 2], width: s[s.length - 1], flip } : null,
        labelSmoothing: extra.labelSmoothing ?? 0,
    });
  }
}

export interface Running {
  prog: Program;
  feeder: Feeder;
  metrics: Metrics;
}

/** Read accumulated metrics and zero them. */
export async function readMetrics(engine: Engine, m: Metrics): Promise<{ loss: number; correct: number;
  count: number }> {
  const [loss, correct, count] = await engine.read(m.totals);
  resetMetrics(engine, m);
  return { loss, correct, count };
}

export function resetMetrics(engine: Engine, m: Metrics): void {
  engine.write(m.totals, [0, 0, 0]);
}

/** Evaluation programs, one per dataset, compiled on first use. */
export class Evaluator {
  private runners = new Map<Dataset, Running>();
  constructor(readonly engine: Engine, readonly placement: Placement, readonly batchSize = 1000,
    readonly features?: number) {}

  async evaluate(ds: Dataset): Promise<Evaluation> {
    const r = await this.runner(ds);
    resetMetrics(this.engine, r.metrics);
    const rows = r.feeder.rows;
    const pad = Int32Array.of(0);
    for (let start = 0; start < ds.length; start += rows) {
      const idx = Int32Array.from({ length: Math.min(rows, ds.length - start) }, (_, i) => start + i);
      await r.prog.run(r.feeder.feeds(idx, 0, pad, false));
    }
    const m = await readMetrics(this.engine, r.metrics);
    return { loss: m.loss / m.count, accuracy: m.correct / m.count, count: m.count };
  }

  private async runner(ds: Dataset): Promise<Running> {
    let r = this.runners.get(ds);
    if (r) return r;
    if (this.features !== undefined && ds.features !== this.features)
      throw new ArgumentError(`evaluate: '${ds.name}' has ${ds.features} features, the model takes ${this.features}`);
    if (!Number.isSafeInteger(this.batchSize) || this.batchSize < 1)
      throw new ArgumentError(`evaluate: batch size must be a positive integer, got ${this.batchSize}`);
    const p = this.placement;
    const metrics = metricVariables(`eval.${ds.name}`);
    p.model.eval();
    try {
      const rows = microBatchRows((n) => p.graph(n, 'eval', ds, metricVariables('probe')),
        Math.min(ds.length, this.batchSize), p.limit);
      const g = p.graph(rows, 'eval', ds, metrics);
      r = { prog: await this.engine.compile(g.graph, {}),
        feeder: new Feeder(ds, rows, p.table(ds) !== null, 0, new Generator()), metrics };
    } finally {
      p.model.train();
    }
    this.runners.set(ds, r);
    return r;
  }
}
