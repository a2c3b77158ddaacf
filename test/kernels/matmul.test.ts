/** The matmul case table (test/cases/matmul.ts) on the GPU, once per variant. */
import { runFamily } from './harness.js';

runFamily('matmul');
