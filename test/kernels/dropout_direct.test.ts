/**
 * dropout.wgsl dispatched directly (test/kernels/direct.ts) against src/ref/dropout.ts: the
 * device draws the same Philox bits, so every keep/drop decision must match exactly, and kept
 * values equal x · scale to one rounding. Sizes not multiples of 4 (a partial last block),
 * several seeds (above 2³²), steps and streams, p = 1.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Engine } from '../../src/index.js';
import { nodeGpu } from '../../src/gpu/node.js';
import * as dr from '../../src/ref/dropout.js';
import { dropoutLaunch } from '../../src/kernels/dropout.js';
import { expectClose } from '../util/close.js';
import { gpu, gpuTest } from '../util/suite.js';
import { Rng } from '../util/rng.js';
import { TOL } from '../tolerances.js';
import { Direct } from './direct.js';

let engine: Engine | null = null;
const open = async () => (engine ??= await gpu({ gpu: nodeGpu(['enable-dawn-features=disable_robustness']) }));
test.after(() => engine?.dispose());

gpuTest('the device draws the reference mask bit for bit', async () => {
  const d = new Direct(await open());
  try {
    const r = new Rng(31);
    const runs: [number, dr.DropoutArgs][] = [
      [1, { p: 0.5, seed: 0, step: 0 }],
      [7, { p: 0.3, seed: 1, step: 1 }],
      [1001, { p: 0.1, seed: 2 ** 40 + 12345, step: 77, stream: 3 }],
      [65_539, { p: 0.5, seed: 123456789, step: 4_000_000_000, stream: 1 }],
      [300, { p: 0.9, seed: 9, step: 2 }],
      [13, { p: 1, seed: 9, step: 2 }],
    ];
    for (const [n, a] of runs) {
      const x = r.uniform(n, 0.5, 2); // away from 0, so a zero output means dropped
      const want = new Float64Array(n);
      dr.dropout(want, x, a);
      const [xv, yv] = [await d.buffer('x', x), await d.buffer('y', n)];
      await d.run([dropoutLaunch(xv, yv, a)]);
      const got = await d.read(yv);
      const label = `n=${n} ${JSON.stringify(a)}`;
      for (let i = 0; i < n; i++) assert.is(got[i] === 0, want[i] === 0, `${label}: element ${i} ${got[i] === 0 ? 'dropped' : 'kept'} on the device`);
      expectClose(got, want, TOL.elementwise, label);
      d.free();
    }
  } finally {
    d.free();
  }
});

test.run();
