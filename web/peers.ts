/**
 * slope against its peers on one adapter, in one page: TensorFlow.js's WebGPU backend and
 * jax-js's WebGPU device run the same work as slope in the same browser, on the same adapter,
 * rounds interleaved so that load from other processes hits them alike. bench/peers.ts opens
 * this page in headless Chromium and collects `window.__peers`.
 *
 * Tasks (float32, data already on the device, nothing read back inside a timed run):
 *  - matmul: C = A·B with A, B of shape (n, n); GFLOP/s = 2n³ / time;
 *  - mlp step: one training step of an MLP 784-512-256-10 (ReLU) at batch `batch`, softmax
 *    cross-entropy with integer labels, Adam (lr 1e-3, PyTorch's defaults): forward, backward
 *    and the update.
 * Each round times `reps` calls, then waits for the device (slope: engine.sync(); TF.js: reading
 * one element of the result, which flushes its queue; jax-js: blockUntilReady); per-call time =
 * round time / reps; the figure is the median over rounds. Every library first checks its matmul
 * against a float64 product on the host, and runs warm-up calls (pipelines, autotuning) untimed.
 *
 * Query: ?rounds=7&n=512&batch=1&libs=slope,tfjs,jax
 */
import * as slope from '../src/browser.js';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-webgpu';
import * as jax from '@jax-js/jax';
import { Rng } from '../test/util/rng.js';
import { median } from '../bench/lib/timing.js';

export interface PeerResult {
  lib: string;
  task: string;
  /** Median milliseconds per call, and every round's figure. */
  ms: number;
  runs: number[];
  gflops?: number;
  note?: string;
}

export interface PeerState {
  adapter: string;
  done: boolean;
  results: PeerResult[];
  errors: string[];
}

declare global {
  interface Window { __peers?: PeerState }
}

const state: PeerState = { adapter: '', done: false, results: [], errors: [] };
window.__peers = state;
const out = document.getElementById('log') as HTMLElement;
function say(s: string): void {
  out.textContent += `${s}\n`;
  console.log(`[peers] ${s}`);
}

const q = new URLSearchParams(location.search);
const ROUNDS = Number(q.get('rounds') ?? 7);
const N = Number(q.get('n') ?? 512);
const BATCH = Number(q.get('batch') ?? 1);
const LIBS = (q.get('libs') ?? 'slope,tfjs,jax').split(',');
if (q.get('jaxDebug')) jax.setDebug(Number(q.get('jaxDebug')));
const SIZES = [784, 512, 256, 10];

/** Seeded uniform numbers in [-1, 1). */
function rand(n: number, seed: number): Float32Array {
  return new Rng(seed).uniform(n);
}

/** Weights scaled as PyTorch's default Linear initialization bound 1/√fan_in. */
function layers(seed: number): { w: Float32Array; b: Float32Array; fin: number; fout: number }[] {
  return SIZES.slice(1).map((fout, i) => {
    const fin = SIZES[i];
    const k = 1 / Math.sqrt(fin);
    return { w: rand(fin * fout, seed + 2 * i).map((v) => v * k), b: rand(fout, seed + 2 * i + 1).map((v) => v * k), fin, fout };
  });
}

/** Check some entries of C = A·B (n × n, row-major) against float64 sums. */
function checkProduct(lib: string, c: ArrayLike<number>, a: Float32Array, b: Float32Array, n: number): void {
  for (const [i, j] of [[0, 0], [n - 1, n - 1], [7, n >> 1], [n >> 1, 3]]) {
    let s = 0;
    for (let k = 0; k < n; k++) s += a[i * n + k] * b[k * n + j];
    if (!(Math.abs(c[i * n + j] - s) <= 1e-3 * (1 + Math.abs(s)))) throw new Error(`${lib}: C[${i}, ${j}] = ${c[i * n + j]}, expected ${s}`);
  }
}

/** One library's way to run a task: `call` enqueues work, `wait` returns when the device is done. */
interface Runner {
  lib: string;
  task: string;
  reps: number;
  call(): void | Promise<void>;
  wait(): Promise<void>;
  flops?: number;
}

// ---------------------------------------------------------------- slope

async function slopeRunners(variant?: string): Promise<Runner[]> {
  const engine = await slope.init(variant ? { variants: { matmul: variant } } : {});
  state.adapter = engine.adapter;
  const a = rand(N * N, 1);
  const b = rand(N * N, 2);
  const g = new slope.Graph();
  const va = new slope.Variable('A', [N, N]);
  const vb = new slope.Variable('B', [N, N]);
  const c = slope.matmul(g.variable(va), g.variable(vb));
  const mm = await engine.compile(g, { outputs: { c } });
  engine.write(va, a);
  engine.write(vb, b);
  await mm.run();
  checkProduct('slope', await mm.read('c'), a, b, N);

  slope.manualSeed(0);
  const init = layers(10);
  const mods = init.map((l) => new slope.Linear(l.fin, l.fout));
  const model = new slope.Sequential(mods[0], new slope.ReLU(), mods[1], new slope.ReLU(), mods[2]);
  const gs = new slope.Graph();
  const x = gs.input('x', [BATCH, SIZES[0]]);
  const y = gs.input('y', [BATCH], 'i32');
  const loss = slope.crossEntropy(model.forward(x), y);
  const params = model.parameters();
  const grads = slope.grad(loss, params.map((p) => gs.param(p)));
  const opt = new slope.Adam(params, { lr: 1e-3 });
  const step = await engine.compile(gs, { outputs: { loss }, gradients: params.map((p, i) => [p, grads[i]] as const), hooks: [opt] });
  mods.forEach((m, i) => {
    engine.write(m.weight, init[i].w);
    engine.write(m.bias!, init[i].b);
  });
  const xs = rand(BATCH * SIZES[0], 20);
  const ys = Int32Array.from({ length: BATCH }, (_, i) => i % 10);
  return [
    { lib: 'slope', task: `matmul ${N}³`, reps: 5, call: () => mm.run(), wait: () => engine.sync(), flops: 2 * N ** 3 },
    { lib: 'slope', task: `mlp step, batch ${BATCH}`, reps: 20, call: () => step.run({ x: xs, y: ys }), wait: () => engine.sync() },
  ];
}

// ---------------------------------------------------------------- TensorFlow.js

async function tfjsRunners(): Promise<Runner[]> {
  if (!(await tf.setBackend('webgpu'))) throw new Error('TensorFlow.js: the webgpu backend did not start');
  await tf.ready();
  const a = rand(N * N, 1);
  const b = rand(N * N, 2);
  const ta = tf.tensor2d(a, [N, N]);
  const tb = tf.tensor2d(b, [N, N]);
  let last: tf.Tensor | null = null;
  const mm = () => {
    last?.dispose();
    last = tf.matMul(ta, tb);
  };
  mm();
  checkProduct('TensorFlow.js', await last!.data(), a, b, N);
  const waitOn = async (t: () => tf.Tensor | null) => {
    const s = tf.tidy(() => tf.slice(t()!, [0, 0], [1, 1]));
    await s.data();
    s.dispose();
  };

  const init = layers(10);
  const vars = init.flatMap((l) => [tf.variable(tf.transpose(tf.tensor2d(l.w, [l.fout, l.fin]))), tf.variable(tf.tensor1d(l.b))]);
  const xs = tf.tensor2d(rand(BATCH * SIZES[0], 20), [BATCH, SIZES[0]]);
  const ys = tf.oneHot(tf.tensor1d(Int32Array.from({ length: BATCH }, (_, i) => i % 10), 'int32'), 10);
  const opt = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
  const forward = () => {
    let h: tf.Tensor = xs;
    for (let i = 0; i < 3; i++) {
      h = tf.add(tf.matMul(h, vars[2 * i]), vars[2 * i + 1]);
      if (i < 2) h = tf.relu(h);
    }
    return tf.losses.softmaxCrossEntropy(ys, h) as tf.Scalar;
  };
  const step = () => {
    opt.minimize(forward, false, vars as tf.Variable[]);
  };
  return [
    { lib: 'tfjs', task: `matmul ${N}³`, reps: 5, call: mm, wait: () => waitOn(() => last), flops: 2 * N ** 3 },
    { lib: 'tfjs', task: `mlp step, batch ${BATCH}`, reps: 20, call: step, wait: () => waitOn(() => vars[4]) },
  ];
}

// ---------------------------------------------------------------- jax-js

async function jaxRunners(): Promise<Runner[]> {
  const np = jax.numpy;
  const devices = await jax.init('webgpu');
  if (!devices.includes('webgpu')) throw new Error('jax-js: no webgpu device');
  jax.defaultDevice('webgpu');
  const a = rand(N * N, 1);
  const b = rand(N * N, 2);
  const ja = np.array(a).reshape([N, N]);
  const jb = np.array(b).reshape([N, N]);
  const matmul = jax.jit((p: jax.Array, q: jax.Array) => np.matmul(p, q));
  const first = matmul(ja.ref, jb.ref);
  checkProduct('jax-js', await first.data(), a, b, N);
  // jax-js evaluates lazily: every product of a round is kept until the round's wait, so that
  // none is skipped, then released.
  let pending: jax.Array[] = [];
  const mm = () => {
    pending.push(matmul(ja.ref, jb.ref));
  };
  const mmWait = async () => {
    await jax.blockUntilReady(pending);
    for (const x of pending) x.dispose();
    pending = [];
  };

  type Params = { w: jax.Array[]; b: jax.Array[] };
  const init = layers(10);
  let params: Params = {
    w: init.map((l) => np.array(l.w).reshape([l.fout, l.fin]).transpose()),
    b: init.map((l) => np.array(l.b)),
  };
  const zeros = (): Params => ({ w: init.map((l) => np.zeros([l.fin, l.fout])), b: init.map((l) => np.zeros([l.fout])) });
  let m = zeros();
  let v = zeros();
  const xs = np.array(rand(BATCH * SIZES[0], 20)).reshape([BATCH, SIZES[0]]);
  const ys = jax.nn.oneHot(np.array(Int32Array.from({ length: BATCH }, (_, i) => i % 10), { dtype: np.int32 }), 10);
  const lossFn = (p: Params, x: jax.Array, y: jax.Array): jax.Array => {
    let h = x;
    for (let i = 0; i < 3; i++) {
      h = np.matmul(h, p.w[i]).add(p.b[i]);
      if (i < 2) h = jax.nn.relu(h);
    }
    return jax.nn.logSoftmax(h).mul(y).sum().mul(-1 / BATCH);
  };
  const b1 = 0.9, b2 = 0.999, lr = 1e-3, eps = 1e-8;
  // One jitted Adam step; sc = lr/(1 − β1^t) and rc = 1/√(1 − β2^t) come from the host.
  const update = jax.jit((p: Params, mp: Params, vp: Params, x: jax.Array, y: jax.Array, sc: jax.Array, rc: jax.Array) => {
    const [loss, g] = jax.valueAndGrad(lossFn)(jax.tree.ref(p), x, y) as [jax.Array, Params];
    const step = (pi: jax.Array, mi: jax.Array, vi: jax.Array, gi: jax.Array) => {
      const m2 = mi.mul(b1).add(gi.ref.mul(1 - b1));
      const v2 = vi.mul(b2).add(gi.ref.mul(gi).mul(1 - b2));
      const p2 = pi.sub(m2.ref.mul(sc.ref).div(np.sqrt(v2.ref).mul(rc.ref).add(eps)));
      return [p2, m2, v2] as const;
    };
    const res = { w: [] as (readonly [jax.Array, jax.Array, jax.Array])[], b: [] as (readonly [jax.Array, jax.Array, jax.Array])[] };
    for (const k of ['w', 'b'] as const) for (let i = 0; i < 3; i++) res[k].push(step(p[k][i], mp[k][i], vp[k][i], g[k][i]));
    sc.dispose();
    rc.dispose();
    const pick = (j: 0 | 1 | 2): Params => ({ w: res.w.map((t) => t[j]), b: res.b.map((t) => t[j]) });
    return { p: pick(0), m: pick(1), v: pick(2), loss };
  });
  let t = 0;
  let lastLoss: jax.Array | null = null;
  const step = () => {
    t++;
    const r = update(params, m, v, xs.ref, ys.ref, np.array([lr / (1 - b1 ** t)]), np.array([1 / Math.sqrt(1 - b2 ** t)]));
    params = r.p;
    m = r.m;
    v = r.v;
    lastLoss?.dispose();
    lastLoss = r.loss;
  };
  return [
    { lib: 'jax', task: `matmul ${N}³`, reps: 5, call: mm, wait: mmWait, flops: 2 * N ** 3 },
    { lib: 'jax', task: `mlp step, batch ${BATCH}`, reps: 20, call: step, wait: async () => { await jax.blockUntilReady(params); } },
  ];
}

// ---------------------------------------------------------------- timing

async function timeRound(r: Runner): Promise<number> {
  await r.wait();
  const t0 = performance.now();
  for (let i = 0; i < r.reps; i++) await r.call();
  await r.wait();
  return (performance.now() - t0) / r.reps;
}

async function main(): Promise<void> {
  const runners: Runner[] = [];
  const makers: Record<string, () => Promise<Runner[]>> = { slope: () => slopeRunners(), tfjs: tfjsRunners, jax: jaxRunners };
  for (const lib of LIBS) {
    try {
      const m = /^slope:(\w+)$/.exec(lib);
      const rs = m ? (await slopeRunners(m[1])).map((r) => ({ ...r, lib })) : await makers[lib]();
      for (const r of rs) {
        await r.call();
        await r.call();
        await r.wait();
      }
      runners.push(...rs);
      say(`${lib}: ready`);
    } catch (e) {
      const msg = `${lib}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`;
      state.errors.push(msg);
      say(msg);
    }
  }
  const runs = new Map<Runner, number[]>(runners.map((r) => [r, []]));
  for (let k = 0; k < ROUNDS; k++) {
    for (const r of runners) runs.get(r)!.push(await timeRound(r));
    say(`round ${k + 1}/${ROUNDS}`);
  }
  for (const r of runners) {
    const ms = median(runs.get(r)!);
    const res: PeerResult = { lib: r.lib, task: r.task, ms, runs: runs.get(r)! };
    if (r.flops) res.gflops = r.flops / (ms * 1e6);
    state.results.push(res);
    say(`${r.lib.padEnd(6)} ${r.task.padEnd(20)} ${ms.toFixed(2)} ms${res.gflops ? `  ${res.gflops.toFixed(2)} GFLOP/s` : ''}`);
  }
}

main()
  .catch((e) => state.errors.push(`fatal: ${e instanceof Error ? e.stack ?? e.message : String(e)}`))
  .finally(() => { state.done = true; });
