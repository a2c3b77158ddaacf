/** The softmax case table (test/cases/softmax.ts) on the GPU, once per variant. */
import { runFamily } from './harness.js';

runFamily('softmax');
