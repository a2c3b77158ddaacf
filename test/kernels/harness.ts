/**
 * Runs a family's case table under uvu, once per variant, each variant on its own engine with
 * the variant forced. GPU suites skip without an adapter; a variant the adapter cannot run
 * (sg without subgroups) is reported and skipped.
 *
 * The engines run with Dawn's robustness transform turned off (RELIABILITY.md: never rely on
 * WGSL robustness), so that on a GPU an out-of-bounds write lands in runOp's canaries and fails
 * the case instead of being clamped where no test sees it. (lavapipe still dropped such a write
 * with the transform off — the driver checks bounds itself — so on the software adapter the
 * canaries guard only what the driver lets through. The browser suite runs the same table with
 * robustness on, as browsers do.)
 */
import { suite } from 'uvu';
import type { Engine } from '../../src/node.js';
import { gpuOrSkip } from '../util/engine.js';
import { nodeGpu } from '../../src/gpu/node.js';
import { casesOf, VARIANTS, variantOptions, variantSupported } from '../cases/index.js';

export function runFamily(family: string): void {
  const cases = casesOf(family);
  if (!cases.length) throw new Error(`no cases for family '${family}'`);
  for (const variant of VARIANTS[family]) {
    const s = suite(`${family} [${variant}]`);
    let engine: Engine | null = null;
    let skip = false;
    s.before(async () => {
      engine = await gpuOrSkip({ ...variantOptions(family, variant), gpu: nodeGpu(['enable-dawn-features=disable_robustness']) });
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
