/**
 * Runs a family's case table under uvu, once per variant, each variant on its own engine with
 * the variant forced. Without an adapter every case is a reported skip; so is every case of a
 * variant the adapter cannot run (sg without subgroups), with what it lacks.
 *
 * The engines run with Dawn's robustness transform turned off (the kernels must never rely on
 * WGSL's bounds clamping), so that on a GPU an out-of-bounds write lands in runOp's canaries and
 * fails the case instead of being clamped where no test sees it. (lavapipe still dropped such a
 * write with the transform off — the driver checks bounds itself — so on the software adapter
 * the canaries guard only what the driver lets through. The browser suite runs the same table
 * with robustness on, as browsers do.)
 */
import { nodeGpu } from '../../src/gpu/node.js';
import { casesOf, VARIANTS, variantOptions, variantUnsupported } from '../cases/index.js';
import { engineSuite, lacks } from '../util/suite.js';

export function runFamily(family: string): void {
  const cases = casesOf(family);
  if (!cases.length) throw new Error(`no cases for family '${family}'`);
  for (const variant of VARIANTS[family]) {
    const s = engineSuite(`${family} [${variant}]`, 'webgpu',
      () => ({ ...variantOptions(family, variant), gpu: nodeGpu(['enable-dawn-features=disable_robustness']) }),
      lacks((p) => variantUnsupported(p.limits, family, variant)));
    for (const c of cases) {
      s(c.name, async (engine) => {
        const t0 = performance.now();
        await c.run(engine);
        if (process.env.CASE_TIMES) console.log(`  ${variant} ${c.name}: ${(performance.now() - t0).toFixed(0)} ms`);
        await engine.sync(); // surfaces any WebGPU error the case's work raised
      });
    }
    s.run();
  }
}
