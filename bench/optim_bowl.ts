/**
 * The lecture's adaptive-learning-rate experiments on an elongated convex bowl
 * ½(x² + 1000·y²) (curvature ratio 1000 between the axes), 10,000 updates from (−10, 1):
 *   1. plain gradient descent with a fixed lr bounces between the valley walls (lr = 2/1000)
 *      or crawls (lr = 1e-4); Adagrad, RMSprop and Adam reach the minimum;
 *   2. on the same valley tilted by 1°: Adagrad's σ (root of the summed squared gradients)
 *      only grows, so its steps shrink; RMSprop's σ (a moving average) shrinks with the
 *      gradients late in training and the steps blow up again (the iterate is kicked out of
 *      the valley floor, and with a fixed lr it never settles); a decaying learning rate, with
 *      or without warmup, fixes that. (On the axis-aligned bowl the steep coordinate can reach
 *      exactly 0 in f32, a fixed point that hides the blow-up; the tilt makes it robust.)
 * Runs through the engine (webgpu by default; `--backend cpu` for the float64 interpreter).
 * Writes docs/figures/optim_bowl_*.svg, optim_sigma.svg, optim_steps.svg, optim_blowup*.svg and
 * optim_bowl_tables.md; prints the tables.
 * Usage: node dist/bench/optim_bowl.js [--backend cpu] [--steps N]
 */
import { bowl, descend, engineFromArgs, fmtLoss, save, slope, tiltedBowl, type Run } from './optim_common.js';

const { SGD, Adagrad, RMSprop, Adam, exponentialLR, warmupCosine, contourPlot, linePlot, table } = slope;
const K = 1000;
const arg = process.argv.indexOf('--steps');
const STEPS = arg >= 0 ? Number(process.argv[arg + 1]) : 10_000;
const FIG = 'docs/figures';
const FLOOR = 1e-12;

/** Every point of the first `head` steps, then every 25th (odd, so zigzags keep both sides). */
function pathOf(r: Run, name: string, head = 200): slope.Series {
  const idx = r.xs.map((_, i) => i).filter((i) => i < head || i % 25 === 0 || i === r.xs.length - 1);
  return { name, x: idx.map((i) => r.xs[i]), y: idx.map((i) => r.ys[i]) };
}

/** A per-update quantity on a log axis (values below FLOOR drawn at FLOOR), every 5th update. */
function logSeries(v: readonly number[], name: string): slope.Series {
  const idx = v.map((_, i) => i).filter((i) => i % 5 === 0 || i === v.length - 1);
  return { name, x: idx, y: idx.map((i) => Math.max(FLOOR, Number.isFinite(v[i]) ? v[i] : 1e30)) };
}
const lossOf = (r: Run, name: string) => logSeries(r.losses, name);
/** ‖θ_k − θ_{k−1}‖ for k = 1 … steps (index 0 repeats update 1). */
const stepLengths = (r: Run) => r.xs.map((x, i) => (i ? Math.hypot(x - r.xs[i - 1], r.ys[i] - r.ys[i - 1]) : NaN)).slice(1);

/** σ of the y coordinate (the root of the optimizer's accumulator), read from its state. */
const sigmaProbe = (key: string) => async (opt: slope.Optimizer) => {
  const sd = await opt.stateDict();
  return [Math.sqrt(Object.values(sd.state)[0][key][1])];
};

function row(r: Run, lr: string): (string | number)[] {
  const after = r.hit >= 0 ? Math.max(...r.losses.slice(r.hit)) : NaN;
  return [r.label, lr, fmtLoss(r.losses[r.losses.length - 1]), r.hit >= 0 ? r.hit : `never (≤ ${STEPS})`, r.hit >= 0 ? fmtLoss(after) : '—'];
}

const engine = await engineFromArgs();
const s = bowl(K);
const tilted = tiltedBowl(K, 1);
const t0 = performance.now();
const gdLarge = await descend(engine, s, 'GD', (p) => new SGD([p], { lr: 2 / K }), STEPS);
const gdMid = await descend(engine, s, 'GD', (p) => new SGD([p], { lr: 1 / K }), STEPS);
const gdSmall = await descend(engine, s, 'GD', (p) => new SGD([p], { lr: 1e-4 }), STEPS);
const ada = await descend(engine, s, 'Adagrad', (p) => new Adagrad([p], { lr: 1 }), STEPS);
const rms = await descend(engine, s, 'RMSprop', (p) => new RMSprop([p], { lr: 0.01 }), STEPS);
const adam = await descend(engine, s, 'Adam', (p) => new Adam([p], { lr: 0.03 }), STEPS);
const withSchedule = (sched: slope.Schedule) => (p: slope.Parameter) => Object.assign(new RMSprop([p], { lr: 0.01 }), { schedule: sched });
const decay = exponentialLR(0.01, 0.9995);
const warmCos = warmupCosine(0.01, 500, STEPS);
const tAda = await descend(engine, tilted, 'Adagrad', (p) => new Adagrad([p], { lr: 1 }), STEPS, sigmaProbe('sum'));
const tRms = await descend(engine, tilted, 'RMSprop', withSchedule(() => 0.01), STEPS, sigmaProbe('square_avg'));
const tDecay = await descend(engine, tilted, 'RMSprop + decay', withSchedule(decay), STEPS, sigmaProbe('square_avg'));
const tWarm = await descend(engine, tilted, 'RMSprop warmup+cosine', withSchedule(warmCos), STEPS, sigmaProbe('square_avg'));
const secs = (performance.now() - t0) / 1000;

const headers = ['optimizer', 'lr', 'final loss', 'updates to loss < 1e-6', 'max loss after reaching 1e-6'];
console.log(`\nExperiment 1: ½(x² + ${K}y²) from (−10, 1), ${STEPS} updates, fixed learning rates (${engine.kind} backend)\n`);
const t1 = table(headers, [
  row(gdLarge, '2e-3 (= 2/λmax)'), row(gdMid, '1e-3 (= 1/λmax)'), row(gdSmall, '1e-4'),
  row(ada, '1'), row(rms, '1e-2'), row(adam, '3e-2'),
]);
console.log(t1);
console.log(`\nExperiment 2: the same valley tilted by 1°, from (−10, 1), ${STEPS} updates (${engine.kind} backend)\n`);
const t2 = table(headers, [
  row(tAda, '1'), row(tRms, '1e-2'), row(tDecay, '1e-2 · 0.9995^t'), row(tWarm, `0 → 1e-2 over 500 updates, cosine to 0 at ${STEPS}`),
]);
console.log(t2);
console.log(`\n${secs.toFixed(0)} s for ${10 * STEPS} updates`);

const range = { xRange: s.xRange, yRange: s.yRange, f: s.f, levels: [0.1, 0.5, 2, 8, 32, 128, 512], xLabel: 'x', yLabel: 'y' };
save(`${FIG}/optim_bowl_gd.svg`, contourPlot({
  ...range, title: `Gradient descent on ½(x² + ${K}y²): fixed learning rates`,
  paths: [pathOf(gdLarge, 'lr 2e-3: bounces', 0), pathOf(gdMid, 'lr 1e-3 (tuned)'), pathOf(gdSmall, 'lr 1e-4: crawls')],
}));
save(`${FIG}/optim_bowl_adaptive.svg`, contourPlot({
  ...range, title: `Adaptive learning rates on ½(x² + ${K}y²)`,
  paths: [pathOf(ada, 'Adagrad lr 1'), pathOf(rms, 'RMSprop lr 1e-2'), pathOf(adam, 'Adam lr 3e-2')],
}));
save(`${FIG}/optim_bowl_loss.svg`, linePlot({
  title: `Loss on ½(x² + ${K}y²) (${engine.kind})`, xLabel: 'update', yLabel: 'loss', yLog: true, yRange: [FLOOR, 1e4],
  series: [lossOf(gdLarge, 'GD lr 2e-3'), lossOf(gdMid, 'GD lr 1e-3'), lossOf(gdSmall, 'GD lr 1e-4'), lossOf(ada, 'Adagrad'), lossOf(rms, 'RMSprop'), lossOf(adam, 'Adam')],
}));
const sigmaOf = (r: Run, name: string) => logSeries(r.probes.map((p) => p[0]), name);
save(`${FIG}/optim_sigma.svg`, linePlot({
  title: 'σ of y (valley tilted 1°): Adagrad accumulates, RMSprop forgets', xLabel: 'update', yLabel: 'σ_y', yLog: true, yRange: [1e-2, 1e4],
  series: [sigmaOf(tAda, 'Adagrad (√Σg²)'), sigmaOf(tRms, 'RMSprop (√avg g²)'), sigmaOf(tDecay, 'RMSprop + decay')],
}));
save(`${FIG}/optim_steps.svg`, linePlot({
  title: 'Step length ‖Δθ‖ per update (valley tilted 1°)', xLabel: 'update', yLabel: '‖Δθ‖', yLog: true, yRange: [FLOOR, 10],
  series: [logSeries(stepLengths(tAda), 'Adagrad lr 1'), logSeries(stepLengths(tRms), 'RMSprop lr 1e-2'),
    logSeries(stepLengths(tDecay), 'RMSprop + decay'), logSeries(stepLengths(tWarm), 'RMSprop warmup+cos')],
}));
save(`${FIG}/optim_blowup.svg`, linePlot({
  title: `RMSprop's late blow-up, fixed by a schedule (${engine.kind})`, xLabel: 'update', yLabel: 'loss', yLog: true, yRange: [FLOOR, 1e4],
  series: [lossOf(tAda, 'Adagrad lr 1'), lossOf(tRms, 'RMSprop lr 1e-2'), lossOf(tDecay, 'RMSprop + decay'), lossOf(tWarm, 'RMSprop warmup+cos')],
}));
const zoom = (r: Run, name: string, from: number, to: number) => ({ name, x: r.xs.slice(from, to), y: r.ys.slice(from, to) });
save(`${FIG}/optim_blowup_paths.svg`, contourPlot({
  title: 'Near the minimum of the tilted valley, updates 1000–2000', f: tilted.f, xRange: [-1.2, 0.3], yRange: [-0.06, 0.06],
  levels: [1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3], xLabel: 'x', yLabel: 'y',
  paths: [zoom(tRms, 'RMSprop lr 1e-2', 1000, 2000), zoom(tDecay, 'RMSprop + decay', 1000, 2000)],
}));
save(`${FIG}/optim_bowl_tables.md`, `Experiment 1 (${engine.kind} backend)\n\n${t1}\n\nExperiment 2 (${engine.kind} backend)\n\n${t2}\n`);
engine.dispose();
