/** The GPU lowering of every op a backend runs, checked exhaustive by type (LoweringTable). */
import { ELEMENTWISE_LOWERINGS } from './elementwise.js';
import { REDUCE_LOWERINGS } from './reduce.js';
import { MATMUL_LOWERINGS } from './matmul.js';
import { SOFTMAX_LOWERINGS } from './softmax.js';
import { CROSS_ENTROPY_LOWERINGS } from './cross_entropy.js';
import { OPTIM_LOWERINGS } from './optim.js';
import { NORM_LOWERINGS } from './norm.js';
import { BATCHNORM_LOWERINGS } from './batchnorm.js';
import { GATHER_LOWERINGS } from './gather.js';
import { METRICS_LOWERINGS } from './metrics.js';
import { CONV_LOWERINGS } from './conv.js';
import { POOL_LOWERINGS } from './pool.js';
import { DROPOUT_LOWERINGS } from './dropout.js';
import type { LoweringTable } from './spec.js';

export const LOWERINGS = {
  ...ELEMENTWISE_LOWERINGS, ...REDUCE_LOWERINGS, ...MATMUL_LOWERINGS, ...SOFTMAX_LOWERINGS, ...CROSS_ENTROPY_LOWERINGS,
  ...OPTIM_LOWERINGS, ...NORM_LOWERINGS, ...BATCHNORM_LOWERINGS, ...GATHER_LOWERINGS, ...METRICS_LOWERINGS,
  ...CONV_LOWERINGS, ...POOL_LOWERINGS, ...DROPOUT_LOWERINGS,
} satisfies LoweringTable;
