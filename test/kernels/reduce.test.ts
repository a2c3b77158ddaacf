/** The reduce case table (test/cases/reduce.ts) on the GPU, once per variant. */
import { runFamily } from './harness.js';

runFamily('reduce');
