/**
 * Determinism: the same kernel on the same inputs twice (prepared afresh each time) gives
 * bit-identical outputs, for every matmul variant and for the reductions.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { gpu, lacks, testOn } from '../util/suite.js';
import { Rng } from '../util/rng.js';
import { runOp, type OpInput } from '../util/runop.js';
import { VARIANTS, variantUnsupported } from '../cases/index.js';

function bits(a: ArrayLike<number>): Uint32Array {
  return new Uint32Array(Float32Array.from(a).buffer);
}

async function twice(family: string, variant: string, op: string, inputs: OpInput[], out: number[][], attrs: Record<string, unknown>) {
  const e = await gpu({ variants: { [family]: variant } });
  try {
    const [a] = await runOp(e, op, inputs, out, attrs);
    const [b] = await runOp(e, op, inputs, out, attrs);
    assert.equal(bits(a), bits(b), `${family} [${variant}] ${op}: two runs differ`);
  } finally {
    e.dispose();
  }
}

/** One test per variant; a variant the adapter cannot run is a reported skip. */
const onVariant = (family: string, v: string) => testOn('webgpu', test, lacks((p) => variantUnsupported(p.limits, family, v)));

const r = new Rng(1);
const ins = [{ data: r.normal(257 * 129), shape: [257, 129] }, { data: r.normal(129 * 65), shape: [129, 65] }];
for (const v of VARIANTS.matmul) {
  onVariant('matmul', v)(`matmul [${v}]`, () => twice('matmul', v, 'matmul', ins, [[257, 65]], { transA: false, transB: false, bias: false, act: 'none', alpha: 0, beta: 0 }));
}

const r2 = new Rng(2);
const x = { data: r2.normal(5 * 3001), shape: [5, 3001] };
const t = { data: r2.ints(5, 3001), shape: [5] };
for (const v of VARIANTS.reduce) onVariant('reduce', v)(`reduce [${v}]`, () => twice('reduce', v, 'reduce', [x], [[5]], { kind: 'sum', axis: 1, keepdims: false }));
for (const v of VARIANTS.softmax) onVariant('softmax', v)(`log_softmax [${v}]`, () => twice('softmax', v, 'log_softmax', [x], [[5, 3001]], {}));
for (const v of VARIANTS.cross_entropy) {
  onVariant('cross_entropy', v)(`cross_entropy [${v}]`, () => twice('cross_entropy', v, 'cross_entropy', [x, t], [[]], { reduction: 'mean', smoothing: 0.1 }));
}

test.run();
