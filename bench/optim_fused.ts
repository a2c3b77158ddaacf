/**
 * What fusing buys: one Adam update dispatch over the whole parameter arena against one
 * dispatch per tensor (one optimizer per parameter, the unfused layout), for K tensors of
 * `size` elements. Reports ms per update: the optimizers' prepared ops alone, submitted n times
 * (one submission each) and synced, after checking once that both layouts give the same
 * parameters.
 * Usage: node dist/bench/optim_fused.js [--backend cpu]
 */
import { engineFromArgs, slope } from './optim_common.js';

const { Graph, Parameter, grad, mul, sum, add, Adam, table } = slope;

async function program(engine: slope.Engine, ps: slope.Parameter[], hooks: slope.StepHook[]) {
  const g = new Graph();
  let loss: slope.Tensor | null = null;
  ps.forEach((p, i) => {
    const term = sum(mul(g.param(p), g.constant(new Float32Array(p.size).fill(0.01 * (i + 1)), p.shape)));
    loss = loss ? add(loss, term) : term;
  });
  const gs = grad(loss!, ps.map((p) => g.param(p)));
  return engine.compile(g, { outputs: { loss: loss! }, gradients: ps.map((p, i) => [p, gs[i]] as const), hooks });
}

async function msPerUpdate(engine: slope.Engine, opts: slope.Optimizer[], n: number): Promise<number> {
  const ops = opts.flatMap((o) => o.ops);
  const go = () => engine.backend.execute(ops);
  for (let i = 0; i < 3; i++) await go();
  await engine.sync();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await go();
  await engine.sync();
  return (performance.now() - t0) / n;
}

const engine = await engineFromArgs();
const rows: (string | number)[][] = [];
let uid = 0;
for (const [K, size] of [[4, 4096], [16, 1024], [64, 256], [128, 128]]) {
  const mk = () => Array.from({ length: K }, (_, i) => new Parameter(`b${uid++}.${i}`, [size], 0.5));
  const pf = mk();
  const pt = mk();
  const fo = [new Adam(pf, { lr: 1e-3 })];
  const so = pt.map((p) => new Adam([p], { lr: 1e-3 }));
  const fused = await program(engine, pf, fo);
  const split = await program(engine, pt, so);
  await fused.run();
  await split.run();
  const a = await engine.read(pf[K - 1]);
  const b = await engine.read(pt[K - 1]);
  if (a.some((v, i) => v !== b[i])) throw new Error('fused and per-tensor updates disagree');
  const n = 200;
  const f = await msPerUpdate(engine, fo, n);
  const s = await msPerUpdate(engine, so, n);
  rows.push([K, size, K * size, f.toFixed(3), s.toFixed(3), (s / f).toFixed(1)]);
  fused.dispose();
  split.dispose();
}
console.log(`\nAdam update, ms per step (${engine.kind}: ${engine.adapter})\n`);
console.log(table(['tensors', 'elements each', 'total', 'fused (1 dispatch)', 'per tensor (K dispatches)', 'ratio'], rows));
engine.dispose();
