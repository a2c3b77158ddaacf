/** The normalization case table (test/cases/norm.ts) on the GPU, once per variant (naive, wg). */
import { runFamily } from './harness.js';

runFamily('norm');
