/**
 * Schedules against their closed forms at chosen steps, warmup boundaries included (t = 0,
 * the last warmup step, the first step after it), and ReduceLROnPlateau against PyTorch's
 * rules stepped by hand.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { slope } from '../util/engine.js';

const S = slope;
const close = (got: number, want: number, what: string) => {
  assert.ok(Math.abs(got - want) <= 1e-12 * Math.max(1, Math.abs(want)), `${what}: got ${got}, want ${want}`);
};
const at = (s: slope.Schedule, pts: [number, number][], what: string) => {
  for (const [t, want] of pts) close(s(t), want, `${what} at t = ${t}`);
};

test('constant, step, multi-step, exponential, inverse time', () => {
  at(S.constant(0.3), [[0, 0.3], [1000, 0.3]], 'constant');
  at(S.stepLR(0.1, 30, 0.5), [[0, 0.1], [29, 0.1], [30, 0.05], [59, 0.05], [60, 0.025]], 'stepLR');
  at(S.stepLR(0.1, 3), [[3, 0.1 * 0.1]], 'stepLR default gamma 0.1');
  at(S.multiStepLR(1, [5, 8], 0.1), [[0, 1], [4, 1], [5, 0.1], [7, 0.1], [8, 0.1 ** 2], [100, 0.1 ** 2]], 'multiStepLR');
  at(S.exponentialLR(0.2, 0.9), [[0, 0.2], [1, 0.2 * 0.9], [10, 0.2 * 0.9 ** 10]], 'exponentialLR');
  at(S.inverseTimeLR(0.5, 0.1), [[0, 0.5], [10, 0.5 / 2], [90, 0.5 / 10]], 'inverseTimeLR');
});

test('cosine annealing: η_min + (η − η_min)(1 + cos(πt/T))/2, then held at the floor', () => {
  const [lr, T, floor] = [0.1, 100, 0.001];
  const f = (t: number) => floor + ((lr - floor) * (1 + Math.cos((Math.PI * t) / T))) / 2;
  at(S.cosineAnnealingLR(lr, T, floor), [[0, lr], [1, f(1)], [25, f(25)], [50, (lr + floor) / 2], [99, f(99)], [100, floor], [250, floor]], 'cosine');
  at(S.cosineAnnealingLR(lr, T), [[100, 0]], 'cosine default floor 0');
});

test('linear warmup: from startFactor at t = 0 to the following schedule at t = warmup', () => {
  const after = S.exponentialLR(0.2, 0.5);
  const s = S.linearWarmup(4, after, 0.25);
  at(s, [[0, 0.2 * 0.25], [1, 0.2 * (0.25 + 0.75 / 4)], [3, 0.2 * (0.25 + (0.75 * 3) / 4)], [4, 0.2], [5, 0.1], [6, 0.05]], 'linearWarmup');
  at(S.linearWarmup(10, S.constant(1)), [[0, 0], [5, 0.5], [9, 0.9], [10, 1]], 'linearWarmup from 0');
  at(S.linearWarmup(0, S.constant(2)), [[0, 2]], 'no warmup');
});

test('warmup + cosine and warmup + linear decay', () => {
  const [lr, W, N, floor] = [1e-3, 10, 110, 1e-5];
  at(S.warmupCosine(lr, W, N, floor), [
    [0, 0], [5, lr / 2], [9, (lr * 9) / 10], [10, lr],
    [60, floor + (lr - floor) / 2], [110, floor], [500, floor],
  ], 'warmupCosine');
  at(S.warmupLinear(2, 4, 14), [[0, 0], [2, 1], [3, 1.5], [4, 2], [9, 1], [13, 0.2], [14, 0], [20, 0]], 'warmupLinear');
});

test("inverse square root (the Transformer's): linear to the peak at update w, then ∝ 1/√n", () => {
  const [lr, W] = [5e-4, 400];
  at(S.inverseSqrt(lr, W), [
    [0, lr / W], [W - 2, (lr * (W - 1)) / W], [W - 1, lr], [W, lr * Math.sqrt(W / (W + 1))], [4 * W - 1, lr / 2],
  ], 'inverseSqrt');
});

test('sequentialLR restarts each schedule at its milestone; sampleSchedule lists values', () => {
  const s = S.sequentialLR([S.constant(0.01), S.exponentialLR(0.1, 0.5)], [3]);
  at(s, [[0, 0.01], [2, 0.01], [3, 0.1], [4, 0.05]], 'sequentialLR');
  assert.equal(S.sampleSchedule(S.stepLR(1, 2, 0.5), 5), [1, 1, 0.5, 0.5, 0.25]);
});

test('schedules reject bad arguments, naming them', () => {
  assert.throws(() => S.stepLR(0.1, 0), /stepSize must be an integer ≥ 1/);
  assert.throws(() => S.exponentialLR(-1, 0.9), /lr must be a finite number ≥ 0/);
  assert.throws(() => S.multiStepLR(0.1, [5, 3]), /milestones must increase/);
  assert.throws(() => S.warmupCosine(0.1, 10, 10), /warmupSteps \(10\) must be < totalSteps \(10\)/);
  assert.throws(() => S.linearWarmup(5, S.constant(1), 2), /startFactor must be in \[0, 1\]/);
  assert.throws(() => S.stepLR(1, 2)(-1), /the step must be a number ≥ 0/);
  assert.throws(() => new S.ReduceLROnPlateau(0.1, { factor: 1 }), /factor should be < 1.0/);
  assert.throws(() => new S.ReduceLROnPlateau(0.1, { mode: 'up' as never }), /mode must be 'min' or 'max'/);
});

test('ReduceLROnPlateau: patience, threshold, cooldown, minLr (PyTorch rules)', () => {
  const r = new S.ReduceLROnPlateau(1, { patience: 2, factor: 0.5, threshold: 0.1, cooldown: 1, minLr: 0.2 });
  // Improvement means metric < best·(1 − 0.1). Bad epochs > 2 reduce, then 1 epoch of cooldown.
  const metrics = [10, 9.5, 9.2, 9.1, 9.0, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0];
  const want = [1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.2, 0.2];
  metrics.forEach((m, i) => close(r.step(m), want[i], `epoch ${i} (metric ${m})`));
  const mx = new S.ReduceLROnPlateau(0.1, { mode: 'max', thresholdMode: 'abs', threshold: 0.5, patience: 0 });
  at((t) => mx.step([1, 1.6, 2.0, 3.0][t]), [[0, 0.1], [1, 0.1], [2, 0.01], [3, 0.01]], 'max/abs');
});

test('ReduceLROnPlateau drives an optimizer: every group reduced, each from its own lr', () => {
  const ps = [new S.Parameter('rp.a', [2]), new S.Parameter('rp.b', [2])];
  const opt = new S.Adam([{ params: [ps[0]] }, { params: [ps[1]], lr: 0.4 }], { lr: 0.2 });
  const r = new S.ReduceLROnPlateau(opt, { patience: 0, factor: 0.5 });
  r.step(1);
  r.step(2);
  assert.equal(opt.paramGroups.map((g) => g.lr), [0.1, 0.2]);
});

test.run();
