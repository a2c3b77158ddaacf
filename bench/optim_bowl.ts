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
 *   3. the lecture's own Adagrad, σ = the root *mean* square of the past gradients (torch's
 *      Adagrad divides by the root of their sum, i.e. it has an extra √t): σ shrinks as soon as
 *      the gradients do, and the steep direction blows up late in training, again and again,
 *      as in the lecture's picture. It is torch's Adagrad with lr·√(t+1) as a schedule; a plain
 *      float64 loop of the lecture's formula checks the engine's trajectory.
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
/** Figures of a cpu (float64) run get their own names, beside the webgpu ones. */
const fig = (name: string) => `${FIG}/${name}${engine.kind === 'cpu' ? '_cpu' : ''}`;
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
const stepLengths = (r: Run) =>
  r.xs.map((x, i) => (i ? Math.hypot(x - r.xs[i - 1], r.ys[i] - r.ys[i - 1]) : NaN)).slice(1);

/** σ of the y coordinate (the root of the optimizer's accumulator), read from its state. */
const sigmaProbe = (key: string) => async (opt: slope.Optimizer) => {
  const sd = await opt.stateDict();
  return [Math.sqrt(Object.values(sd.state)[0][key][1])];
};
/** The lecture's σ of y, √(Σg²/t) over the t updates taken (Adagrad's `sum` divided by the count). */
const rmsProbe = async (opt: slope.Optimizer) => {
  const sd = await opt.stateDict();
  return [Math.sqrt(Object.values(sd.state)[0].sum[1] / opt.stepCount)];
};

/**
 * The lecture's Adagrad: θ ← θ − η/σ·g with σ = √(Σ_{i≤t} g_i² / (t+1)). torch's Adagrad takes
 * θ ← θ − lr·g/(√Σg² + ε), so the lecture's rule is torch's with lr = η·√(t+1) at step t
 * (ε = 1e-10 aside): a schedule, no new kernel.
 */
const lectureAdagrad = (eta: number) => (p: slope.Parameter) =>
  Object.assign(new Adagrad([p], { lr: eta }), { schedule: (t: number) => eta * Math.sqrt(t + 1) });

/** The same rule as a plain float64 loop on the tilted bowl (gradient by hand): the check. */
function lectureAdagradF64(eta: number, deg: number, steps: number): { xs: number[]; ys: number[] } {
  const a = (deg * Math.PI) / 180, c = Math.cos(a), s = Math.sin(a);
  let [x, y] = tilted.start;
  const S = [0, 0], xs = [x], ys = [y];
  for (let t = 0; t < steps; t++) {
    const u = c * x + s * y, w = c * y - s * x;
    const g = [u * c - K * w * s, u * s + K * w * c];
    S[0] += g[0] ** 2;
    S[1] += g[1] ** 2;
    x -= (eta * g[0]) / Math.sqrt(S[0] / (t + 1));
    y -= (eta * g[1]) / Math.sqrt(S[1] / (t + 1));
    xs.push(x);
    ys.push(y);
  }
  return { xs, ys };
}

/** Loss peaks after the first time the loss went under 1e-6: [update, loss] of each excursion above 1. */
function blowUps(r: Run): [number, number][] {
  const out: [number, number][] = [];
  if (r.hit < 0) return out;
  for (let i = r.hit, top = -1; i < r.losses.length; i++) {
    if (r.losses[i] > 1) {
      if (top < 0 || r.losses[i] > r.losses[top]) top = i;
    } else if (top >= 0) {
      out.push([top, r.losses[top]]);
      top = -1;
    }
  }
  return out;
}

function row(r: Run, lr: string): (string | number)[] {
  const after = r.hit >= 0 ? Math.max(...r.losses.slice(r.hit)) : NaN;
  return [r.label, lr, fmtLoss(r.losses[r.losses.length - 1]), r.hit >= 0 ? r.hit : `never (≤ ${STEPS})`,
    r.hit >= 0 ? fmtLoss(after) : '—'];
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
const withSchedule = (sched: slope.Schedule) => (p: slope.Parameter) =>
  Object.assign(new RMSprop([p], { lr: 0.01 }), { schedule: sched });
const decay = exponentialLR(0.01, 0.9995);
const warmCos = warmupCosine(0.01, 500, STEPS);
const tAda = await descend(engine, tilted, 'Adagrad', (p) => new Adagrad([p], { lr: 1 }), STEPS, sigmaProbe('sum'));
const tRms = await descend(engine, tilted, 'RMSprop', withSchedule(() => 0.01), STEPS, sigmaProbe('square_avg'));
const tDecay = await descend(engine, tilted, 'RMSprop + decay', withSchedule(decay), STEPS, sigmaProbe('square_avg'));
const tWarm = await descend(engine, tilted, 'RMSprop warmup+cosine', withSchedule(warmCos), STEPS,
  sigmaProbe('square_avg'));
const LECTURE_LR = 0.1;
const tLecture = await descend(engine, tilted, 'Adagrad, lecture (σ = RMS)', lectureAdagrad(LECTURE_LR), STEPS,
  rmsProbe);
const secs = (performance.now() - t0) / 1000;

const headers = ['optimizer', 'lr', 'final loss', 'updates to loss < 1e-6', 'max loss after reaching 1e-6'];
console.log(`\nExperiment 1: ½(x² + ${K}y²) from (−10, 1), ${STEPS} updates, fixed learning rates ` +
  `(${engine.kind} backend)\n`);
const t1 = table(headers, [
  row(gdLarge, '2e-3 (= 2/λmax)'), row(gdMid, '1e-3 (= 1/λmax)'), row(gdSmall, '1e-4'),
  row(ada, '1'), row(rms, '1e-2'), row(adam, '3e-2'),
]);
console.log(t1);
console.log(`\nExperiment 2: the same valley tilted by 1°, from (−10, 1), ${STEPS} updates (${engine.kind} backend)\n`);
const t2 = table(headers, [
  row(tAda, '1'), row(tRms, '1e-2'), row(tDecay, '1e-2 · 0.9995^t'),
  row(tWarm, `0 → 1e-2 over 500 updates, cosine to 0 at ${STEPS}`),
]);
console.log(t2);
const ref = lectureAdagradF64(LECTURE_LR, 1, STEPS);
const refRun: Run = { ...tLecture, xs: ref.xs, ys: ref.ys, losses: ref.xs.map((x, i) => tilted.f(x, ref.ys[i])) };
refRun.hit = refRun.losses.findIndex((l) => l < 1e-6);
// Until the loss first reaches 1e-6 the two trajectories must agree to rounding; after that the iterate sits
// within ~1e-20 of the minimum, where the growth of the steep direction amplifies rounding differences, so
// only the timing and size of the blow-ups are compared.
const dev = Math.max(...ref.xs.slice(0, tLecture.hit + 1)
  .map((x, i) => Math.hypot(x - tLecture.xs[i], ref.ys[i] - tLecture.ys[i])));
console.log(`\nExperiment 3: the lecture's Adagrad (σ = RMS of past gradients), lr ${LECTURE_LR}, tilted valley ` +
  `(${engine.kind} backend)\n`);
const t3 = table(headers, [
  row(tAda, '1 (torch: σ = √Σg²)'), row(tLecture, `${LECTURE_LR} (lecture: σ = √(Σg²/t))`), row(tRms, '1e-2'),
]);
console.log(t3);
const peaks = blowUps(tLecture).map(([i, l]) => `update ${i}: loss ${fmtLoss(l)}`).join('; ');
const peaksRms = blowUps(tRms).length;
console.log(`lecture Adagrad: loss < 1e-6 first at update ${tLecture.hit}; ` +
  `excursions above loss 1 afterwards: ${peaks || 'none'}`);
console.log(`RMSprop lr 1e-2: ${peaksRms} excursions above loss 1 after the first reaching 1e-6`);
const refPeaks = blowUps(refRun).map(([i, l]) => `update ${i}: loss ${fmtLoss(l)}`).join('; ');
const check = `float64 loop of the lecture's formula: loss < 1e-6 first at update ${refRun.hit} ` +
  `(engine: ${tLecture.hit}), max ‖Δθ‖ from the engine's ` +
  `trajectory until then ${dev.toExponential(1)}; its excursions above loss 1: ${refPeaks || 'none'}`;
console.log(check);
console.log(`\n${secs.toFixed(0)} s for ${10 * STEPS} updates`);

const range = {
  xRange: s.xRange, yRange: s.yRange, f: s.f, levels: [0.1, 0.5, 2, 8, 32, 128, 512], xLabel: 'x', yLabel: 'y',
};
save(fig('optim_bowl_gd') + '.svg', contourPlot({
  ...range, title: `Gradient descent on ½(x² + ${K}y²): fixed learning rates`,
  paths: [pathOf(gdLarge, 'lr 2e-3: bounces', 0), pathOf(gdMid, 'lr 1e-3 (tuned)'), pathOf(gdSmall, 'lr 1e-4: crawls')],
  legend: 'auto',
}));
save(fig('optim_bowl_adaptive') + '.svg', contourPlot({
  ...range, title: `Adaptive learning rates on ½(x² + ${K}y²)`,
  paths: [pathOf(ada, 'Adagrad lr 1'), pathOf(rms, 'RMSprop lr 1e-2'), pathOf(adam, 'Adam lr 3e-2')],
  legend: 'auto',
}));
save(fig('optim_bowl_loss') + '.svg', linePlot({
  title: `Loss on ½(x² + ${K}y²) (${engine.kind})`, xLabel: 'update', yLabel: `loss (floored at ${FLOOR})`, yLog: true,
  yRange: [FLOOR, 1e4], legend: 'auto',
  series: [
    lossOf(gdLarge, 'GD lr 2e-3'), lossOf(gdMid, 'GD lr 1e-3'), lossOf(gdSmall, 'GD lr 1e-4'), lossOf(ada, 'Adagrad'),
    lossOf(rms, 'RMSprop'), lossOf(adam, 'Adam'),
  ],
}));
const sigmaOf = (r: Run, name: string) => logSeries(r.probes.map((p) => p[0]), name);
save(fig('optim_sigma') + '.svg', linePlot({
  title: 'σ of y (valley tilted 1°): Adagrad accumulates, RMSprop forgets', xLabel: 'update', yLabel: 'σ_y', yLog: true,
  yRange: [1e-2, 1e4],
  legend: 'outside',
  series: [
    sigmaOf(tAda, 'Adagrad, torch (√Σg²)'), sigmaOf(tLecture, 'Adagrad, lecture (√(Σg²/t))'),
    sigmaOf(tRms, 'RMSprop (√avg g²)'), sigmaOf(tDecay, 'RMSprop + decay'),
    // The steep direction (curvature K) is stable while lr·K/σ < 2, i.e. σ > lr·K/2.
    {
      name: `lecture Adagrad stable above ${LECTURE_LR * K / 2}`, x: [0, STEPS],
      y: [LECTURE_LR * K / 2, LECTURE_LR * K / 2],
      dash: true, color: '#d62728',
    },
    {
      name: `RMSprop lr 1e-2 stable above ${0.01 * K / 2}`, x: [0, STEPS], y: [0.01 * K / 2, 0.01 * K / 2],
      dash: true, color: '#2ca02c',
    },
  ],
}));
save(fig('optim_steps') + '.svg', linePlot({
  title: 'Step length ‖Δθ‖ per update (valley tilted 1°)', xLabel: 'update', yLabel: '‖Δθ‖', yLog: true,
  yRange: [FLOOR, 10],
  series: [logSeries(stepLengths(tAda), 'Adagrad lr 1'), logSeries(stepLengths(tRms), 'RMSprop lr 1e-2'),
    logSeries(stepLengths(tDecay), 'RMSprop + decay'), logSeries(stepLengths(tWarm), 'RMSprop warmup+cos')],
}));
save(fig('optim_blowup') + '.svg', linePlot({
  title: `RMSprop's late blow-up, fixed by a schedule (${engine.kind})`, xLabel: 'update', yLabel: 'loss', yLog: true,
  yRange: [FLOOR, 1e4],
  series: [
    lossOf(tAda, 'Adagrad lr 1'), lossOf(tRms, 'RMSprop lr 1e-2'), lossOf(tDecay, 'RMSprop + decay'),
    lossOf(tWarm, 'RMSprop warmup+cos'),
  ],
}));
const zoom = (r: Run, name: string, from: number, to: number) =>
  ({ name, x: r.xs.slice(from, to), y: r.ys.slice(from, to) });
// The window holds every point of both paths in updates 1000–2000 (nothing enters from an edge).
const zoomed = [zoom(tRms, '', 1000, 2000), zoom(tDecay, '', 1000, 2000)];
const zx = zoomed.flatMap((z) => z.x), zy = zoomed.flatMap((z) => z.y);
const zxLo = Math.min(-1.2, 1.05 * Math.min(...zx)), zyHi = Math.max(0.06, 1.1 * Math.max(...zy.map(Math.abs)));
save(fig('optim_blowup_paths') + '.svg', contourPlot({
  title: 'Near the minimum of the tilted valley, updates 1000–2000', f: tilted.f,
  xRange: [zxLo, 0.3], yRange: [-zyHi, zyHi],
  levels: [1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3], xLabel: 'x', yLabel: 'y',
  paths: [zoom(tRms, 'RMSprop lr 1e-2', 1000, 2000), zoom(tDecay, 'RMSprop + decay', 1000, 2000)], legend: 'auto',
}));
save(fig('optim_lecture_adagrad') + '.svg', linePlot({
  title: `Tilted valley: the lecture's Adagrad vs RMSprop (${engine.kind})`, xLabel: 'update', yLabel: 'loss',
  yLog: true,
  yRange: [FLOOR, 1e4], legend: 'outside',
  series: [
    lossOf(tLecture, `Adagrad, lecture, lr ${LECTURE_LR}`), lossOf(tRms, 'RMSprop lr 1e-2'),
    lossOf(tAda, 'Adagrad, torch, lr 1'),
  ],
}));
save(fig('optim_bowl_tables') + '.md',
  `Experiment 1 (${engine.kind} backend)\n\n${t1}\n\nExperiment 2 (${engine.kind} backend)\n\n${t2}\n\n` +
  `Experiment 3 (${engine.kind} backend)\n\n${t3}\n\n` +
  `lecture Adagrad excursions above loss 1: ${peaks || 'none'}\n\n${check}\n`);
engine.dispose();
