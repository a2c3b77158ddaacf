/** The normalization case table (test/cases/norm.ts) on the GPU, once per variant (naive, lanes, wg). */
import { runFamily } from './harness.js';

runFamily('norm');
