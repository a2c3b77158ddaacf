/**
 * C[b] = act(op(A[b]) · op(B[b]) + bias), op ∈ {identity, transpose}.
 * A is (M, K) or (K, M) when transposed; B is (K, N) or (N, K); a rank-2 operand is shared by
 * every batch (batchA / batchB false). Accumulates in f64.
 */
import { unaryValue } from './elementwise.js';
import type { In, Out } from './util.js';

export interface MatmulRefArgs {
  M: number; N: number; K: number; batch: number;
  transA: boolean; transB: boolean; batchA: boolean; batchB: boolean;
  bias?: In | null; act?: string; alpha?: number; beta?: number;
}

export function matmul(out: Out, a: In, b: In, p: MatmulRefArgs): void {
  const { M, N, K, batch, transA, transB } = p;
  for (let z = 0; z < batch; z++) {
    const ao = p.batchA ? z * M * K : 0;
    const bo = p.batchB ? z * K * N : 0;
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let acc = 0;
        for (let k = 0; k < K; k++) {
          const av = a[ao + (transA ? k * M + m : m * K + k)];
          const bv = b[bo + (transB ? n * K + k : k * N + n)];
          acc += av * bv;
        }
        if (p.bias) acc += p.bias[n];
        if (p.act && p.act !== 'none') acc = unaryValue(p.act, acc, p.alpha, p.beta);
        out[z * M * N + m * N + n] = acc;
      }
    }
  }
}
