/** The comparator itself: it must fail on every mismatch a kernel test relies on it to catch. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { expectClose, relError } from './close.js';
import { throws } from './rejects.js';
import { TOL } from '../tolerances.js';

const tol = { rel: 1e-5, atol: 1e-6, rtol: 1e-5 };
const fails = (got: number[], want: number[], t = tol) => assert.throws(() => expectClose(got, want, t, 'x'));
const passes = (got: number[], want: number[], t = tol) => expectClose(got, want, t, 'x');

test('NaN matches only NaN; Inf only the same Inf', () => {
  passes([NaN, Infinity, -Infinity, 1], [NaN, Infinity, -Infinity, 1]);
  fails([Infinity], [NaN]);
  fails([NaN], [Infinity]);
  fails([-Infinity], [Infinity]);
  fails([NaN], [1]);
  fails([1], [NaN]);
  fails([Infinity], [1e30]);
  fails([1e30], [Infinity]);
});

test('an unwritten (NaN-poisoned) element fails', () => {
  fails([1, 2, NaN, 4], [1, 2, 3, 4]);
});

test('length mismatch fails', () => {
  fails([1, 2], [1, 2, 3]);
  fails([1, 2, 3], [1, 2]);
});

test('elementwise bound: atol + rtol·|ref|', () => {
  passes([1 + 9e-6], [1], { rel: 1, atol: 0, rtol: 1e-5 });
  fails([1 + 2e-5], [1], { rel: 1, atol: 0, rtol: 1e-5 });
  passes([5e-7], [0], { rel: 1, atol: 1e-6, rtol: 0 });
  fails([2e-6], [0], { rel: 1, atol: 1e-6, rtol: 0 });
});

test('norm-wise bound: one bad element among many still fails the relative norm', () => {
  const want = Array.from({ length: 100 }, (_, i) => i + 1);
  const got = want.slice();
  got[50] += 1;
  fails(got, want, { rel: 1e-5, atol: 10, rtol: 10 });
  passes(got, want, { rel: 1e-2, atol: 10, rtol: 10 });
});

test('exact tolerance accepts only identical values; -0 equals 0', () => {
  passes([0, 1.5, -2], [-0, 1.5, -2], TOL.exact);
  fails([1.0000001], [1], TOL.exact);
});

test('relError is ‖got − ref‖ / ‖ref‖ over the finite reference entries', () => {
  assert.ok(Math.abs(relError([3, 4], [0, 5]) - Math.sqrt(10) / 5) < 1e-15);
  assert.is(relError([1, 2], [1, 2]), 0);
  assert.is(relError([0.5], [0]), 0.5); // a zero reference falls back to the absolute norm
});

test('the failure message names the label, counts and the first bad pairs', () => {
  throws(() => expectClose([1, 7, 3], [1, 2, 3], tol, 'my kernel'), Error, [/my kernel/, /1\/3 elements/, /\[1\] got 7 want 2/]);
});

test.run();
