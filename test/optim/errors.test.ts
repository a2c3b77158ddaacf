/**
 * Bad input → a clear ArgumentError naming the option, in PyTorch's wording where PyTorch has
 * one. State dicts that do not fit are rejected whole: nothing is loaded.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpu, slope } from '../util/engine.js';
import { Rng } from '../util/rng.js';
import { rejects, throws } from '../util/rejects.js';
import { harness, makeParams, randomGrads } from './harness.js';

const { Parameter, SGD, Adam, AdamW, Adagrad, RMSprop, ArgumentError } = slope;
const P = () => [new Parameter('w', [3, 2], 0.5), new Parameter('b', [3], 0.1)];

test('hyperparameters out of range name the option, PyTorch-style', () => {
  throws(() => new Adam(P(), { lr: -0.1 }), ArgumentError, 'Invalid learning rate: -0.1', 'negative lr');
  throws(() => new SGD(P(), { lr: NaN }), ArgumentError, 'Invalid learning rate: nan', 'NaN lr');
  throws(() => new Adam(P(), { betas: [1.0, 0.999] }), ArgumentError, 'Invalid beta parameter at index 0: 1.0', 'beta1 = 1');
  throws(() => new AdamW(P(), { betas: [0.9, -0.1] }), ArgumentError, 'Invalid beta parameter at index 1: -0.1', 'beta2 < 0');
  throws(() => new Adam(P(), { betas: [0.9] as never }), ArgumentError, /betas must be a pair/, 'one beta');
  throws(() => new Adam(P(), { eps: -1 }), ArgumentError, 'Invalid epsilon value: -1.0', 'negative eps');
  throws(() => new SGD(P(), { lr: 0.1, weightDecay: -1 }), ArgumentError, /Invalid weightDecay value: -1\.0.*weightDecay/, 'negative weight decay');
  throws(() => new SGD(P(), { lr: 0.1, momentum: -0.5 }), ArgumentError, 'Invalid momentum value: -0.5', 'negative momentum');
  throws(() => new RMSprop(P(), { alpha: 1.5 }), ArgumentError, /Invalid alpha value: 1\.5.*alpha/, 'alpha > 1');
  throws(() => new Adagrad(P(), { lrDecay: -1 }), ArgumentError, /Invalid lrDecay value/, 'negative lr decay');
  throws(() => new Adagrad(P(), { initialAccumulatorValue: -1 }), ArgumentError, /initialAccumulatorValue/, 'negative accumulator');
  throws(() => new Adam(P(), { amsgrad: 1 as never }), ArgumentError, /amsgrad must be true or false/, 'amsgrad not boolean');
  throws(() => new Adam(P(), { lr: Infinity }), ArgumentError, 'Invalid learning rate: inf', 'infinite lr');
  throws(() => new Adam(P(), { clipGradNorm: 0 }), ArgumentError, /Invalid clipGradNorm value: 0\.0/, 'clipGradNorm 0');
  throws(() => new Adam(P(), { clipGradValue: -1 }), ArgumentError, /Invalid clipGradValue value/, 'negative clipGradValue');
});

test('SGD: lr defaults to 1e-3 (PyTorch 2.2 on), Nesterov needs momentum and no dampening', () => {
  assert.is(new SGD(P()).lr, 1e-3);
  throws(() => new SGD(P(), { lr: 0.1, nesterov: true }), ArgumentError, 'Nesterov momentum requires a momentum and zero dampening', 'nesterov without momentum');
  throws(() => new SGD(P(), { lr: 0.1, nesterov: true, momentum: 0.9, dampening: 0.1 }), ArgumentError, 'Nesterov momentum requires', 'nesterov with dampening');
});

test('unknown options and bad parameter lists', () => {
  throws(() => new SGD(P(), { lr: 0.1, momentun: 0.9 } as never), ArgumentError, /unknown option 'momentun'.*momentum/, 'typo in defaults');
  throws(() => new Adam([{ params: P(), beta1: 0.9 }] as never), ArgumentError, /unknown option 'beta1' in parameter group 0/, 'typo in a group');
  throws(() => new Adam([]), ArgumentError, /empty parameter list/, 'no parameters');
  throws(() => new Adam([{ params: [1 as never] }]), ArgumentError, /entry 0 is not a Parameter/, 'not a Parameter');
  const ps = P();
  throws(() => new Adam([{ params: ps }, { params: [ps[0]] }]), ArgumentError, /'w' appears more than once/, 'duplicate parameter');
  throws(() => new Adam([{ params: ps, clipGradNorm: 1 }] as never), ArgumentError, /clipGradNorm is an option of the whole optimizer/, 'clipping in a group');
  throws(() => new Adam(P(), 3 as never), ArgumentError, /options must be an object/, 'options not an object');
});

test('lr setter, group options changed later, schedules returning nonsense', async () => {
  const e = await cpu();
  try {
    const ps = makeParams('lr', [[4]], new Rng(1));
    const opt = new SGD(ps, { lr: 0.1 });
    throws(() => { opt.lr = -1; }, ArgumentError, 'Invalid learning rate: -1.0', 'lr setter');
    const h = await harness(e, ps, [opt]);
    (opt.paramGroups[0] as { momentum: number }).momentum = -2;
    await rejects(h.run(randomGrads(ps, new Rng(2))), ArgumentError, 'Invalid momentum value: -2.0', 'group option changed to a bad value');
    (opt.paramGroups[0] as { momentum: number }).momentum = 0.9;
    await rejects(h.run(randomGrads(ps, new Rng(2))), ArgumentError, /needs state 'momentum_buffer'/, 'momentum switched on after compile');
    (opt.paramGroups[0] as { momentum: number }).momentum = 0;
    opt.schedule = () => NaN;
    await rejects(h.run(randomGrads(ps, new Rng(2))), ArgumentError, /schedule gave learning rate NaN at step 0/, 'schedule NaN');
    assert.is(opt.stepCount, 0, 'no step was counted');
  } finally {
    e.dispose();
  }
});

test('one optimizer cannot span two engines', async () => {
  const [e1, e2] = [await cpu(), await cpu()];
  try {
    const ps = makeParams('two', [[3]], new Rng(3));
    const opt = new Adam(ps);
    await harness(e1, ps, [opt]);
    await rejects(harness(e2, ps, [opt]), ArgumentError, /already runs on another engine/, 'second engine');
  } finally {
    e1.dispose();
    e2.dispose();
  }
});

test('loadStateDict rejects a dict that does not fit, naming the mismatch, and loads nothing', async () => {
  const e = await cpu();
  try {
    const rng = new Rng(4);
    const ps = makeParams('sd', [[2, 3], [5]], rng);
    const opt = new Adam([{ params: [ps[0]] }, { params: [ps[1]], weightDecay: 0.1 }], { lr: 0.01 });
    const h = await harness(e, ps, [opt]);
    await h.run(randomGrads(ps, rng));
    const good = await opt.stateDict();
    const [w, b] = ps.map((p) => p.name);
    const bad = (f: (d: slope.OptimizerStateDict) => void) => {
      const d = structuredClone(good);
      f(d);
      return d;
    };
    const cases: [slope.OptimizerStateDict, RegExp | string, string][] = [
      [bad((d) => { d.groups.pop(); }), 'loaded state dict has a different number of parameter groups', 'group count'],
      [bad((d) => { d.groups[1].params.push('x'); }), "doesn't match the size of optimizer's group", 'group size'],
      [bad((d) => { d.groups[0].params = ['other']; }), /group 0, parameter 0 is 'other' in the dict but 'sd.p0'/, 'parameter name'],
      [bad((d) => { d.state.ghost = d.state[w]; }), /unknown parameter 'ghost'/, 'unknown parameter'],
      [bad((d) => { d.state[b].exp_avg = new Float64Array(4); }), /state 'exp_avg' of parameter 'sd.p1' \[5\] has 4 values, expected 5/, 'shape'],
      [bad((d) => { delete (d.state[w] as Record<string, unknown>).exp_avg_sq; }), /'sd.p0' \[2,3\] has no state 'exp_avg_sq'/, 'missing state'],
      [bad((d) => { d.state[w].max_exp_avg_sq = new Float64Array(6); }), /unexpected state 'max_exp_avg_sq'/, 'extra state'],
      [bad((d) => { d.groups[1].betas = [1, 0.9]; }), 'Invalid beta parameter at index 0: 1.0', 'bad options'],
      [bad((d) => { d.step = -1; }), /step must be a non-negative integer/, 'step'],
    ];
    for (const [d, pattern, what] of cases) {
      d.groups[0].lr = 0.5; // would change if anything were loaded
      await rejects(opt.loadStateDict(d), ArgumentError, pattern, what);
      assert.is(opt.lr, 0.01, `${what}: nothing loaded`);
      assert.equal(await opt.stateDict(), good, `${what}: state unchanged`);
    }
  } finally {
    e.dispose();
  }
});

test.run();
