/**
 * Cross-entropy fused with log-softmax (class labels or probability targets, label smoothing,
 * mean/sum/none) and MSE, forward and backward, against the float64 reference; logits of ±1000
 * and 100 must give finite, correct losses and gradients.
 */
import { TOL } from '../tolerances.js';
import type { Rng } from '../util/rng.js';
import { checkOp, f32, i32, kcase, numel, reference } from './common.js';
import type { OpInput } from '../util/runop.js';
import { EXTREME_ROWS, logits } from './softmax.js';
import type { KernelCase } from './types.js';

const F = 'cross_entropy';
const SHAPES = [[1, 1], [1, 7], [7, 10], [65, 257], [3, 1000], [300, 10]];
const REDUCTIONS = ['mean', 'sum', 'none'] as const;

/** Probability targets: softmax rows of random logits (each row sums to 1). */
async function probs(r: Rng, N: number, C: number): Promise<Float32Array> {
  const [p] = await reference('softmax', [f32([N, C], r.normal(N * C, 2))], [[N, C]]);
  return Float32Array.from(p);
}

async function targets(r: Rng, N: number, C: number, labels: boolean): Promise<OpInput> {
  return labels ? i32([N], r.ints(N, C)) : f32([N, C], await probs(r, N, C));
}

const lossShape = (red: string, N: number) => (red === 'none' ? [N] : []);

function ceCases(labels: boolean): KernelCase[] {
  const kind = labels ? 'labels' : 'probabilities';
  return [
    kcase(F, `forward, ${kind}`, async (e, r) => {
      for (const [N, C] of SHAPES) {
        for (const reduction of REDUCTIONS) {
          const smoothing = reduction === 'sum' ? 0.1 : 0;
          const inputs = [f32([N, C], logits(r, N * C)), await targets(r, N, C, labels)];
          await checkOp(e, { op: 'cross_entropy', inputs, outShapes: [lossShape(reduction, N)], attrs: { reduction, smoothing }, tol: TOL.crossEntropy, label: `CE ${kind} ${N}×${C} ${reduction} ε=${smoothing}` });
        }
      }
    }),
    kcase(F, `backward, ${kind}`, async (e, r) => {
      for (const [N, C] of SHAPES) {
        for (const reduction of REDUCTIONS) {
          const smoothing = reduction === 'mean' ? 0.2 : 0;
          const g = r.normal(reduction === 'none' ? N : 1);
          const inputs = [f32([N, C], logits(r, N * C)), await targets(r, N, C, labels), f32(lossShape(reduction, N), g)];
          await checkOp(e, { op: 'cross_entropy_backward', inputs, outShapes: [[N, C]], attrs: { reduction, smoothing }, tol: TOL.crossEntropy, label: `CE' ${kind} ${N}×${C} ${reduction} ε=${smoothing}` });
        }
      }
    }),
    kcase(F, `logits of ±1000 and 100, ${kind}`, async (e, r) => {
      const N = EXTREME_ROWS.length, C = 4;
      const z = f32([N, C], Float32Array.from(EXTREME_ROWS.flat()));
      // Labels on the smallest logit of each row: the largest finite losses.
      const t = labels ? i32([N], Int32Array.from(EXTREME_ROWS, (row) => row.indexOf(Math.min(...row)))) : await targets(r, N, C, false);
      for (const reduction of REDUCTIONS) {
        await checkOp(e, { op: 'cross_entropy', inputs: [z, t], outShapes: [lossShape(reduction, N)], attrs: { reduction, smoothing: 0.1 }, tol: TOL.crossEntropy, label: `CE extremes ${reduction}` });
        const g = f32(lossShape(reduction, N), r.normal(reduction === 'none' ? N : 1));
        await checkOp(e, { op: 'cross_entropy_backward', inputs: [z, t, g], outShapes: [[N, C]], attrs: { reduction, smoothing: 0.1 }, tol: TOL.crossEntropy, label: `CE' extremes ${reduction}` });
      }
    }),
  ];
}

const unnormalised: KernelCase = kcase(F, 'probability rows that do not sum to one (gradient softmax·Σt − t)', async (e, r) => {
  for (const [N, C] of [[7, 10], [3, 1000]]) {
    const t = f32([N, C], r.uniform(N * C, 0, 1));
    const z = f32([N, C], logits(r, N * C));
    await checkOp(e, { op: 'cross_entropy', inputs: [z, t], outShapes: [[N]], attrs: { reduction: 'none', smoothing: 0.1 }, tol: TOL.crossEntropy, label: `CE Σt≠1 ${N}×${C}` });
    await checkOp(e, { op: 'cross_entropy_backward', inputs: [z, t, f32([], r.normal(1))], outShapes: [[N, C]], attrs: { reduction: 'mean', smoothing: 0.1 }, tol: TOL.crossEntropy, label: `CE' Σt≠1 ${N}×${C}` });
  }
});

const MSE_SHAPES = [[1], [7], [63, 65], [257]];

const mseCases: KernelCase[] = [
  kcase(F, 'mse forward and backward', async (e, r) => {
    for (const s of MSE_SHAPES) {
      for (const reduction of REDUCTIONS) {
        const n = numel(s);
        const a = f32(s, r.normal(n)), b = f32(s, r.normal(n));
        const out = reduction === 'none' ? s : [];
        await checkOp(e, { op: 'mse', inputs: [a, b], outShapes: [out], attrs: { reduction }, tol: TOL.reduce, label: `mse ${s} ${reduction}` });
        const g = f32(out, r.normal(numel(out)));
        await checkOp(e, { op: 'mse_backward', inputs: [a, b, g], outShapes: [s], attrs: { reduction }, tol: TOL.elementwise, label: `mse' ${s} ${reduction}` });
      }
    }
  }),
];

export const cases: KernelCase[] = [...ceCases(true), ...ceCases(false), unnormalised, ...mseCases];
