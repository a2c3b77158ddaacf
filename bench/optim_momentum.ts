/**
 * The lecture's momentum experiment: on a surface with a saddle point (x⁴ + x³ + y², flat at
 * the origin) and on one with a shallow local minimum (x⁴ − 2x² + x/2 + y²), plain gradient
 * descent stops at the critical point while SGD with momentum (PyTorch's heavy ball, and
 * Nesterov) rolls through to the global minimum. Runs through the engine (webgpu by default,
 * `--backend cpu` for the float64 interpreter). Writes docs/figures/optim_{saddle,localmin}_*.svg
 * and optim_momentum_table.md; prints the table.
 * Usage: node dist/bench/optim_momentum.js [--backend cpu] [--steps N]
 */
import {
  descend, engineFromArgs, fmtLoss, localMin, saddle, save, slope, type Run, type Surface,
} from './optim_common.js';

const { SGD, contourPlot, linePlot, table } = slope;
const arg = process.argv.indexOf('--steps');
const STEPS = arg >= 0 ? Number(process.argv[arg + 1]) : 2000;
const FIG = 'docs/figures';
const LR = 0.01;

/** The global minimum of x⁴ + c₂x² + c₁x (+ y²) by Newton's method from x₀, in float64. */
function minimum(d: (x: number) => number, d2: (x: number) => number, x0: number): number {
  let x = x0;
  for (let i = 0; i < 100; i++) x -= d(x) / d2(x);
  return x;
}

const cases: { s: Surface; file: string; xMin: number }[] = [
  { s: saddle, file: 'saddle', xMin: minimum((x) => 4 * x ** 3 + 3 * x * x, (x) => 12 * x * x + 6 * x, -1) },
  { s: localMin, file: 'localmin', xMin: minimum((x) => 4 * x ** 3 - 4 * x + 0.5, (x) => 12 * x * x - 4, -1) },
];

const engine = await engineFromArgs();
const rows: (string | number)[][] = [];
for (const { s, file, xMin } of cases) {
  const fMin = s.f(xMin, 0);
  const runs: Run[] = [
    await descend(engine, s, 'GD', (p) => new SGD([p], { lr: LR }), STEPS),
    await descend(engine, s, 'momentum 0.9', (p) => new SGD([p], { lr: LR, momentum: 0.9 }), STEPS),
    await descend(engine, s, 'Nesterov 0.9', (p) => new SGD([p], { lr: LR, momentum: 0.9, nesterov: true }), STEPS),
  ];
  for (const r of runs) {
    const k = r.xs.length - 1;
    const gap = r.losses[k] - fMin;
    rows.push([s.name, r.label, `(${r.xs[k].toFixed(4)}, ${r.ys[k].toFixed(4)})`, fmtLoss(r.losses[k]), fmtLoss(gap),
      gap < 1e-4 ? 'global minimum' : 'stuck']);
  }
  const thinned = (r: Run) => r.xs.map((_, i) => i).filter((i) => i < 300 || i % 10 === 0);
  save(`${FIG}/optim_${file}_paths.svg`, contourPlot({
    title: `${s.name}: ${s.name === 'saddle' ? 'x⁴ + x³ + y²' : 'x⁴ − 2x² + x/2 + y²'}, lr ${LR}`,
    f: s.f, xRange: s.xRange, yRange: s.yRange, xLabel: 'x', yLabel: 'y',
    paths: runs.map((r) => ({ name: r.label, x: thinned(r).map((i) => r.xs[i]), y: thinned(r).map((i) => r.ys[i]) })),
    legend: 'auto',
  }));
  save(`${FIG}/optim_${file}_loss.svg`, linePlot({
    title: `${s.name}: loss − global minimum (${engine.kind})`, xLabel: 'update + 1',
    yLabel: 'loss − min (floored at 1e-8)', xLog: true, yLog: true, legend: 'auto',
    // From 1e-8 (below float32's resolution of these losses) to the decade above the largest gap, so nothing is cut.
    yRange: [1e-8, 10 ** Math.ceil(Math.log10(Math.max(...runs.flatMap((r) => r.losses.map((l) => l - fMin)))))],
    series: runs.map((r) => ({
      name: r.label, x: r.losses.map((_, i) => i + 1), y: r.losses.map((l) => Math.max(1e-8, l - fMin)),
    })),
  }));
}
const t = table(
  ['surface', 'optimizer', `θ after ${STEPS} updates`, 'final loss', 'loss − global min', 'outcome'], rows);
console.log(`\nMomentum: SGD lr ${LR} from ${saddle.start} (saddle) and ${localMin.start} (local minimum), ` +
  `${STEPS} updates (${engine.kind} backend)\n`);
console.log(t);
save(`${FIG}/optim_momentum_table.md`, `Momentum (${engine.kind} backend, ${STEPS} updates, lr ${LR})\n\n${t}\n`);
engine.dispose();
