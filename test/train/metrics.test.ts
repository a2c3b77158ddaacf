/**
 * The metrics references by hand and the ops' shape errors (the kernels against the references
 * are in the shared case table, test/cases/metrics.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { slope } from '../util/engine.js';
import { argmax, classMetrics } from '../../src/ref/metrics.js';

test('the class_metrics reference by hand', () => {
  const out = new Float64Array(3);
  // argmaxes 1, 0, 2; labels 1, 2, 2; the last row is padding (weight 0).
  classMetrics(out, [0.5, 2, 7], [1, 3, 3, /**/ 4, -2, -5, /**/ 0, 0, 7], [1, 2, 2], [1, 1, 0], 3, 3);
  assert.equal(Array.from(out), [2.5, 1, 2]);
});

test('the argmax reference by hand', () => {
  const out = new Float64Array(3);
  argmax(out, [1, 3, 3, /**/ -1, -2, -5, /**/ 0, 0, 7], 3, 3);
  assert.equal(Array.from(out), [1, 0, 2]);
});

test('correct: labels of the wrong shape are a ShapeError', () => {
  const g = new slope.Graph();
  const z = g.input('z', [4, 3]);
  assert.throws(() => slope.correct(z, g.input('y', [3], 'i32')), /labels must be int32 of shape \[4\]/);
  assert.throws(() => slope.argmax(g.input('v', [4])), /expected scores of shape \(N, C\)/);
  const y = g.input('labels', [4], 'i32');
  assert.throws(() => slope.classMetrics(g.input('l', [3]), z, y, g.input('w', [4])), /loss must have shape \[4\]/);
  assert.throws(() => slope.classMetrics(g.input('l2', [4]), z, y, g.input('w2', [4, 1])), /weight must have shape \[4\]/);
});

test.run();
