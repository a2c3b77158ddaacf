/**
 * Convolutional layers: PyTorch's parameter names, shapes and initialization bounds, a small CNN
 * (Conv2d → ReLU → MaxPool2d → Dropout → AdaptiveAvgPool2d → Flatten → Linear) trained for a few
 * steps on the GPU against the cpu backend, dropout's masks as a function of (seed, step, layer)
 * and its identity in eval mode, and errors that name the layer and the shapes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpu, slope } from '../util/engine.js';
import { engineOn, testOn } from '../util/suite.js';
import { Rng } from '../util/rng.js';
import { expectClose } from '../util/close.js';
import { TOL } from '../tolerances.js';
import * as dr from '../../src/ref/dropout.js';

const { Graph, nn } = slope;

test('Conv2d: PyTorch parameter names, shapes and kaiming-uniform(a = √5) bounds', () => {
  const gen = new slope.Generator(3);
  const c = new nn.Conv2d(6, 8, [3, 2], { groups: 2, generator: gen });
  const model = new nn.Sequential(c, new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(8, 3, { generator: gen }));
  assert.equal(model.namedParameters().map(([n, p]) => [n, p.shape]), [['0.weight', [8, 3, 3, 2]], ['0.bias', [8]], ['4.weight', [3, 8]], ['4.bias', [3]]]);
  assert.equal(model.namedBuffers(), []);
  const bound = 1 / Math.sqrt(3 * 3 * 2); // fan_in = C/groups · R · S
  for (const p of [c.weight, c.bias!]) {
    const d = Array.from(p.data);
    assert.ok(d.every((v) => Math.abs(v) <= bound), `${p.name} within ±${bound}`);
    assert.ok(Math.max(...d.map(Math.abs)) > 0.8 * bound, `${p.name} spreads to the bound`);
  }
  assert.is(new nn.Conv2d(2, 4, 3, { bias: false }).bias, null);
});

test('errors name the layer, its arguments and the shapes', () => {
  assert.throws(() => new nn.Conv2d(3, 8, 3, { groups: 2 }), /Conv2d\(3, 8, kernel_size=\(3, 3\), groups=2\): .*divisible by groups 2/);
  assert.throws(() => new nn.Conv2d(3, 8, 3, { padding: 'same', stride: 2 }), /not supported for strided/);
  assert.throws(() => new nn.Conv2d(3, 8, 0), /kernelSize must be an integer ≥ 1/);
  const g = new Graph();
  assert.throws(() => new nn.Conv2d(3, 8, 3).forward(g.input('x', [2, 4, 9, 9])), /Conv2d\(3, 8, kernel_size=\(3, 3\)\): input .* must be \(N, 3, H, W\)/);
  assert.throws(() => new nn.Conv2d(3, 8, 5).forward(g.input('x2', [2, 3, 4, 4])), /Conv2d\(3, 8, kernel_size=\(5, 5\)\): conv2d: the kernel 5×5 .* does not fit the padded input 4×4/);
  assert.throws(() => new nn.MaxPool2d(3, { padding: 2 }).forward(g.input('x3', [1, 1, 9, 9])), /MaxPool2d\(kernel_size=3\): max_pool2d: padding 2,2 must be at most half/);
  assert.throws(() => new nn.Dropout(1.5), /Dropout: p must be a probability/);
  // Output sizes of zero: a pooling window larger than its input, an adaptive output of 0, a stride past the input.
  assert.throws(() => new nn.MaxPool2d(5).forward(g.input('x4', [1, 2, 3, 3])),
    /MaxPool2d\(kernel_size=5\): max_pool2d: the kernel 5×5 is larger than the padded input: output 0×0 \(x \[1,2,3,3\]\)/);
  assert.throws(() => new nn.AvgPool2d(4, { stride: 1 }).forward(g.input('x5', [1, 2, 3, 8])), /AvgPool2d\(.*\): avg_pool2d: .*output 0×5/);
  assert.throws(() => new nn.AdaptiveAvgPool2d(0).forward(g.input('x6', [1, 2, 3, 3])),
    /AdaptiveAvgPool2d\(output_size=0\): adaptiveAvgPool2d: outputSize must be an integer ≥ 1 or a pair of them, got \[0,0\]/);
  assert.throws(() => new nn.Conv2d(2, 4, 3, { dilation: 2 }).forward(g.input('x7', [1, 2, 4, 9])),
    /Conv2d\(2, 4, kernel_size=\(3, 3\), dilation=\(2, 2\)\): conv2d: the kernel 3×3 \(dilation 2,2\) does not fit the padded input 4×9: output 0×5 \(x \[1,2,4,9\], weight \[4,2,3,3\]\)/);
  assert.throws(() => new nn.Conv2d(4, 6, 3, { groups: 4 }), /Conv2d\(4, 6, kernel_size=\(3, 3\), groups=4\): .*in_channels 4 and out_channels 6 must be divisible by groups 4/);
});

test('Dropout: identity in eval mode; in training, masks from (seed, step, layer), gradient through the same mask', async () => {
  const e = await cpu();
  try {
    const d1 = new nn.Dropout(0.4), d2 = new nn.Dropout(0.4);
    const g = new Graph();
    const x = g.input('x', [3, 50]);
    const y1 = d1.forward(x), y2 = d2.forward(x);
    const w = g.input('w', [3, 50]);
    const [gx] = slope.grad(slope.sum(slope.mul(y1, w)), [x]);
    const prog = await e.compile(g, { outputs: { y1, y2, gx } });
    const xs = new Rng(5).uniform(150, 0.5, 2), ws = new Rng(6).uniform(150);
    const run = async (seed: number, step: number) => {
      await prog.run({ x: xs, w: ws, dropout_rng: Int32Array.from([seed, step]) });
      return { y1: await prog.read('y1'), y2: await prog.read('y2'), gx: await prog.read('gx') };
    };
    const a = await run(7, 3);
    const want = new Float64Array(150);
    dr.dropout(want, xs, { p: 0.4, seed: 7, step: 3, stream: 0 });
    expectClose(a.y1, want, TOL.elementwise, 'layer 0 against the reference');
    dr.dropout(want, xs, { p: 0.4, seed: 7, step: 3, stream: 1 });
    expectClose(a.y2, want, TOL.elementwise, 'layer 1 (its own stream)');
    for (let i = 0; i < 150; i++) assert.ok(Math.abs(a.gx[i] - (a.y1[i] === 0 ? 0 : ws[i] / 0.6)) < 1e-12, `dx[${i}] = w·mask/(1 − p)`);
    assert.equal(Array.from((await run(7, 3)).y1), Array.from(a.y1), 'same (seed, step): the same mask');
    assert.not.equal(Array.from((await run(7, 4)).y1), Array.from(a.y1), 'the next step: a new mask');
    d1.eval();
    const ge = new Graph();
    const xe = ge.input('x', [3, 50]);
    assert.is(d1.forward(xe), xe, 'eval mode builds nothing');
  } finally {
    e.dispose();
  }
});

/** A small CNN and a few SGD steps: losses and final parameters per backend. */
async function trainSmallCnn(backend: 'cpu' | 'webgpu') {
  const e = await engineOn(backend);
  try {
    const gen = new slope.Generator(11);
    const model = new nn.Sequential(
      new nn.Conv2d(2, 5, 3, { padding: 'same', generator: gen }), new nn.ReLU(), new nn.MaxPool2d(2, { ceilMode: true }),
      new nn.Conv2d(5, 6, 3, { stride: 2, padding: 1, generator: gen }), new nn.Dropout(0.25), new nn.AvgPool2d(2, { padding: 1 }),
      new nn.AdaptiveAvgPool2d(1), new nn.Flatten(), new nn.Linear(6, 3, { generator: gen }),
    );
    const g = new Graph();
    const x = g.input('x', [4, 2, 9, 7]);
    const labels = g.input('y', [4], 'i32');
    const loss = slope.crossEntropy(model.forward(x), labels);
    const params = model.parameters();
    const grads = slope.grad(loss, params.map((p) => g.param(p)));
    const opt = new slope.SGD(params, { lr: 0.5 });
    const prog = await e.compile(g, { outputs: { loss }, gradients: params.map((p, i) => [p, grads[i]] as const), hooks: [opt] });
    const r = new Rng(12);
    const xs = r.uniform(4 * 2 * 9 * 7);
    const ys = Int32Array.from([0, 1, 2, 1]);
    const losses: number[] = [];
    for (let step = 0; step < 4; step++) {
      await prog.run({ x: xs, y: ys, dropout_rng: Int32Array.from([3, step]) });
      losses.push((await prog.read('loss'))[0]);
    }
    const values = await Promise.all(params.map((p) => e.read(p)));
    return { losses, values };
  } finally {
    e.dispose();
  }
}

testOn('webgpu')('a small CNN trains the same on the GPU as on the cpu backend (4 SGD steps)', async () => {
  const want = await trainSmallCnn('cpu');
  const got = await trainSmallCnn('webgpu');
  expectClose(got.losses, want.losses, TOL.graph, 'losses');
  got.values.forEach((v, i) => expectClose(v, want.values[i], TOL.graph, `parameter ${i}`));
  assert.ok(want.losses[3] < want.losses[0], `the loss falls: ${want.losses}`);
});

test.run();
