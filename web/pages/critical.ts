/**
 * Chapter "critical points": a two-parameter loss surface as a contour map; at the point the
 * reader picks, the engine computes the loss, the gradient (grad) and the Hessian (grad of grad,
 * one Hessian-vector product per column), the library's eigensolver its eigenvalues and
 * eigenvectors, and HessianAnalyzer.classify says minimum / maximum / saddle point. From there:
 * gradient descent (the library's SGD as the program's hook), the escape along the eigenvector of
 * negative curvature (escapeSaddle), or Newton-MR to the nearest critical point (findCriticalPoint).
 */
import { $, Loop, main, markRunning, num, numberInput, page, put, slope, status } from '../lecture/common.js';
import { Descent } from '../lecture/descent.js';
import { ContourMap, arrow } from '../lecture/map.js';
import { SURFACES, SurfaceGrid, type Surface } from '../lecture/surfaces.js';

const GRID = 60;
const COLORS = { point: '#111', grad: '#d97706', neg: '#d62728', pos: '#1f77b4', path: '#16794a' };

interface Ready {
  surface: Surface;
  /** The contour map's SVG, drawn once. */
  contours: string;
  descent: Descent;
  hessian: slope.HessianAnalyzer;
}

export interface Analysis {
  w: [number, number];
  loss: number;
  gradient: number[];
  gradNorm: number;
  hessian: number[];
  eigenvalues: number[];
  eigenvectors: number[][];
  kind: string;
}

let engine: slope.Engine;
const ready = new Map<string, Ready>();
let cur: Ready;
let map: ContourMap;
let analysis: Analysis | null = null;
/** The path of the current run, and its losses. */
let path: [number, number][] = [];
let losses: number[] = [];
/** Gradient-descent steps since the last move. */
let stepsDone = 0;
const loop = new Loop('descent');

async function prepare(s: Surface): Promise<Ready> {
  const grid = await SurfaceGrid.create(engine, s.loss, s.xRange, s.yRange, GRID);
  const descent = await Descent.create(engine, s.loss, (p) => new slope.SGD([p], { lr: s.lr }));
  const hessian = await descent.analyzer(s.loss);
  // Every program runs once here, so that no first run's one-time work falls after the page is ready.
  const values = await grid.values();
  grid.dispose();
  descent.moveTo(s.presets[0].at);
  await descent.loss();
  await hessian.evaluate();
  return { surface: s, contours: map.render(values, `${s.name}: ${s.formula}`, s), descent, hessian };
}

function overlay(): void {
  const paths: slope.Series[] = [];
  const s = cur.surface;
  const span = Math.min(s.xRange[1] - s.xRange[0], s.yRange[1] - s.yRange[0]);
  if (path.length > 1) paths.push({ name: 'path', color: COLORS.path, x: path.map((p) => p[0]), y: path.map((p) => p[1]) });
  if (analysis) {
    const p = analysis.w;
    analysis.eigenvectors.forEach((v, k) => {
      const lam = analysis!.eigenvalues[k];
      const seg = arrow(`eigenvector, λ = ${num(lam, 3)}`, lam < 0 ? COLORS.neg : COLORS.pos, [p[0] - 0.12 * span * v[0], p[1] - 0.12 * span * v[1]], v, 0.24 * span, lam >= 0);
      paths.push(seg);
    });
    if (analysis.gradNorm > 1e-6) paths.push(arrow('−∇L (descent)', COLORS.grad, p, analysis.gradient.map((g) => -g), 0.15 * span));
    paths.push({ name: '', color: COLORS.point, x: [p[0]], y: [p[1]], markers: true, line: false });
  }
  map.setPaths(paths);
  $('loss-chart').innerHTML = slope.linePlot({
    title: 'loss along the path', xLabel: 'step', width: 560, height: 240,
    series: losses.length ? [{ name: 'loss', color: COLORS.path, x: losses.map((_, i) => i), y: losses }] : [],
  });
}

function show(a: Analysis): void {
  put('at', `(${num(a.w[0])}, ${num(a.w[1])})`);
  put('loss', num(a.loss));
  put('grad', `(${num(a.gradient[0])}, ${num(a.gradient[1])})`);
  put('grad-norm', num(a.gradNorm));
  const H = a.hessian;
  put('hessian', `[[${num(H[0])}, ${num(H[1])}], [${num(H[2])}, ${num(H[3])}]]`);
  put('eig-min', num(a.eigenvalues[0]));
  put('eig-max', num(a.eigenvalues[1]));
  put('vec-min', `(${num(a.eigenvectors[0][0], 3)}, ${num(a.eigenvectors[0][1], 3)})`);
  put('vec-max', `(${num(a.eigenvectors[1][0], 3)}, ${num(a.eigenvectors[1][1], 3)})`);
  put('kind', a.kind === 'degenerate' ? 'degenerate (an eigenvalue is zero: the test is silent)' : a.kind === 'not critical' ? 'not a critical point (the gradient is not zero)' : a.kind);
  $('kind').dataset.kind = a.kind;
}

/** ‖∇L‖ under which a point counts as critical: 1e-3 · max(1, max|λ|). */
function gradTol(eigenvalues: ArrayLike<number>): number {
  return 1e-3 * Math.max(1, ...Array.from(eigenvalues, Math.abs));
}

/** Everything the page says about the point θ is at now, computed by the engine. */
async function analyse(): Promise<Analysis> {
  const h = cur.hessian;
  const ev = await h.evaluate();
  const H = await h.fullHessian();
  const { values, vectors } = slope.analysis.symmetricEigen(H, 2);
  // Critical when the gradient is small against the curvature: a step of 1e-3 along the
  // steepest eigenvector would change the gradient by more.
  const c = await h.classify({ gradTol: gradTol(values) });
  const w = await cur.descent.position();
  analysis = {
    w, loss: ev.loss, gradient: Array.from(ev.gradient), gradNorm: Math.hypot(...ev.gradient), hessian: Array.from(H),
    eigenvalues: Array.from(values), eigenvectors: vectors.map((v) => Array.from(v)), kind: c.kind,
  };
  page.counts.analyses = (page.counts.analyses ?? 0) + 1;
  show(analysis);
  overlay();
  return analysis;
}

async function moveTo(w1: number, w2: number): Promise<void> {
  if (loop.running) return;
  cur.descent.moveTo([w1, w2]);
  path = [[w1, w2]];
  losses = [];
  stepsDone = 0;
  for (const [id, v] of [['steps-done', '0'], ['loss-now', '–'], ['escape-note', '–']]) put(id, v);
  $<HTMLInputElement>('w1').value = String(Number(w1.toFixed(4)));
  $<HTMLInputElement>('w2').value = String(Number(w2.toFixed(4)));
  await analyse();
  status(`at (${num(w1)}, ${num(w2)}): ${analysis!.kind}`);
}

function setBusy(on: boolean): void {
  for (const id of ['descend', 'escape', 'newton', 'go', 'surface']) $<HTMLButtonElement>(id).disabled = on;
  $<HTMLButtonElement>('stop').disabled = !on;
  markRunning('critical', on);
}

/** Gradient descent from where θ is, `steps` updates at the learning rate in the form. */
async function descend(): Promise<void> {
  const steps = Math.round(numberInput('steps'));
  cur.descent.optimizer.lr = numberInput('lr');
  if (path.length === 0) path = [await cur.descent.position()];
  setBusy(true);
  status('gradient descent…');
  let n = 0;
  try {
    await loop.run(async () => {
      const r = await cur.descent.step();
      losses.push(r.loss);
      path.push(r.w);
      put('steps-done', ++stepsDone);
      n++;
      put('loss-now', num(r.loss));
      return Number.isFinite(r.loss);
    }, overlay, steps);
    await analyse();
    status(`${n} steps of gradient descent: loss ${num(losses[0])} → ${num(analysis!.loss)}; now at a point that is ${analysis!.kind}`);
  } finally {
    setBusy(false);
  }
}

/** escapeSaddle: a step of length α along the eigenvector of the most negative eigenvalue, downhill; then descend. */
async function escape(): Promise<void> {
  const alpha = numberInput('alpha');
  setBusy(true);
  try {
    const e = await cur.hessian.escapeSaddle(alpha);
    const w = await cur.descent.position();
    path.push(w);
    losses.push(e.before, e.after);
    put('escape-note', `λ = ${num(e.eigenvalue)}: one step of ${num(alpha)} along (${num(e.direction[0], 3)}, ${num(e.direction[1], 3)}), loss ${num(e.before)} → ${num(e.after)}`);
    await analyse();
  } catch (err) {
    put('escape-note', (err as Error).message);
    setBusy(false);
    return;
  }
  setBusy(false);
  await descend();
}

async function newton(): Promise<void> {
  setBusy(true);
  status('Newton-MR towards the nearest critical point…');
  try {
    const r = await slope.analysis.findCriticalPoint(cur.hessian, { maxIterations: 40, gradTol: 1e-6 });
    path.push(await cur.descent.position());
    await analyse();
    status(`Newton-MR: ${r.iterations} iterations (${r.stopReason}), ‖∇L‖ = ${num(r.gradNorm)}: ${analysis!.kind}`);
  } finally {
    setBusy(false);
  }
}

async function selectSurface(id: string): Promise<void> {
  cur = ready.get(id)!;
  const s = cur.surface;
  map.show(cur.contours, s);
  put('formula', s.formula);
  $<HTMLInputElement>('lr').value = String(s.lr);
  const presets = $('presets');
  presets.replaceChildren(...s.presets.map((p) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = p.label;
    b.addEventListener('click', () => { moveTo(...p.at).catch((e) => status(`error: ${(e as Error).message}`)); });
    return b;
  }));
  analysis = null;
  await moveTo(...s.presets[0].at);
}

async function setup(e: slope.Engine): Promise<void> {
  engine = e;
  map = new ContourMap($('map'), { title: '', xRange: SURFACES[0].xRange, yRange: SURFACES[0].yRange, grid: GRID, legend: 'bottom-left' });
  for (const s of SURFACES) ready.set(s.id, await prepare(s));
  const sel = $<HTMLSelectElement>('surface');
  for (const s of SURFACES) sel.add(new Option(s.name, s.id));
  map.onClick((w1, w2) => { moveTo(w1, w2).catch((err) => status(`error: ${(err as Error).message}`)); });
  (window as unknown as { __map: ContourMap }).__map = map;
  await selectSurface(SURFACES[0].id);
  sel.addEventListener('change', () => { selectSurface(sel.value).catch((err) => status(`error: ${(err as Error).message}`)); });
  $('point').addEventListener('submit', (ev) => {
    ev.preventDefault();
    moveTo(numberInput('w1'), numberInput('w2')).catch((err) => status(`error: ${(err as Error).message}`));
  });
  const guard = (fn: () => Promise<void>) => () => { fn().catch((err) => { status(`error: ${(err as Error).message}`); setBusy(false); }); };
  $('descend').addEventListener('click', guard(descend));
  $('escape').addEventListener('click', guard(escape));
  $('newton').addEventListener('click', guard(newton));
  $('stop').addEventListener('click', () => loop.stop());
  setBusy(false);
}

main({ setup });
