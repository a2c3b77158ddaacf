/** The gather and gather_bytes case table (test/cases/gather.ts) on the GPU. */
import { runFamily } from './harness.js';

runFamily('gather');
