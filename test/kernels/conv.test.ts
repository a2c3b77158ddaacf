/** The conv case table (test/cases/conv.ts) on the GPU, once per variant. */
import { runFamily } from './harness.js';

runFamily('conv');
