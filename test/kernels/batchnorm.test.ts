/** The batch-norm state case table (test/cases/batchnorm.ts) on the GPU. */
import { runFamily } from './harness.js';

runFamily('batchnorm');
