/** The elementwise case table (test/cases/elementwise.ts) on the GPU, once per variant. */
import { runFamily } from './harness.js';

runFamily('elementwise');
