/** The dropout case table (test/cases/dropout.ts) on the GPU. */
import { runFamily } from './harness.js';

runFamily('dropout');
