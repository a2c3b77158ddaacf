/** Shared helpers for the normalization tests: finite-difference checks on the cpu backend. */
import { slope } from '../util/engine.js';
import { Rng } from '../util/rng.js';
import { expectClose } from '../util/close.js';
import { elementwiseOnly, TOL } from '../tolerances.js';

type Tensor = slope.Tensor;

export interface Wrt {
  tensor: Tensor;
  /** Feed name for an input; absent for a parameter (perturbed through engine.write). */
  param?: slope.Parameter;
  data: Float64Array;
}

/** A scalar objective Σ y ⊙ R with a fixed random R (so every output element matters). */
export function project(y: Tensor, rng: Rng): Tensor {
  const g = y.graph;
  return slope.sum(slope.mul(y, g.constant(rng.normal(y.size), y.shape)));
}

/** engine.write with float64 values: the cpu backend stores them unrounded (its storage is f64). */
const write64 = (e: slope.Engine, p: slope.Parameter, d: Float64Array) => e.write(p, d as unknown as Float32Array);

function feedsOf(wrt: Record<string, Wrt>): Record<string, Float64Array> {
  const f: Record<string, Float64Array> = {};
  for (const [k, w] of Object.entries(wrt)) if (!w.param) f[k] = w.data;
  return f;
}

/** Sample at most `max` indices of n, always including the first and last. */
function sample(n: number, max: number, rng: Rng): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const s = new Set([0, n - 1]);
  while (s.size < max) s.add(Math.floor(rng.next() * n));
  return [...s];
}

/**
 * Compare grad(loss, wrt) with central differences of the loss (float64, cpu backend). Runs the
 * graph only (no assigns), so running statistics do not drift between evaluations.
 */
export async function gradcheck(e: slope.Engine, loss: Tensor, wrt: Record<string, Wrt>, label: string, opts: { h?: number; max?: number } = {}) {
  const names = Object.keys(wrt);
  const grads = slope.grad(loss, names.map((k) => wrt[k].tensor));
  const outputs: Record<string, Tensor> = { loss };
  names.forEach((k, i) => { outputs[`d_${k}`] = grads[i]; });
  const prog = await e.compile(loss.graph, { outputs });
  const feeds = feedsOf(wrt);
  for (const w of Object.values(wrt)) if (w.param) write64(e, w.param, w.data);
  await prog.runGraphOnly(feeds);
  const analytic: Record<string, Float64Array> = {};
  for (const k of names) analytic[k] = Float64Array.from(await prog.read(`d_${k}`));
  const h = opts.h ?? 1e-6;
  const rng = new Rng(99);
  for (const k of names) {
    const w = wrt[k];
    const idx = sample(w.data.length, opts.max ?? 40, rng);
    const fd = new Float64Array(idx.length), an = new Float64Array(idx.length);
    for (let j = 0; j < idx.length; j++) {
      const i = idx[j];
      const at = async (delta: number) => {
        const d = Float64Array.from(w.data);
        d[i] += delta;
        if (w.param) write64(e, w.param, d);
        await prog.runGraphOnly(w.param ? feeds : { ...feeds, [k]: d });
        if (w.param) write64(e, w.param, w.data);
        return prog.item('loss');
      };
      fd[j] = ((await at(h)) - (await at(-h))) / (2 * h);
      an[j] = analytic[k][i];
    }
    // A gradient that is zero up to ε (BatchNorm with N = 2: x̂ = ±1 whatever x is) has no
    // meaningful norm-wise relative error; the elementwise bound still applies.
    const tiny = fd.every((v) => Math.abs(v) < 1e-4);
    expectClose(an, fd, tiny ? elementwiseOnly(TOL.finiteDifference) : TOL.finiteDifference, `${label}: ∂loss/∂${k}`);
  }
}

/**
 * Hessian-vector product check: grad(⟨∇_x loss, v⟩, x) against the central difference of ∇_x loss
 * along v, for one input x.
 */
export async function hvpcheck(e: slope.Engine, loss: Tensor, x: Tensor, name: string, data: Float64Array, feeds: Record<string, Float64Array>, label: string) {
  const g = loss.graph;
  const rng = new Rng(5);
  const v = rng.normal(x.size);
  const [gx] = slope.grad(loss, [x]);
  const [hv] = slope.grad(slope.sum(slope.mul(gx, g.constant(v, x.shape))), [x]);
  const prog = await e.compile(g, { outputs: { gx, hv } });
  const known = new Set(prog.inputs.map((i) => i.name));
  feeds = Object.fromEntries(Object.entries(feeds).filter(([k]) => known.has(k)));
  await prog.runGraphOnly({ ...feeds, [name]: data });
  const an = Float64Array.from(await prog.read('hv'));
  const h = 1e-5;
  const at = async (s: number) => {
    await prog.runGraphOnly({ ...feeds, [name]: data.map((d, i) => d + s * h * v[i]) });
    return Float64Array.from(await prog.read('gx'));
  };
  const plus = await at(1), minus = await at(-1);
  const fd = plus.map((p, i) => (p - minus[i]) / (2 * h));
  expectClose(an, fd, TOL.hvpFiniteDifference, `${label}: Hessian-vector product`);
}

export const f64 = (a: ArrayLike<number>) => Float64Array.from(a);
