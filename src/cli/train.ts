/** `slope train` and `slope evaluate`. */
import { basename } from 'node:path';
import { init, type Engine } from '../engine.js';
import { checkOutputPath, writeFileAtomic } from '../io/node.js';
import { checkpointKernels } from '../io/checkpoint.js';
import { OutputError } from '../io/errors.js';
import { Trainer } from '../train/trainer.js';
import { buildModel, makeOptimizer, makeSchedule, parseModel, type OptimizerName } from '../train/factory.js';
import { checkpointBytes, loadWeights, parseCheckpoint } from '../train/state.js';
import { Evaluator, Placement } from '../train/evaluate.js';
import type { EpochEntry, History } from '../train/types.js';
import type { Split } from '../data/dataset.js';
import type { Parsed, ParsedFlags } from './args.js';
import { UsageError } from './args.js';
import { ArgumentError } from '../errors.js';
import { COMMANDS } from './commands.js';
import { loadData, storedStandardizer, standardizeDataset, targetOf, trainingData, describeClasses } from './data.js';
import { readInputSpec } from '../io/input.js';
import { curvesSvg } from './curves.js';
import { EVALUATE_FLAGS, RUN_FLAGS, readCheckpointConfig, refuseChanges, withDefaults,
  type CheckpointFile } from './resume.js';

export interface Out {
  out(line: string): void;
  err: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean; columns?: number };
}

const str = (f: ParsedFlags, k: string) => f[k] as string | undefined;
const num = (f: ParsedFlags, k: string) => f[k] as number | undefined;

/** A flag value the library refuses (a malformed --model or --schedule) is a usage error. */
function asUsage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ArgumentError) throw new UsageError(e.message, 'train');
    throw e;
  }
}

/** The engine; a resumed run's uses the kernel variants its checkpoint records (bit-exact continuation). */
/**
 * The translation bound: a padded random crop with padding P draws the same offsets as a shift of
 * up to P pixels (pixels from outside read as zeros), so --augment-crop P is --augment-shift P.
 */
function augmentShift(f: ParsedFlags): number {
  const shift = (f['augment-shift'] as number | undefined) ?? 0;
  const crop = f['augment-crop'] as number | undefined;
  if (crop !== undefined && shift && crop !== shift) {
    throw new UsageError(`--augment-crop ${crop} and --augment-shift ${shift} are the same transform; give one`,
      'train');
  }
  return crop ?? shift;
}

function engineOf(f: ParsedFlags, resumed?: Uint8Array): Promise<Engine> {
  return init({ backend: f.backend as 'webgpu' | 'cpu', tuned: resumed ? checkpointKernels(resumed) : undefined });
}

/** Seconds between yields to the event loop during training, so that a signal is handled. */
const YIELD_MS = 50;

/** Exit status of a run stopped by a signal: 128 + its number. */
const SIGNAL_STATUS: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/** The run's flags: the command line's, with a resumed checkpoint's run options as defaults (checked). */
async function runFlags(p: Parsed): Promise<{ f: ParsedFlags; ck: CheckpointFile | null; target: string | undefined }> {
  const resume = str(p.flags, 'resume');
  const ck = resume ? await readCheckpointConfig(resume) : null;
  if (ck) refuseChanges(p, ck, COMMANDS.train);
  const f = ck ? withDefaults(p, ck.config) : p.flags;
  // A resumed run keeps writing to its checkpoint unless told otherwise.
  const target = str(p.flags, 'checkpoint') ?? resume;
  if (target) await checkOutputPath(target, '--checkpoint');
  if (str(f, 'curves')) await checkOutputPath(str(f, 'curves')!, '--curves');
  return { f, ck, target };
}

export async function trainCommand(p: Parsed, io: Out): Promise<number> {
  const { f, ck, target } = await runFlags(p);
  const spec = asUsage(() => parseModel(str(f, 'model')!, str(f, 'norm'), str(f, 'activation'),
    num(f, 'dropout') ?? 0));
  const stored = ck ? readInputSpec(ck.bytes) : null;
  const loaded = await loadData(f, targetOf(stored, ck?.file ?? ''));
  const engine = await engineOf(f, ck?.bytes);
  const stopped: { signal: string | null } = { signal: null };
  let trainer: Trainer | undefined;
  const onSignal = (s: string) => {
    stopped.signal = s;
    trainer?.stop();
    if (!f.quiet) io.err.write(`\nslope: ${s}: stopping after the step in ` +
      `progress${target ? ` and saving ${target}` : ''}\n`);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const data = await trainingData(engine, loaded, f, ck ? { input: stored } : null);
    io.err.write(`${data.line}\n`);
    for (const w of data.warnings) io.err.write(`slope: ${w}\n`);
    const seed = num(f, 'seed')!;
    const model = asUsage(() => buildModel(spec, data.train.sampleShape, data.train.numClasses, seed,
      engine.backend.limits.maxBindingBytes));
    const optimizer = makeOptimizer({
      name: str(f, 'optimizer') as OptimizerName, lr: num(f, 'lr'), momentum: num(f, 'momentum'),
      weightDecay: num(f, 'weight-decay'), clipGradNorm: num(f, 'clip-grad-norm'),
    }, model.parameters());
    const B = num(f, 'batch-size')!;
    const lr = optimizer.lr;
    const epochs = num(f, 'epochs')!;
    const stepsPerEpoch = f['drop-last'] ? Math.floor(data.train.length / B) : Math.ceil(data.train.length / B);
    const { schedule,
      plateau } = asUsage(() => makeSchedule(str(f, 'schedule')!,
        { lr, stepsPerEpoch, totalSteps: stepsPerEpoch * epochs }, optimizer));
    const config = Object.fromEntries(RUN_FLAGS.filter((k) => f[k] !== undefined).map((k) => [k, f[k]]));
    const onEpochEnd = async (e: EpochEntry) => {
      if (target) await writeFileAtomic(target, await checkpointBytes(trainer!));
      if (!f.quiet && !io.err.isTTY && f.json) io.err.write(`epoch ${e.epoch} done\n`);
    };
    let yielded = performance.now();
    const onStep = async () => {
      if (performance.now() - yielded < YIELD_MS) return;
      await new Promise((r) => setImmediate(r));
      yielded = performance.now();
    };
    trainer = await Trainer.create(engine, {
      model, optimizer, train: data.train, test: data.test, batchSize: B, seed, dropLast: !!f['drop-last'], schedule,
        plateau,
      labelSmoothing: num(f, 'label-smoothing'), augmentShift: augmentShift(f), augmentFlip: !!f['augment-flip'],
      logEvery: num(f, 'log-every'),
      progress: f.quiet ? null : io.err, callbacks: { onEpochEnd, onStep }, config, input: data.input,
    });
    if (stopped.signal) trainer.stop();
    if (ck) {
      await trainer.loadState(parseCheckpoint(trainer, ck.bytes));
      if (p.given.has('lr') && !schedule) optimizer.lr = lr; // the checkpoint's groups hold the old one
      if (trainer.epoch >= epochs) {
        throw new ArgumentError(`the run in ${ck.file} has finished ${trainer.epoch} epochs of --epochs ${epochs}: ` +
          `give --epochs above ${trainer.epoch} to train further`);
      }
      io.out(`resuming ${ck.file} at step ${trainer.step} (epoch ${trainer.epoch + 1}, batch ${trainer.batch + 1} of ` +
        `${trainer.loader.batchesPerEpoch}); checkpoints go to ${target}`);
    }
    const resumedAt = ck ? trainer.step : null;
    const t0 = performance.now();
    const h = await trainer.fit({ epochs, steps: num(f, 'steps') });
    const seconds = (performance.now() - t0) / 1000;
    const signal = stopped.signal;
    // Stopped mid-epoch (--steps, a signal), or by a signal before the first epoch ended: save where it stands.
    if (target && (trainer.batch !== 0 || signal)) await writeFileAtomic(target, await checkpointBytes(trainer));
    if (signal) {
      const where =
        `at step ${trainer.step} (epoch ${trainer.epoch + 1}, batch ${trainer.batch} of ` +
          `${trainer.loader.batchesPerEpoch} done)`;
      io.out(target
        ? `stopped by ${signal} ${where}; saved ${target}: continue with slope train --resume ${target}`
          : `stopped by ${signal} ${where}; nothing saved (no --checkpoint)`);
      return SIGNAL_STATUS[signal] ?? 1;
    }
    await report(io, f, { engine, trainer, data, h, seconds, resumedAt, lr, B, optimizer });
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    engine.dispose();
  }
}

interface RunResult {
  engine: Engine;
  trainer: Trainer;
  data: Split;
  h: History;
  /** This process's training time (after a resume, since the resume). */
  seconds: number;
  /** The step a resumed run started from; null when not resumed. */
  resumedAt: number | null;
  lr: number;
  B: number;
  optimizer: { lr: number };
}

/** The summary (a line, then JSON with --json), then the figures: a failed figure never hides the result. */
async function report(io: Out, f: ParsedFlags, r: RunResult): Promise<void> {
  const { engine, trainer, data, h, seconds, resumedAt } = r;
  const last = h.epochs[h.epochs.length - 1];
  const test = last?.testAccuracy != null ? { loss: last.testLoss!,
    accuracy: last.testAccuracy } : await trainer.evaluate(data.test);
  // Without a completed epoch (--steps), the training figures are those of the steps taken.
  const logged = h.log.reduce((a,
    e) => ({ n: a.n + e.samples, loss: a.loss + e.loss * e.samples, acc: a.acc + e.accuracy * e.samples }),
      { n: 0, loss: 0, acc: 0 });
  const partial = logged.n ? { loss: logged.loss / logged.n, acc: logged.acc / logged.n } : null;
  const summary = {
    trainLoss: last?.trainLoss ?? partial?.loss ?? null, trainAccuracy: last?.trainAccuracy ?? partial?.acc ?? null,
      testLoss: test.loss, testAccuracy: test.accuracy,
    epochs: trainer.epoch, steps: trainer.step, seconds: +seconds.toFixed(3), resumedAt, adapter: engine.adapter,
    dataset: f.dataset, trainSamples: data.train.length, testSamples: data.test.length, model: f.model, norm: f.norm,
      optimizer: f.optimizer,
    lr: r.lr, finalLr: r.optimizer.lr, schedule: f.schedule, batchSize: r.B, microBatch: trainer.microBatch,
      dataOnDevice: trainer.onDevice,
    standardized: !!f.standardize, classNames: data.train.classNames,
  };
  io.out(`test accuracy ${(100 * test.accuracy).toFixed(2)}% (loss ${test.loss.toFixed(4)}) after ${trainer.epoch} ` +
    `epochs, ${trainer.step} steps, ${seconds.toFixed(1)} s on ${engine.adapter}` + (resumedAt === null ? '' :
    ` (resumed at step ${resumedAt}: the time is that of the ${trainer.step - resumedAt} steps since)`));
  if (f.json) io.out(JSON.stringify(summary));
  const curves = str(f, 'curves');
  if (curves) {
    const svg = curvesSvg(h, trainer.loader.batchesPerEpoch, `${basename(String(f.dataset))} ${f.model}`);
    await writeFileAtomic(curves, new TextEncoder().encode(svg)).catch((e) => {
      throw new OutputError(`--curves '${curves}': ${(e as Error).message.replace(/; the previous file.*$/, '')} ` +
        `(the results above are complete)`);
    });
  }
}

export async function evaluateCommand(p: Parsed, io: Out): Promise<void> {
  const file = str(p.flags, 'checkpoint');
  if (!file) throw new UsageError('evaluate needs --checkpoint FILE', 'evaluate');
  const { bytes, config } = await readCheckpointConfig(file);
  const f = withDefaults(p, config, EVALUATE_FLAGS);
  if (!f.dataset) throw new UsageError('the checkpoint does not name its dataset; give --dataset', 'evaluate');
  const input = readInputSpec(bytes);
  const data = await loadData(f, targetOf(input, file));
  const st = storedStandardizer(input, f.standardize as boolean | undefined, p.given.has('standardize'), file);
  let ds = f.split === 'train' ? data.train : data.test;
  const engine = await engineOf(f);
  try {
    if (st) ds = await standardizeDataset(engine, ds, st);
    const spec = parseModel(String(config.model ?? 'mlp:512,256'), String(config.norm ?? 'none'),
      String(config.activation ?? 'relu'), Number(config.dropout ?? 0));
    const model = buildModel(spec, ds.sampleShape, ds.numClasses, 0, engine.backend.limits.maxBindingBytes);
    const s = loadWeights(engine, model, bytes);
    const ev = await new Evaluator(engine, new Placement(model, engine.backend.limits.maxBindingBytes),
      num(f, 'batch-size'), ds.features).evaluate(ds);
    io.out(`${f.split} accuracy ${(100 * ev.accuracy).toFixed(2)}% (loss ${ev.loss.toFixed(4)}) on ${ev.count} ` +
      `samples of ${f.dataset}, ${describeClasses(ds)}${st ? ', standardized' : ''}, checkpoint at step ` +
        `${s.progress.step}`);
    if (f.json) io.out(JSON.stringify({ loss: ev.loss, accuracy: ev.accuracy, count: ev.count, split: f.split,
      dataset: f.dataset, step: s.progress.step, batchSize: num(f, 'batch-size'), adapter: engine.adapter,
        standardized: !!st, classNames: ds.classNames }));
  } finally {
    engine.dispose();
  }
}
