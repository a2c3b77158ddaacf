/**
 * The planner's passes on small synthetic graphs, without a backend: order, fuse (the fusion
 * rules declared beside their families), schedule, memory (liveness and gradient homes) and the
 * assign rules.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { slope } from '../util/engine.js';
import { baseOf, consumerCounts, topoOrder } from '../../src/graph/plan/order.js';
import { fuse, inPlaceUpdates, outsOf, schedule, type Exec } from '../../src/graph/plan/fuse.js';
import { gradientHomes, planMemory } from '../../src/graph/plan/memory.js';
import { ASSIGN_FUSIONS, FUSIONS, OPS } from '../../src/ops/index.js';
import type { Tensor } from '../../src/graph/tensor.js';

const { Graph, Parameter, Variable, add, relu, scale, matmul, sum } = slope;
const o = slope.ops;

/** The fuse pass over what `roots` need, as the program runs it. */
function plan(roots: Tensor[], rules = FUSIONS) {
  const order = topoOrder(roots);
  const { execs, fused } = fuse(order, new Set(roots.map((r) => r.id)), consumerCounts(order), rules);
  return { order, execs: schedule(execs), fused };
}
const names = (execs: readonly Exec[]) => execs.map((e) => e.op.name);

test('order: each node after its inputs, only what the roots need', () => {
  const g = new Graph();
  const x = g.input('x', [4]);
  const unused = scale(x, 3);
  const y = relu(scale(x, 2));
  const z = add(y, x);
  const order = topoOrder([z]);
  assert.ok(!order.includes(unused), 'a node no root needs is left out');
  for (const t of order) for (const i of t.inputs) assert.ok(order.indexOf(i) < order.indexOf(t), `${i} before ${t}`);
  assert.is(consumerCounts(order).get(x.id), 2);
  const r = o.reshape(y, [2, 2]);
  assert.is(baseOf(o.reshape(r, [4])), y, 'a view chain resolves to its base');
});

test('fuse: matmul → bias add → activation becomes one matmul with an epilogue', () => {
  const g = new Graph();
  const x = g.input('x', [8, 5]);
  const w = g.param(new Parameter('w', [3, 5]));
  const b = g.param(new Parameter('b', [3]));
  const y = o.softplus(o.linear(x, w, b), 2, 10);
  const { execs, fused } = plan([y]);
  assert.equal(names(execs), ['matmul']);
  assert.is(fused, 1);
  const e = execs[0];
  assert.is(e.out, y, 'the fused op writes the activation\'s node');
  assert.equal(e.attrs, { transA: false, transB: true, bias: true, act: 'softplus', alpha: 2, beta: 10 });
  assert.equal(e.inputs, [x, w, b]);
});

test('fuse: an intermediate something else reads, or a requested one, is not folded away', () => {
  const g = new Graph();
  const x = g.input('x', [8, 5]);
  const w = g.param(new Parameter('w', [3, 5]));
  const b = g.param(new Parameter('b', [3]));
  const h = o.linear(x, w, b);
  const y = relu(h);
  // h is requested too: bias fused, the activation stays its own op.
  assert.equal(names(plan([y, h]).execs), ['matmul', 'unary']);
  // The matmul itself read twice: nothing fused.
  const mm = matmul(x, w, { transB: true });
  const twice = add(add(mm, b), sum(mm, 1, true));
  assert.equal(names(plan([twice]).execs).filter((n) => n === 'matmul').length, 1);
  assert.ok(!(plan([twice]).execs.find((e) => e.op === OPS.matmul)!.attrs as { bias: boolean }).bias);
  // fuse: false (no rules) runs every node.
  assert.equal(names(plan([y], []).execs), ['matmul', 'binary', 'unary']);
});

test('fuse: training-mode normalization is one norm_forward; batch renorm (affine from the statistics) is not', () => {
  const g = new Graph();
  const x = g.input('x', [6, 4]);
  const geom = o.channelGeom([6, 4]);
  const stats = o.normStats(x, geom);
  const y = o.normApply(x, stats, geom, { eps: 1e-5 });
  const { execs } = plan([y]);
  assert.equal(names(execs), ['norm_forward']);
  assert.equal(outsOf(execs[0]), [y, stats]);
  const w = add(o.normRow(stats, 2), g.fill([4], 1)); // a weight computed from the statistics
  const y2 = o.normApply(x, stats, geom, { eps: 1e-5, weight: w });
  assert.ok(!names(plan([y2]).execs).includes('norm_forward'));
});

test('fuse: BatchNorm backward with its dγ, dβ; LayerNorm dγ and dβ in one pass', () => {
  const g = new Graph();
  const x = g.param(new Parameter('x', [6, 4], 1)); // a gradient with respect to x needs the backward
  const bn = new slope.BatchNorm1d(4);
  const loss = sum(slope.ops.square(bn.forward(x)));
  const ps = bn.parameters();
  const grads = slope.grad(loss, [x, ...ps.map((p) => g.param(p))]);
  assert.ok(names(plan(grads).execs).includes('norm_backward_affine'));
  assert.ok(!names(plan(grads).execs).includes('norm_affine_grad'));

  const g2 = new Graph();
  const x2 = g2.input('x', [6, 4]);
  const ln = new slope.LayerNorm([4]);
  const l2 = sum(slope.ops.square(ln.forward(x2)));
  const grads2 = slope.grad(l2, ln.parameters().map((p) => g2.param(p)));
  const n2 = names(plan(grads2).execs);
  assert.ok(n2.includes('norm_affine_grads') && !n2.includes('norm_affine_grad'), n2.join(' '));
});

test('schedule: a fused op runs after the producers of all its inputs', () => {
  const g = new Graph();
  const x = g.input('x', [6, 4]);
  const geom = o.channelGeom([6, 4]);
  const xs = scale(x, 2);
  const stats = o.normStats(xs, geom);
  const bias = scale(g.input('b', [4]), 3); // produced after the statistics in the graph's order
  const y = o.normApply(xs, stats, geom, { eps: 1e-5, bias });
  const { execs } = plan([y]);
  const at = (t: Tensor) => execs.findIndex((e) => outsOf(e).includes(t));
  assert.ok(at(bias) < at(y) && at(xs) < at(y), names(execs).join(' '));
});

test('memory: intermediates share slots by liveness; roots keep their own; gradients go to their homes', () => {
  const g = new Graph();
  const x = g.input('x', [100]);
  let h = x;
  for (let k = 0; k < 6; k++) h = scale(h, 1.5); // a chain: at most two live at a time
  const { execs } = plan([h]);
  const m = planMemory(execs, new Set([h.id]), new Map());
  assert.is(m.slots.length, 2, `slots ${m.slots}`);
  assert.ok(!m.slotOf.has(h.id), 'a requested result is never pooled');
  assert.ok(m.slots.every((n) => n === 100));

  const p = new Parameter('p', [100]);
  const pt = g.param(p);
  const loss = sum(slope.ops.square(scale(pt, 2)));
  const [gp] = slope.grad(loss, [pt]);
  const order = topoOrder([gp]);
  const homes = gradientHomes([[p, gp]], consumerCounts(order));
  assert.is(homes.get(baseOf(gp).id), p);
  const { execs: e2 } = plan([gp]);
  const m2 = planMemory(e2, new Set([gp.id]), homes);
  assert.is(m2.pinned.get(baseOf(gp).id), p, 'the gradient is written straight into the arena');
});

test('assign rules: accumulators become add_into; BatchNorm\'s running statistics one bn_update', () => {
  const g = new Graph();
  const v = new Variable('acc', [5]);
  const x = g.input('x', [5]);
  g.assign(v, add(g.variable(v), scale(x, 2)));
  const w = new Variable('w', [5]);
  g.assign(w, add(g.variable(w), g.variable(w))); // reads only itself: not an accumulator
  const ups = inPlaceUpdates(g.assigns, ASSIGN_FUSIONS);
  assert.equal(ups.map((u) => u.op.name), ['add_into']);
  assert.equal(ups[0].variables, [v]);

  const g2 = new Graph();
  const bn = new slope.BatchNorm1d(3);
  bn.forward(g2.input('x', [8, 3]));
  const ups2 = inPlaceUpdates(g2.assigns, ASSIGN_FUSIONS);
  assert.equal(ups2.map((u) => u.op.name), ['bn_update']);
  assert.is(ups2[0].assigns.length, 3, 'mean, variance and the counter in one op');
});

test.run();
