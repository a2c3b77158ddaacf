/** Model, optimizer and schedule specs; a batch-norm MLP trains the same on GPU and cpu. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpu, slope } from '../util/engine.js';
import { gpu, gpuTest } from '../util/suite.js';
import { expectClose } from '../util/close.js';
import { TOL } from '../tolerances.js';
import { blobs } from './helpers.js';

const { parseModel, buildModel, makeOptimizer, makeSchedule, Trainer } = slope;

test('model specs: hidden widths, norms, PyTorch state_dict names', () => {
  assert.equal(parseModel('mlp:512,256').hidden, [512, 256]);
  assert.equal(parseModel('linear').hidden, []);
  for (const bad of ['mlp', 'mlp:', 'mlp:0', 'mlp:3,x', 'cnn:', 'cnn:3,x', 'conv:3', 'linear:4']) assert.throws(() => parseModel(bad), /model must be|positive integers/);
  assert.throws(() => parseModel('mlp:4', 'group'), /norm 'group' is for cnn: models/);
  assert.throws(() => parseModel('mlp:4', 'frob'), /norm must be one of none, batch, layer, group/);
  const m = buildModel(parseModel('mlp:6,5', 'batch'), 12, 3, 0);
  assert.equal(m.namedParameters().map(([n, p]) => `${n}${JSON.stringify(p.shape)}`),
    ['1.weight[6,12]', '1.bias[6]', '2.weight[6]', '2.bias[6]', '4.weight[5,6]', '4.bias[5]', '5.weight[5]', '5.bias[5]', '7.weight[3,5]', '7.bias[3]']);
  assert.ok(m.namedBuffers().some(([n]) => n === '2.running_mean'));
  const a = buildModel(parseModel('mlp:4'), 3, 2, 7).parameters()[0].data;
  const b = buildModel(parseModel('mlp:4'), 3, 2, 7).parameters()[0].data;
  const c = buildModel(parseModel('mlp:4'), 3, 2, 8).parameters()[0].data;
  assert.equal(Array.from(a), Array.from(b), 'same seed, same initialization');
  assert.not.equal(Array.from(a), Array.from(c));
  assert.ok(a.every((v) => Math.abs(v) <= 1 / Math.sqrt(3)), 'PyTorch default bound 1/sqrt(fan_in)');
});

test('optimizer names and schedule specs', () => {
  const ps = buildModel(parseModel('mlp:4'), 3, 2).parameters();
  assert.is(makeOptimizer({ name: 'momentum' }, ps).name, 'SGD');
  assert.is((makeOptimizer({ name: 'momentum' }, ps).paramGroups[0] as unknown as { momentum: number }).momentum, 0.9);
  assert.is(makeOptimizer({ name: 'adamw', lr: 0.5 }, ps).lr, 0.5);
  assert.is(makeOptimizer({ name: 'sgd' }, ps).lr, 0.1);
  const opt = makeOptimizer({ name: 'adam', lr: 0.1 }, ps);
  const ctx = { lr: 0.1, stepsPerEpoch: 10, totalSteps: 100 };
  const at = (spec: string, t: number) => makeSchedule(spec, ctx, opt).schedule!(t);
  assert.is(at('constant', 50), 0.1);
  assert.ok(Math.abs(at('cosine', 50) - 0.05) < 1e-12);
  assert.ok(Math.abs(at('step:2,0.5', 25) - 0.05) < 1e-12, 'every 2 epochs (20 steps)');
  assert.ok(Math.abs(at('multistep:1/3', 35) - 0.001) < 1e-12);
  assert.ok(at('warmup-cosine:10', 0) < at('warmup-cosine:10', 9));
  assert.ok(makeSchedule('plateau:1,0.5', ctx, opt).plateau !== null);
  assert.throws(() => makeSchedule('step', ctx, opt), /argument 1 is required/);
  assert.throws(() => makeSchedule('exp:-1', ctx, opt), /not a non-negative number/);
  assert.throws(() => makeSchedule('wobble', ctx, opt), /schedule must be one of/);
});

gpuTest('a batch-norm MLP (train mode statistics, eval with running stats) matches the cpu backend', async () => {
  const onGpu = await gpu();
  const c = await cpu();
  try {
    const ds = blobs(50, [7], 3, 31);
    const out = [];
    for (const e of [onGpu, c]) {
      const model = buildModel(parseModel('mlp:9,6', 'batch'), 7, 3, 2);
      // SGD with momentum: with Adam the bias before a batch norm (which the loss cannot see) moves by ±lr
      // with the sign of rounding noise in its zero gradient, so running means differ between backends.
      const t = await Trainer.create(e, { model, optimizer: makeOptimizer({ name: 'momentum', lr: 0.05 }, model.parameters()), train: ds, batchSize: 16, logEvery: 1 });
      const h = await t.fit({ epochs: 2 });
      const ev = await t.evaluate(ds);
      const rm = await e.read(model.namedBuffers().find(([n]) => n === '2.running_mean')![1]);
      out.push({ losses: h.log.map((x) => x.loss), ev: [ev.loss], rm: Array.from(rm) });
    }
    expectClose(out[0].losses, out[1].losses, TOL.graph, 'training losses');
    expectClose(out[0].rm, out[1].rm, TOL.graph, 'running mean');
    expectClose(out[0].ev, out[1].ev, TOL.graph, 'eval loss');
  } finally {
    onGpu.dispose();
    c.dispose();
  }
});

test.run();
