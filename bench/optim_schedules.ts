/**
 * Plots every learning-rate schedule of src/optim/schedule.ts over 1,000 steps (pure functions:
 * no engine involved). Writes docs/figures/optim_schedules.svg.
 * Usage: node dist/bench/optim_schedules.js
 */
import { save, slope } from './optim_common.js';

const S = slope;
const N = 1000;
const lr = 1e-3;
const schedules: [string, slope.Schedule][] = [
  ['constant', S.constant(lr)],
  ['stepLR(300, 0.5)', S.stepLR(lr, 300, 0.5)],
  ['multiStepLR([400, 700])', S.multiStepLR(lr, [400, 700], 0.3)],
  ['exponentialLR(0.997)', S.exponentialLR(lr, 0.997)],
  ['inverseTimeLR(0.01)', S.inverseTimeLR(lr, 0.01)],
  ['cosineAnnealingLR(800)', S.cosineAnnealingLR(lr, 800, 1e-4)],
  ['warmupCosine(100, 1000)', S.warmupCosine(lr, 100, N)],
  ['warmupLinear(100, 1000)', S.warmupLinear(lr, 100, N)],
  ['inverseSqrt(100)', S.inverseSqrt(lr, 100)],
];
const x = Array.from({ length: N }, (_, t) => t);
save('docs/figures/optim_schedules.svg', S.linePlot({
  title: `Learning-rate schedules (peak lr ${lr})`, xLabel: 'step', yLabel: 'learning rate', width: 860, height: 520,
  series: schedules.map(([name, s]) => ({ name, x, y: S.sampleSchedule(s, N) })),
}));
