/** The pooling case table (test/cases/pool.ts) on the GPU. */
import { runFamily } from './harness.js';

runFamily('pool');
