/** Backward rule of matmul (graphs hold plain matmuls: the epilogue exists only after planning). */
import { matmul } from '../ops/matmul.js';
import { sum } from '../ops/reduce.js';
import type { VjpTable } from './types.js';

export const MATMUL_VJPS = {
  matmul(out, g) {
    if (out.attrs.bias || out.attrs.act !== 'none') throw new Error('fused matmul nodes exist only after compilation');
    const [a, b] = out.inputs;
    const { transA: tA, transB: tB } = out.attrs;
    let ga = tA ? matmul(b, g, { transA: tB, transB: true }) : matmul(g, b, { transB: !tB });
    let gb = tB ? matmul(g, a, { transA: true, transB: tA }) : matmul(a, g, { transA: !tA });
    // A rank-2 operand shared across a batch receives the sum of its per-batch gradients.
    if (a.rank === 2 && ga.rank === 3) ga = sum(ga, 0);
    if (b.rank === 2 && gb.rank === 3) gb = sum(gb, 0);
    return [ga, gb];
  },
} satisfies Partial<VjpTable>;
