/** The metrics case table (test/cases/metrics.ts) on the GPU. */
import { runFamily } from './harness.js';

runFamily('metrics');
