/** `slope train` and `slope evaluate`. */
import { basename } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { init, type Engine } from '../engine.js';
import { decodeSafetensors } from '../io/safetensors.js';
import { readCheckpointFile, writeFileAtomic } from '../io/node.js';
import { Trainer } from '../train/trainer.js';
import { buildModel, makeOptimizer, makeSchedule, parseModel, type OptimizerName } from '../train/factory.js';
import { checkpointBytes, loadWeights, parseCheckpoint } from '../train/state.js';
import { Evaluator, Placement } from '../train/evaluate.js';
import type { EpochEntry } from '../train/types.js';
import type { Parsed, ParsedFlags } from './args.js';
import { UsageError } from './args.js';
import { ArgumentError } from '../errors.js';
import { loadData, storedStandardizer, standardizeDataset, targetOf, trainingData, describeClasses } from './data.js';
import { readInputSpec } from '../io/input.js';
import { curvesSvg } from './curves.js';

/** Options that define a run; saved in checkpoints and used as defaults on --resume. */
const RUN_FLAGS = ['dataset', 'model', 'norm', 'activation', 'optimizer', 'lr', 'momentum', 'weight-decay', 'clip-grad-norm', 'schedule',
  'batch-size', 'epochs', 'seed', 'label-smoothing', 'augment-shift', 'drop-last', 'test-fraction', 'label', 'test', 'resize', 'channels', 'standardize'];

export interface Out {
  out(line: string): void;
  err: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean; columns?: number };
}

const str = (f: ParsedFlags, k: string) => f[k] as string | undefined;
const num = (f: ParsedFlags, k: string) => f[k] as number | undefined;

async function checkpointConfig(file: string): Promise<{ bytes: Uint8Array; config: Record<string, unknown> }> {
  const bytes = await readCheckpointFile(file);
  const meta = decodeSafetensors(bytes).metadata;
  let config: Record<string, unknown> = {};
  try {
    config = meta.config ? JSON.parse(meta.config) : {};
  } catch {
    throw new UsageError(`${file}: the checkpoint's config metadata is not valid JSON`);
  }
  return { bytes, config };
}

/** Flags not given on the command line take the checkpoint's values. */
function withDefaults(p: Parsed, config: Record<string, unknown>): ParsedFlags {
  const f = { ...p.flags };
  for (const k of RUN_FLAGS) if (!p.given.has(k) && k in config) f[k] = config[k] as string | number | boolean;
  return f;
}

/** A flag value the library refuses (a malformed --model or --schedule) is a usage error. */
function asUsage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ArgumentError) throw new UsageError(e.message, 'train');
    throw e;
  }
}

function engineOf(f: ParsedFlags): Promise<Engine> {
  return init({ backend: f.backend as 'webgpu' | 'cpu' });
}

export async function trainCommand(p: Parsed, io: Out): Promise<void> {
  const resume = str(p.flags, 'resume');
  const ck = resume ? await checkpointConfig(resume) : null;
  const f = ck ? withDefaults(p, ck.config) : p.flags;
  const spec = asUsage(() => parseModel(str(f, 'model')!, str(f, 'norm'), str(f, 'activation')));
  const stored = ck ? readInputSpec(ck.bytes) : null;
  const loaded = await loadData(f, targetOf(stored, resume!));
  const engine = await engineOf(f);
  try {
    const data = await trainingData(engine, loaded, f, ck ? { input: stored } : null);
    io.err.write(`${data.line}\n`);
    for (const w of data.warnings) io.err.write(`slope: ${w}\n`);
    const seed = num(f, 'seed')!;
    const model = buildModel(spec, data.train.features, data.train.numClasses, seed);
    const optimizer = makeOptimizer({ name: str(f, 'optimizer') as OptimizerName, lr: num(f, 'lr'), momentum: num(f, 'momentum'), weightDecay: num(f, 'weight-decay'), clipGradNorm: num(f, 'clip-grad-norm') }, model.parameters());
    const B = num(f, 'batch-size')!;
    const lr = optimizer.lr;
    const epochs = num(f, 'epochs')!;
    const stepsPerEpoch = f['drop-last'] ? Math.floor(data.train.length / B) : Math.ceil(data.train.length / B);
    const { schedule, plateau } = asUsage(() => makeSchedule(str(f, 'schedule')!, { lr, stepsPerEpoch, totalSteps: stepsPerEpoch * epochs }, optimizer));
    const config = Object.fromEntries(RUN_FLAGS.filter((k) => f[k] !== undefined).map((k) => [k, f[k]]));
    const file = str(f, 'checkpoint');
    let trainer: Trainer;
    const onEpochEnd = async (e: EpochEntry) => {
      if (file) await writeFileAtomic(file, await checkpointBytes(trainer));
      if (!f.quiet && !io.err.isTTY && f.json) io.err.write(`epoch ${e.epoch} done\n`);
    };
    trainer = await Trainer.create(engine, {
      model, optimizer, train: data.train, test: data.test, batchSize: B, seed, dropLast: !!f['drop-last'], schedule, plateau,
      labelSmoothing: num(f, 'label-smoothing'), augmentShift: num(f, 'augment-shift'), logEvery: num(f, 'log-every'),
      progress: f.quiet ? null : io.err, callbacks: { onEpochEnd }, config, input: data.input,
    });
    if (ck) await trainer.loadState(parseCheckpoint(trainer, ck.bytes));
    const t0 = performance.now();
    const h = await trainer.fit({ epochs, steps: num(f, 'steps') });
    const seconds = (performance.now() - t0) / 1000;
    if (file && trainer.batch !== 0) await writeFileAtomic(file, await checkpointBytes(trainer)); // stopped mid-epoch
    const last = h.epochs[h.epochs.length - 1];
    const test = last?.testAccuracy != null ? { loss: last.testLoss!, accuracy: last.testAccuracy } : await trainer.evaluate(data.test);
    if (str(f, 'curves')) await writeFile(str(f, 'curves')!, curvesSvg(h, trainer.loader.batchesPerEpoch, `${basename(String(f.dataset))} ${f.model}`));
    // Without a completed epoch (--steps), the training figures are those of the steps taken.
    const logged = h.log.reduce((a, e) => ({ n: a.n + e.samples, loss: a.loss + e.loss * e.samples, acc: a.acc + e.accuracy * e.samples }), { n: 0, loss: 0, acc: 0 });
    const partial = logged.n ? { loss: logged.loss / logged.n, acc: logged.acc / logged.n } : null;
    const summary = {
      trainLoss: last?.trainLoss ?? partial?.loss ?? null, trainAccuracy: last?.trainAccuracy ?? partial?.acc ?? null, testLoss: test.loss, testAccuracy: test.accuracy,
      epochs: trainer.epoch, steps: trainer.step, seconds: +seconds.toFixed(3), adapter: engine.adapter,
      dataset: f.dataset, trainSamples: data.train.length, testSamples: data.test.length, model: f.model, norm: f.norm, optimizer: f.optimizer,
      lr, finalLr: optimizer.lr, schedule: f.schedule, batchSize: B, microBatch: trainer.microBatch, dataOnDevice: trainer.onDevice,
      standardized: !!f.standardize, classNames: data.train.classNames,
    };
    io.out(`test accuracy ${(100 * test.accuracy).toFixed(2)}% (loss ${test.loss.toFixed(4)}) after ${trainer.epoch} epochs, ${trainer.step} steps, ${seconds.toFixed(1)} s on ${engine.adapter}`);
    if (f.json) io.out(JSON.stringify(summary));
  } finally {
    engine.dispose();
  }
}

export async function evaluateCommand(p: Parsed, io: Out): Promise<void> {
  const file = str(p.flags, 'checkpoint');
  if (!file) throw new UsageError('evaluate needs --checkpoint FILE', 'evaluate');
  const { bytes, config } = await checkpointConfig(file);
  const f = withDefaults(p, config);
  if (!f.dataset) throw new UsageError('the checkpoint does not name its dataset; give --dataset', 'evaluate');
  const input = readInputSpec(bytes);
  const data = await loadData(f, targetOf(input, file));
  const st = storedStandardizer(input, f.standardize as boolean | undefined, p.given.has('standardize'), file);
  let ds = f.split === 'train' ? data.train : data.test;
  const engine = await engineOf(f);
  try {
    if (st) ds = await standardizeDataset(engine, ds, st);
    const spec = parseModel(String(config.model ?? 'mlp:512,256'), String(config.norm ?? 'none'), String(config.activation ?? 'relu'));
    const model = buildModel(spec, ds.features, ds.numClasses);
    const s = loadWeights(engine, model, bytes);
    const ev = await new Evaluator(engine, new Placement(model, engine.backend.limits.maxBindingBytes), num(f, 'batch-size'), ds.features).evaluate(ds);
    io.out(`${f.split} accuracy ${(100 * ev.accuracy).toFixed(2)}% (loss ${ev.loss.toFixed(4)}) on ${ev.count} samples of ${f.dataset}, ${describeClasses(ds)}${st ? ', standardized' : ''}, checkpoint at step ${s.progress.step}`);
    if (f.json) io.out(JSON.stringify({ loss: ev.loss, accuracy: ev.accuracy, count: ev.count, split: f.split, dataset: f.dataset, step: s.progress.step, adapter: engine.adapter, standardized: !!st, classNames: ds.classNames }));
  } finally {
    engine.dispose();
  }
}
