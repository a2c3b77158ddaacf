/**
 * Engines for tests. GPU suites call gpuOrSkip(): without an adapter they print why and skip,
 * instead of failing (CI always has the software adapter, so there they run).
 */
import * as slope from '../../src/node.js';

let warned = false;
export async function gpuOrSkip(opts: slope.InitOptions = {}): Promise<slope.Engine | null> {
  try {
    return await slope.init({ backend: 'webgpu', ...opts });
  } catch (e) {
    if (e instanceof slope.NoAdapterError) {
      if (!warned) console.log(`  skipped: no WebGPU adapter (${e.message.slice(0, 80)}…)`);
      warned = true;
      return null;
    }
    throw e;
  }
}

export function cpu(): Promise<slope.Engine> {
  return slope.init({ backend: 'cpu' });
}

export { slope };
