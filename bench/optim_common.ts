/**
 * Shared pieces of the optimizer experiments (bench/optim_*.ts): 2-d loss surfaces built from
 * graph ops, and a loop that runs an optimizer on one of them through the real engine — the
 * point θ is a Parameter of shape [2], the gradient comes from grad(), the optimizer is the
 * program's hook — recording the trajectory and the loss after every update.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import * as slope from '../src/node.js';

const { Graph, Parameter, grad, mul, add, sum, square, scale, matmul, reshape, broadcastTo } = slope;
type Tensor = slope.Tensor;

export interface Surface {
  name: string;
  /** The same function in float64, for contour plots. */
  f(x: number, y: number): number;
  /** The loss as graph ops of θ = (x, y). */
  build(theta: Tensor): Tensor;
  start: [number, number];
  xRange: [number, number];
  yRange: [number, number];
}

/** x and y of θ as scalars: Σ θ ⊙ e₀ and Σ θ ⊙ e₁. */
function coords(theta: Tensor): [Tensor, Tensor] {
  const g = theta.graph;
  return [sum(mul(theta, g.constant([1, 0]))), sum(mul(theta, g.constant([0, 1])))];
}

/** ½(x² + κy²): an elongated convex bowl with curvature ratio κ between the axes. */
export function bowl(kappa: number): Surface {
  return {
    name: `bowl κ=${kappa}`,
    f: (x, y) => 0.5 * (x * x + kappa * y * y),
    build: (t) => scale(sum(mul(square(t), t.graph.constant([1, kappa]))), 0.5),
    start: [-10, 1],
    xRange: [-11, 3],
    yRange: [-1.3, 1.3],
  };
}

/** The bowl turned by `deg` degrees: ½(u² + κw²) with (u, w) = θ rotated by −deg. */
export function tiltedBowl(kappa: number, deg: number): Surface {
  const a = (deg * Math.PI) / 180;
  const [c, s] = [Math.cos(a), Math.sin(a)];
  return {
    name: `bowl κ=${kappa} tilted ${deg}°`,
    f: (x, y) => 0.5 * ((c * x + s * y) ** 2 + kappa * (c * y - s * x) ** 2),
    build: (t) => {
      const g = t.graph;
      const uw = reshape(matmul(g.constant([c, s, -s, c], [2, 2]), reshape(t, [2, 1])), [2]);
      return scale(sum(mul(square(uw), g.constant([1, kappa]))), 0.5);
    },
    start: [-10, 1],
    xRange: [-11, 3],
    yRange: [-1.3, 1.3],
  };
}

/** x⁴ + x³ + y²: the origin is a saddle point (flat in x, f < 0 just left of it); minimum at x = −3/4. */
export const saddle: Surface = {
  name: 'saddle',
  f: (x, y) => x ** 4 + x ** 3 + y * y,
  build: (t) => {
    const [x, y] = coords(t);
    const x2 = square(x);
    return add(add(square(x2), mul(x2, x)), square(y));
  },
  start: [1, 1],
  xRange: [-1.2, 1.3],
  yRange: [-1.2, 1.3],
};

/** x⁴ − 2x² + x/2 + y²: a shallow local minimum near x = 0.93, the global one near x = −1.06. */
export const localMin: Surface = {
  name: 'local minimum',
  f: (x, y) => x ** 4 - 2 * x * x + 0.5 * x + y * y,
  build: (t) => {
    const [x, y] = coords(t);
    const x2 = square(x);
    return add(add(square(x2), scale(x2, -2)), add(scale(x, 0.5), square(y)));
  },
  start: [2, 1],
  xRange: [-1.8, 2.2],
  yRange: [-1.3, 1.3],
};

export interface Run {
  label: string;
  /** θ after 0, 1, …, steps updates. */
  xs: number[];
  ys: number[];
  /** loss(θ_k) for k = 0 … steps. */
  losses: number[];
  /** The first k with loss(θ_k) < 1e-6, or −1. */
  hit: number;
  /** Values from `probe` after each update (e.g. optimizer state). */
  probes: number[][];
}

let uid = 0;

/** Run `steps` updates of the optimizer made by `make` on surface s, through the engine. */
export async function descend(
  engine: slope.Engine, s: Surface, label: string, make: (p: slope.Parameter) => slope.Optimizer, steps: number,
  probe?: (opt: slope.Optimizer) => Promise<number[]>,
): Promise<Run> {
  const P = new Parameter(`θ${uid++}`, [2], Float32Array.from(s.start));
  const g = new Graph();
  const theta = g.param(P);
  const loss = s.build(theta);
  const [gt] = grad(loss, [theta]);
  // One readback per step: [loss(θ), x, y] of the θ this step's forward pass saw.
  const lossAt = mul(broadcastTo(reshape(loss, [1]), [3]), g.constant([1, 0, 0]));
  const where = reshape(matmul(g.constant([0, 0, 1, 0, 0, 1], [3, 2]), reshape(theta, [2, 1])), [3]);
  const opt = make(P);
  const prog = await engine.compile(g, {
    outputs: { rec: add(lossAt, where) }, loss, gradients: [[P, gt]], hooks: [opt],
  });
  const run: Run = { label, xs: [], ys: [], losses: [], hit: -1, probes: [] };
  const record = async () => {
    const [l, x, y] = await prog.read('rec');
    run.losses.push(l);
    run.xs.push(x);
    run.ys.push(y);
  };
  for (let t = 0; t < steps; t++) {
    await prog.run();
    await record();
    if (probe) run.probes.push(await probe(opt));
  }
  await prog.runGraphOnly();
  await record();
  run.hit = run.losses.findIndex((l) => l < 1e-6);
  prog.dispose();
  return run;
}

/** Every k-th point (and the last), so that long paths stay small in an SVG. */
export function thin<T>(a: readonly T[], k: number): T[] {
  return a.filter((_, i) => i % k === 0 || i === a.length - 1);
}

export function save(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  console.log(`wrote ${path}`);
}

/** The engine named by --backend (webgpu by default, cpu as the fallback). */
export async function engineFromArgs(): Promise<slope.Engine> {
  const i = process.argv.indexOf('--backend');
  const kind = (i >= 0 ? process.argv[i + 1] : 'webgpu') as 'webgpu' | 'cpu';
  const engine = await slope.init({ backend: kind });
  console.log(`backend: ${engine.kind} (${engine.adapter})`);
  return engine;
}

export const fmtLoss = (v: number) => (Number.isFinite(v) ? v.toExponential(2) : String(v));
export { slope };
