/** The fused optimizer case table (test/cases/optim.ts) on the GPU. */
import { runFamily } from './harness.js';

runFamily('optim');
