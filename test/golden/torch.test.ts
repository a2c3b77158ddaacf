/** PyTorch's golden values (test/golden/torch_cases.ts) on the cpu backend and on the GPU. */
import { cases } from './torch_cases.js';
import { engineSuite } from '../util/suite.js';

for (const backend of ['cpu', 'webgpu'] as const) {
  const s = engineSuite(`torch [${backend}]`, backend);
  for (const c of cases) s(c.name, async (engine) => { await c.run(engine); await engine.sync(); });
  s.run();
}
