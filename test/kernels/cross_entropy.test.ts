/** The cross_entropy case table (test/cases/cross_entropy.ts) on the GPU, once per variant. */
import { runFamily } from './harness.js';

runFamily('cross_entropy');
