/** Weight and spectral normalization of a Linear, and a Hessian-vector product through a BN network. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpu, slope } from '../util/engine.js';
import { BACKENDS, engineOn, testOn } from '../util/suite.js';
import { Rng } from '../util/rng.js';
import { expectClose } from '../util/close.js';
import { TOL } from '../tolerances.js';
import { f64, gradcheck, hvpcheck, project } from './util.js';

const { Graph, nn } = slope;

test('weightNorm: starts at the Linear\'s weight; gradients w.r.t. g, v, bias match finite differences', async () => {
  const e = await cpu();
  try {
    for (const dim of [0, 1, null] as const) {
      slope.manualSeed(3);
      const lin = new nn.Linear(5, 4);
      const w0 = Float64Array.from(lin.weight.data);
      const wn = nn.weightNorm(lin, { dim });
      const g = new Graph();
      const W = wn.weight(g);
      const p = await e.compile(g, { outputs: { W } });
      await p.run();
      expectClose(await p.read('W'), w0, TOL.elementwise, `dim ${dim}: initial weight`);
      const rng = new Rng(7);
      const g2 = new Graph();
      const x = g2.input('x', [3, 5]);
      const loss = project(slope.tanh(wn.forward(x)), rng);
      const wrt: Record<string, { tensor: slope.Tensor; param: slope.Parameter; data: Float64Array }> = {};
      for (const [n, par] of wn.namedParameters()) wrt[n] = { tensor: g2.param(par), param: par, data: f64(rng.normal(par.size)).map((v) => v + 1) };
      const prog = await e.compile(g2, { outputs: { loss } });
      prog.dispose();
      await gradcheck(e, loss, { ...wrt, x: { tensor: x, data: f64(rng.normal(15)) } }, `weightNorm dim ${dim}`);
    }
  } finally {
    e.dispose();
  }
});

for (const backend of BACKENDS) {
  testOn(backend)(`spectralNorm: u, v follow the power iteration step by step; eval gradients match finite differences (${backend})`, async () => {
    const e = await engineOn(backend);
    try {
      slope.manualSeed(4);
      const [O, I] = [6, 4];
      const sn = nn.spectralNorm(new nn.Linear(I, O));
      const W = Float64Array.from(sn.original.data);
      let u = Float64Array.from(sn.u.data), v = Float64Array.from(sn.v.data);
      const g = new Graph();
      const x = g.input('x', [2, I]);
      const prog = await e.compile(g, { outputs: { y: sn.forward(x) } });
      const nrm = (a: Float64Array) => { const s = Math.sqrt(a.reduce((t, z) => t + z * z, 0)); return a.map((z) => z / s); };
      const xs = new Rng(9).normal(2 * I);
      for (let k = 0; k < 4; k++) {
        await prog.run({ x: xs });
        u = nrm(Float64Array.from({ length: O }, (_, i) => W.slice(i * I, i * I + I).reduce((s, w, j) => s + w * v[j], 0)));
        v = nrm(Float64Array.from({ length: I }, (_, j) => u.reduce((s, ui, i) => s + ui * W[i * I + j], 0)));
      }
      expectClose(await e.read(sn.u), u, TOL.transcendental, `${e.kind} u`);
      expectClose(await e.read(sn.v), v, TOL.transcendental, `${e.kind} v`);
      let sigma = 0;
      for (let i = 0; i < O; i++) for (let j = 0; j < I; j++) sigma += u[i] * W[i * I + j] * v[j];
      const b = sn.bias!.data;
      const want = Float64Array.from({ length: 2 * O }, (_, k) => {
        const n = Math.floor(k / O), o = k % O;
        let s = b[o];
        for (let j = 0; j < I; j++) s += (xs[n * I + j] * W[o * I + j]) / sigma;
        return s;
      });
      expectClose(await prog.read('y'), want, TOL.matmul, `${e.kind} output uses W/σ`);
      if (e.kind === 'cpu') {
        sn.eval();
        const ge = new Graph();
        const xe = ge.input('x', [3, I]);
        const rng = new Rng(10);
        const loss = project(sn.forward(xe), rng);
        await gradcheck(e, loss, {
          W: { tensor: ge.param(sn.original), param: sn.original, data: f64(W) },
          x: { tensor: xe, data: f64(rng.normal(3 * I)) },
        }, 'spectralNorm (eval)');
        sn.train();
      }
    } finally {
      e.dispose();
    }
  });
}

test('spectralNorm refuses nPowerIterations below 1', () => {
  assert.throws(() => nn.spectralNorm(new nn.Linear(2, 2), { nPowerIterations: 0 }), /nPowerIterations/);
});

test('Hessian-vector product through a BatchNorm network in training mode', async () => {
  const e = await cpu();
  try {
    slope.manualSeed(12);
    const model = new nn.Sequential(new nn.Linear(4, 6), new nn.BatchNorm1d(6), new nn.Tanh(), new nn.Linear(6, 3), new nn.LayerNorm(3), new nn.Sigmoid());
    const g = new Graph();
    const x = g.input('x', [5, 4]);
    const rng = new Rng(13);
    await hvpcheck(e, project(model.forward(x), rng), x, 'x', f64(rng.normal(20)), {}, 'Linear-BN-tanh-Linear-LN-sigmoid');
  } finally {
    e.dispose();
  }
});

test.run();
