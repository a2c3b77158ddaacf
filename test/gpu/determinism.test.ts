/**
 * Determinism: the same kernel on the same inputs twice (prepared afresh each time) gives
 * bit-identical outputs, for every matmul variant and for the reductions.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { gpuOrSkip } from '../util/engine.js';
import { Rng } from '../util/rng.js';
import { runOp, type OpInput } from '../util/runop.js';
import { VARIANTS, variantSupported } from '../cases/index.js';

function bits(a: ArrayLike<number>): Uint32Array {
  return new Uint32Array(Float32Array.from(a).buffer);
}

async function twice(family: string, variant: string, op: string, inputs: OpInput[], out: number[][], attrs: Record<string, unknown>) {
  const e = await gpuOrSkip({ variants: { [family]: variant } });
  if (!e) return;
  try {
    if (!variantSupported(e, family, variant)) return;
    const [a] = await runOp(e, op, inputs, out, attrs);
    const [b] = await runOp(e, op, inputs, out, attrs);
    assert.equal(bits(a), bits(b), `${family} [${variant}] ${op}: two runs differ`);
  } finally {
    e.dispose();
  }
}

test('matmul, every variant', async () => {
  const r = new Rng(1);
  const ins = [{ data: r.normal(257 * 129), shape: [257, 129] }, { data: r.normal(129 * 65), shape: [129, 65] }];
  for (const v of VARIANTS.matmul) await twice('matmul', v, 'matmul', ins, [[257, 65]], { transA: false, transB: false, bias: false, act: 'none' });
});

test('reductions, softmax and cross-entropy, every variant', async () => {
  const r = new Rng(2);
  const x = { data: r.normal(5 * 3001), shape: [5, 3001] };
  for (const v of VARIANTS.reduce) await twice('reduce', v, 'reduce', [x], [[5]], { kind: 'sum', axis: 1, keepdims: false });
  for (const v of VARIANTS.softmax) await twice('softmax', v, 'log_softmax', [x], [[5, 3001]], {});
  const t = { data: r.ints(5, 3001), shape: [5] };
  for (const v of VARIANTS.cross_entropy) await twice('cross_entropy', v, 'cross_entropy', [x, t], [[]], { reduction: 'mean', smoothing: 0.1 });
});

test.run();
