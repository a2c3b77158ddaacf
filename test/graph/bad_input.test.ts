/**
 * Bad input: shape mismatches fail at build time with a ShapeError naming the op and both
 * shapes; labels outside [0, C), NaN inputs (with the check on), wrong lengths and unknown
 * names fail on the host at upload, naming the argument. Run on the cpu and the GPU backend.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpu, slope } from '../util/engine.js';
import { BACKENDS, engineOn, testOn } from '../util/suite.js';
import { rejects, throws } from '../util/rejects.js';

const o = slope.ops;
const { Graph, ShapeError, ArgumentError, NonFiniteError } = slope;

test('shape mismatches: ShapeError at build time naming the op and both shapes', () => {
  const g = new Graph();
  const a = g.input('a', [2, 3]), b = g.input('b', [4]), m = g.input('m', [4, 5]);
  throws(() => o.add(a, b), ShapeError, ['add', '[2,3]', '[4]']);
  throws(() => o.mul(a, m), ShapeError, ['mul', '[2,3]', '[4,5]']);
  throws(() => o.matmul(a, m), ShapeError, ['matmul', '[2,3]', '[4,5]']);
  throws(() => o.matmul(a, b), ShapeError, ['matmul', '[2,3]', '[4]']);
  throws(() => o.matmul(a, m, { transB: true }), ShapeError, ['matmul', '[2,3]', '[4,5]']);
  const z = g.input('z', [4, 5]), y = g.input('y', [3], 'i32');
  throws(() => o.crossEntropy(z, y), ShapeError, ['crossEntropy', '[4,5]', '[3]']);
  throws(() => o.crossEntropy(z, g.input('p', [4, 6])), ShapeError, ['crossEntropy', '[4,5]', '[4,6]']);
  throws(() => o.mseLoss(a, m), ShapeError, ['mseLoss', '[2,3]', '[4,5]']);
  throws(() => o.softmax(z, 0), ShapeError, 'softmax');
  throws(() => o.linear(a, g.input('w', [7, 3]), g.input('bias', [5])), ShapeError, ['add', '[2,7]', '[5]']);
  throws(() => o.reshape(a, [4, 2]), ShapeError, ['reshape', '[4,2]']);
  throws(() => o.sum(a, 2), ShapeError, 'axis 2');
  throws(() => o.relu(y), ShapeError, ['relu', 'i32']);
});

async function ceProgram(e: slope.Engine) {
  const g = new Graph();
  const x = g.input('x', [3, 4]);
  const y = g.input('y', [3], 'i32');
  const loss = o.crossEntropy(x, y);
  return e.compile(g, { outputs: { loss } });
}

for (const backend of BACKENDS) {
  testOn(backend)(`${backend}: labels outside [0, C) are rejected on the host, naming the input and index`, async () => {
    const e = await engineOn(backend);
    try {
      const p = await ceProgram(e);
      const x = new Float32Array(12);
      await rejects(() => p.run({ x, y: Int32Array.from([0, 4, 1]) }), ArgumentError, ["'y'", 'index 1', '4 classes']);
      await rejects(() => p.run({ x, y: Int32Array.from([0, 1, -1]) }), ArgumentError, ["'y'", 'index 2']);
      await rejects(() => p.run({ x, y: [0, 1.5, 2] }), ArgumentError, ["'y'", '1.5']);
      await p.run({ x, y: Int32Array.from([0, 3, 2]) });
      assert.ok(Math.abs((await p.item('loss')) - Math.log(4)) < 1e-6);
    } finally {
      e.dispose();
    }
  });

  testOn(backend)(`${backend}: NaN and Inf inputs with the check on name the input; off, they propagate`, async () => {
    const e = await engineOn(backend, { checkFinite: true });
    try {
      const p = await ceProgram(e);
      const x = new Float32Array(12);
      x[5] = NaN;
      await rejects(() => p.run({ x, y: Int32Array.from([0, 1, 2]) }), NonFiniteError, ["'x'", 'index 5', 'NaN']);
      x[5] = -Infinity;
      await rejects(() => p.run({ x, y: Int32Array.from([0, 1, 2]) }), NonFiniteError, ["'x'", 'index 5']);
      x[5] = NaN;
      await p.run({ x, y: Int32Array.from([0, 1, 2]) }, { checkFinite: false });
      assert.ok(Number.isNaN(await p.item('loss')));
    } finally {
      e.dispose();
    }
  });

  testOn(backend)(`${backend}: wrong lengths, unknown and missing inputs name the argument`, async () => {
    const e = await engineOn(backend);
    try {
      const p = await ceProgram(e);
      const y = Int32Array.from([0, 1, 2]);
      await rejects(() => p.run({ x: new Float32Array(11), y }), ArgumentError, ["'x'", '11 values', '[3,4]']);
      await rejects(() => p.run({ x: new Float32Array(12), y, z: [1] }), ArgumentError, "'z'");
      await rejects(() => p.run({ y }), ArgumentError, ["'x'", 'not fed']);
      await rejects(() => p.read('nope'), ArgumentError, "'nope'");
    } finally {
      e.dispose();
    }
  });
}

test('a mean loss over an empty batch is a ShapeError at build time (sum and none are fine)', () => {
  const g = new slope.Graph();
  const z = g.input('z', [0, 3]);
  throws(() => slope.crossEntropy(z, g.input('y', [0], 'i32')), ShapeError, /crossEntropy: the mean over an empty input .* is undefined/);
  throws(() => slope.mseLoss(g.input('a', [0, 2]), g.input('b', [0, 2])), ShapeError, /mseLoss: the mean over an empty input/);
  assert.equal(slope.crossEntropy(z, g.input('y2', [0], 'i32'), { reduction: 'sum' }).shape, []);
  assert.equal(slope.crossEntropy(z, g.input('y3', [0], 'i32'), { reduction: 'none' }).shape, [0]);
});

test('numbers are scalars that broadcast (x + 3, 2 − x, max(x, 0)); anything else names the op and argument', async () => {
  const e = await cpu();
  try {
    const g = new Graph();
    const x = g.input('x', [3]);
    const y = o.add(o.mul(o.sub(2, x), 3), o.maximum(x, 0));
    const p = await e.compile(g, { outputs: { y } });
    await p.run({ x: [1, -2, 0.5] });
    assert.equal(Array.from(await p.read('y')), [3 + 1, 12 + 0, 4.5 + 0.5]);
    throws(() => o.add(x, null as never), ArgumentError, /add: argument b is null, not a Tensor or a number/);
    throws(() => o.maximum(undefined as never, x), ArgumentError, /maximum: argument a is undefined/);
    throws(() => o.mul(x, '2' as never), ArgumentError, /mul: argument b is the string '2'/);
    throws(() => o.add(1 as never, 2 as never), ArgumentError, /add: at least one operand must be a Tensor/);
    throws(() => o.relu(null as never), ArgumentError, /unary: input 0 is null, not a Tensor/);
    throws(() => o.matmul(x, undefined as never), ArgumentError, /matmul: argument 2 is undefined, not a Tensor/);
  } finally {
    e.dispose();
  }
});

test('dtypes other than f32 and i32 are refused when the graph is built; strings in a feed are named', async () => {
  const g = new Graph();
  throws(() => g.input('h', [2], 'f16' as never), ArgumentError, /input 'h': dtype must be 'f32' or 'i32', got "f16"/);
  throws(() => new slope.Variable('v', [2], 'f64' as never), ArgumentError, /Variable 'v': dtype must be/);
  const e = await cpu();
  try {
    const x = g.input('x', [2]);
    const p = await e.compile(g, { outputs: { y: o.scale(x, 2) } });
    await rejects(() => p.run({ x: [1, '2'] as never }), ArgumentError, /input 'x': element 1 is the string '2', not a number/);
  } finally {
    e.dispose();
  }
});

test('a disposed program says so when it is run or read again', async () => {
  const e = await cpu();
  try {
    const g = new Graph();
    const x = g.input('x', [2]);
    const p = await e.compile(g, { outputs: { y: o.scale(x, 2) } });
    await p.run({ x: [1, 2] });
    p.dispose();
    await rejects(() => p.run({ x: [1, 2] }), ArgumentError, /run: this program was disposed/);
    await rejects(() => p.read('y'), ArgumentError, /this program was disposed/);
  } finally {
    e.dispose();
  }
});

test('grad through a chain of 6,000 ops (the traversals are iterative, not recursive)', async () => {
  const e = await cpu();
  try {
    const g = new Graph();
    const x = g.input('x', [1]);
    let h = x;
    for (let k = 0; k < 6000; k++) h = o.add(o.scale(h, 1), 0);
    const [dx] = slope.grad(o.sum(o.mul(h, h)), [x]);
    const p = await e.compile(g, { outputs: { dx } });
    await p.run({ x: [1.5] });
    assert.is((await p.read('dx'))[0], 3);
  } finally {
    e.dispose();
  }
});

testOn('webgpu')('a parameter larger than the device binds: a LimitError naming it and saying to shrink the layer', async () => {
  const e = await engineOn('webgpu');
  try {
    const n = e.backend.limits.maxBindingBytes / 4 + 1024;
    const g = new Graph();
    const w = g.param(new slope.Parameter('huge.weight', [n]));
    await rejects(() => e.compile(g, { outputs: { s: o.sum(w) } }), slope.LimitError, [/parameter 'huge.weight'/, /make the layer smaller/]);
  } finally {
    e.dispose();
  }
});

test('oneHot labels are range-checked too', async () => {
  const e = await cpu();
  try {
    const g = new Graph();
    const y = g.input('y', [2], 'i32');
    const p = await e.compile(g, { outputs: { h: o.oneHot(y, 3) } });
    await rejects(() => p.run({ y: Int32Array.from([3, 0]) }), ArgumentError, ["'y'", 'index 0']);
  } finally {
    e.dispose();
  }
});

test.run();
