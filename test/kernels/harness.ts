/**
 * Runs a family's case table under uvu, once per variant, each variant on its own engine with
 * the variant forced. GPU suites skip without an adapter; a variant the adapter cannot run
 * (sg without subgroups) is reported and skipped.
 */
import { suite } from 'uvu';
import type { Engine } from '../../src/node.js';
import { gpuOrSkip } from '../util/engine.js';
import { casesOf, VARIANTS, variantOptions, variantSupported } from '../cases/index.js';

export function runFamily(family: string): void {
  const cases = casesOf(family);
  if (!cases.length) throw new Error(`no cases for family '${family}'`);
  for (const variant of VARIANTS[family]) {
    const s = suite(`${family} [${variant}]`);
    let engine: Engine | null = null;
    let skip = false;
    s.before(async () => {
      engine = await gpuOrSkip(variantOptions(family, variant));
      if (engine && !variantSupported(engine, family, variant)) {
        console.log(`  skipped ${family} [${variant}]: not supported by ${engine.adapter}`);
        skip = true;
      }
    });
    s.after(() => engine?.dispose());
    for (const c of cases) {
      s(c.name, async () => {
        if (!engine || skip) return;
        const t0 = performance.now();
        await c.run(engine);
        if (process.env.CASE_TIMES) console.log(`  ${variant} ${c.name}: ${(performance.now() - t0).toFixed(0)} ms`);
        await engine.sync(); // surfaces any WebGPU error the case's work raised
      });
    }
    s.run();
  }
}
