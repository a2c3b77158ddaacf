/**
 * Every op a backend runs has a float64 reference in src/ref, written from the math (the cpu
 * backend calls it; the kernel suite compares the GPU with it), and every function of the
 * activation table is one the reference knows. The map below is checked exhaustive by type: an
 * op added to src/ops without a reference fails the type-check, and a name that is not a
 * function of src/ref fails here.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as ew from '../../src/ref/elementwise.js';
import * as red from '../../src/ref/reduce.js';
import * as mm from '../../src/ref/matmul.js';
import * as sm from '../../src/ref/softmax.js';
import * as ce from '../../src/ref/cross_entropy.js';
import * as nr from '../../src/ref/norm.js';
import * as bn from '../../src/ref/batchnorm.js';
import * as ga from '../../src/ref/gather.js';
import * as me from '../../src/ref/metrics.js';
import * as op from '../../src/ref/optim.js';
import * as cv from '../../src/ref/conv.js';
import * as pl from '../../src/ref/pool.js';
import * as dr from '../../src/ref/dropout.js';
import { ACTIVATIONS, OPS, UNARY_KINDS, type ExecOpName } from '../../src/ops/index.js';

type Fn = (...args: never[]) => unknown;

/** The reference functions each op is computed from. */
const REFERENCES = {
  binary: [ew.binary], unary: [ew.unary], unary_grad: [ew.unaryGrad], unary_deriv2: [ew.unaryDeriv2All],
  scale: [ew.scale], one_hot: [ew.oneHot], broadcast: [ew.broadcast], copy: [ew.copy], detach: [ew.copy],
  add_into: [ew.binary], reduce: [red.reduce], matmul: [mm.matmul, ew.unaryValue],
  softmax: [sm.softmax], log_softmax: [sm.logSoftmax], softmax_backward: [sm.softmaxBackward],
  log_softmax_backward: [sm.logSoftmaxBackward],
  cross_entropy: [ce.crossEntropy], cross_entropy_backward: [ce.crossEntropyBackward], mse: [ce.mse], mse_backward: [ce.mseBackward],
  norm_stats: [nr.normStats], norm_row: [nr.normRow], norm_stack: [nr.normStack], norm_apply: [nr.normApply],
  norm_backward: [nr.normBackward], norm_group_sums: [nr.normGroupSums], norm_affine_grad: [nr.normAffineGrad],
  norm_forward: [nr.normStats, nr.normApply], norm_backward_affine: [nr.normBackward, nr.normAffineGrad],
  norm_affine_grads: [nr.normAffineGrad],
  bn_running: [bn.bnRunning], bn_count: [bn.bnRunning], bn_renorm: [bn.bnRenorm], bn_update: [bn.bnRunning],
  gather: [ga.gatherRows], gather_bytes: [ga.gatherBytes],
  argmax: [me.argmax], correct: [me.correct], class_metrics: [me.classMetrics],
  'optim.sgd': [op.sgdStep], 'optim.adagrad': [op.adagradStep], 'optim.rmsprop': [op.rmspropStep],
  'optim.adam': [op.adamStep, op.adamwStep], 'optim.sumsq': [op.totalNorm, op.clipGradValue], 'optim.finalize': [op.clipCoef],
  conv2d: [cv.conv2d, ew.unaryValue], conv2d_backward_input: [cv.conv2dBackwardInput],
  conv2d_backward_weight: [cv.conv2dBackwardWeight], conv2d_backward_bias: [cv.conv2dBackwardBias],
  max_pool2d: [pl.maxPool2d], max_pool2d_backward: [pl.maxPool2dBackward], max_pool2d_select: [pl.maxPool2dSelect],
  avg_pool2d: [pl.avgPool2d], avg_pool2d_backward: [pl.avgPool2dBackward],
  adaptive_avg_pool2d: [pl.adaptiveAvgPool2d], adaptive_avg_pool2d_backward: [pl.adaptiveAvgPool2dBackward],
  dropout: [dr.dropout, dr.philox4x32],
} satisfies Record<ExecOpName, readonly Fn[]>;

test('every op a backend runs has a float64 reference', () => {
  const exec = Object.values(OPS).filter((o) => o.kind === 'kernel' || o.kind === 'fused' || o.kind === 'step');
  for (const o of exec) {
    const refs = (REFERENCES as Record<string, readonly Fn[]>)[o.name];
    assert.ok(refs && refs.length, `op '${o.name}' has no reference`);
    for (const f of refs) assert.type(f, 'function', `op '${o.name}': reference is not a function`);
  }
  assert.is(Object.keys(REFERENCES).length, exec.length, 'the map names only ops of the table');
});

test('the reference computes every function of the activation table, with its parameters', () => {
  for (const k of UNARY_KINDS) {
    const v = ew.unaryValue(k, 0.75, 0.3, 5);
    assert.ok(Number.isFinite(v), `${k}(0.75) = ${v}`);
    assert.ok(Number.isFinite(ew.unaryDeriv(k, 0.75, 0.3, 5)), `${k}'`);
    assert.ok(Number.isFinite(ew.unaryDeriv2(k, 0.75, 0.3, 5)), `${k}''`);
  }
  assert.throws(() => ew.unaryValue('no_such_function', 1), /unknown unary/);
  // Softplus at its threshold is the identity; below it log(1 + e^(βx))/β (PyTorch's torch.nn.Softplus).
  assert.is(ew.unaryValue('softplus', 30, 1, 20), 30);
  assert.ok(Math.abs(ew.unaryValue('softplus', 1, 2, 20) - Math.log1p(Math.exp(2)) / 2) < 1e-15);
  assert.is(Object.keys(ACTIVATIONS).length, UNARY_KINDS.length + 1, 'every function but the identity is a unary kind');
});

test.run();
