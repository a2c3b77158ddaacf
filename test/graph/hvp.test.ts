/**
 * Second order through the whole graph: on a tiny MLP, the gradient of (∇L · v) is the
 * Hessian-vector product, which must equal the central difference of gradients along v,
 * (∇L(θ + εv) − ∇L(θ − εv)) / 2ε, in float64 on the cpu backend; the GPU's Hv must match the
 * cpu's.
 */
import { test } from 'uvu';
import { cpu, slope } from '../util/engine.js';
import { gpu, gpuTest } from '../util/suite.js';
import { Rng } from '../util/rng.js';
import { expectClose, relError } from '../util/close.js';
import { TOL } from '../tolerances.js';

const o = slope.ops;
const SHAPES = { W1: [6, 4], b1: [6], W2: [3, 6], b2: [3] } as const;
type Name = keyof typeof SHAPES;
const NAMES = Object.keys(SHAPES) as Name[];
const size = (s: readonly number[]) => s.reduce((a, d) => a * d, 1);

function build(act: 'tanh' | 'gelu') {
  const g = new slope.Graph();
  const x = g.input('x', [5, 4]);
  const y = g.input('y', [5], 'i32');
  const th = Object.fromEntries(NAMES.map((n) => [n, g.input(n, SHAPES[n])])) as Record<Name, slope.Tensor>;
  const v = Object.fromEntries(NAMES.map((n) => [n, g.input(`v_${n}`, SHAPES[n])])) as Record<Name, slope.Tensor>;
  const h = o[act](o.linear(x, th.W1, th.b1));
  const loss = o.crossEntropy(o.linear(h, th.W2, th.b2), y);
  const gs = slope.grad(loss, NAMES.map((n) => th[n]));
  const dot = NAMES.map((n, i) => o.sum(o.mul(gs[i], v[n]))).reduce((a, b) => o.add(a, b));
  const hv = slope.grad(dot, NAMES.map((n) => th[n]));
  const outputs: Record<string, slope.Tensor> = { loss };
  NAMES.forEach((n, i) => { outputs[`g_${n}`] = gs[i]; outputs[`hv_${n}`] = hv[i]; });
  return { g, outputs };
}

function feeds(seed: number) {
  const r = new Rng(seed);
  const f: Record<string, Float64Array | Int32Array> = { x: Float64Array.from(r.normal(20)), y: r.ints(5, 3) };
  for (const n of NAMES) {
    f[n] = Float64Array.from(r.normal(size(SHAPES[n]), 0.7));
    f[`v_${n}`] = Float64Array.from(r.normal(size(SHAPES[n])));
  }
  return f;
}

async function runAll(e: slope.Engine, act: 'tanh' | 'gelu', f: Record<string, Float64Array | Int32Array>) {
  const { g, outputs } = build(act);
  const p = await e.compile(g, { outputs });
  const feed = e.kind === 'webgpu' ? Object.fromEntries(Object.entries(f).map(([k, v]) => [k, v instanceof Float64Array ? Float32Array.from(v) : v])) : f;
  await p.run(feed);
  const r: Record<string, Float64Array> = {};
  for (const k of Object.keys(outputs)) r[k] = Float64Array.from(await p.read(k));
  return { p, r };
}

for (const act of ['tanh', 'gelu'] as const) {
  test(`Hv = ∇(∇L·v) equals the finite difference of gradients along v (${act}, cpu float64)`, async () => {
    const e = await cpu();
    try {
      const f = feeds(act === 'tanh' ? 3 : 4);
      const { p, r } = await runAll(e, act, f);
      const eps = 1e-5;
      const shifted = (sign: number) => {
        const s = { ...f };
        for (const n of NAMES) s[n] = (f[n] as Float64Array).map((t, i) => t + sign * eps * (f[`v_${n}`] as Float64Array)[i]);
        return s;
      };
      const grads = async (s: Record<string, Float64Array | Int32Array>) => {
        await p.run(s);
        return Promise.all(NAMES.map(async (n) => Float64Array.from(await p.read(`g_${n}`))));
      };
      const gp = await grads(shifted(1)), gm = await grads(shifted(-1));
      NAMES.forEach((n, i) => {
        const fd = gp[i].map((v, j) => (v - gm[i][j]) / (2 * eps));
        const err = relError(r[`hv_${n}`], fd);
        if (!(err < TOL.hessianFiniteDifference.rel)) throw new Error(`Hv for ${n}: relative error ${err.toExponential(2)} against finite differences`);
      });
    } finally {
      e.dispose();
    }
  });

  gpuTest(`Hv on the GPU matches the cpu backend (${act})`, async () => {
    const g = await gpu();
    const c = await cpu();
    try {
      const f = feeds(act === 'tanh' ? 5 : 6);
      // The cpu run sees the float32-rounded inputs that the GPU gets.
      const f32 = Object.fromEntries(Object.entries(f).map(([k, v]) => [k, v instanceof Float64Array ? Float64Array.from(Float32Array.from(v)) : v]));
      const G = (await runAll(g, act, f)).r, C = (await runAll(c, act, f32)).r;
      for (const k of Object.keys(C)) expectClose(G[k], C[k], TOL.graph, `${act} ${k}`);
    } finally {
      g.dispose();
      c.dispose();
    }
  });
}

test.run();
