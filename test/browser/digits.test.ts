/**
 * The page's data: the digit files that scripts/serve.mjs serves, read and split with the page's
 * own code (web/digits.ts, the library's IDX reader), are the Node loader's built-in digits with
 * the same split — the same labels in the same order, pixels within the package's rounding.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadBuiltinDigits } from '../../src/node.js';
import { loadDigits, splitBuiltin } from '../../web/digits.js';
import { startServer } from './harness.js';

test('served digits = the built-in digits, same split, same order', async () => {
  const server = await startServer();
  try {
    const all = await loadDigits(server.url);
    assert.equal(all.length, 10_000);
    assert.equal([...all.sampleShape], [1, 28, 28]);
    assert.ok(all.bytes, 'the digits should stay bytes (packed on the device)');
    const page = splitBuiltin(all);
    const node = await loadBuiltinDigits();
    for (const k of ['train', 'test'] as const) {
      const a = page[k], b = node[k];
      assert.is(a.length, b.length, `${k} length`);
      assert.is(a.name, b.name, `${k} name`);
      assert.equal(Array.from(a.y), Array.from(b.y), `${k} labels`);
      const xa = a.x, xb = b.x;
      let worst = 0;
      for (let i = 0; i < xb.length; i++) worst = Math.max(worst, Math.abs(xa[i] - xb[i]));
      // The package rounds k/255 to 3 decimals; the files hold k.
      assert.ok(worst <= 5e-4 + 1e-7, `${k} pixels differ by up to ${worst}`);
    }
    assert.is(page.train.length, 8004);
  } finally {
    server.stop();
  }
});

test.run();
