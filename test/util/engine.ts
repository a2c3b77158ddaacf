/**
 * The library for tests, and the cpu engine. GPU engines come from test/util/suite.ts, which
 * registers a test that needs an adapter as a reported skip where there is none.
 */
import * as slope from '../../src/node.js';

export function cpu(opts: slope.InitOptions = {}): Promise<slope.Engine> {
  return slope.init({ ...opts, backend: 'cpu' });
}

export { slope };
