/** The backward-rule table: every differentiable op's vector-Jacobian product, checked exhaustive by type. */
import { ELEMENTWISE_VJPS } from './elementwise.js';
import { REDUCE_VJPS } from './reduce.js';
import { MATMUL_VJPS } from './matmul.js';
import { SOFTMAX_VJPS } from './softmax.js';
import { LOSS_VJPS } from './loss.js';
import { NORM_VJPS } from './norm.js';
import { DATA_VJPS } from './data.js';
import { CONV_VJPS } from './conv.js';
import type { VjpTable } from './types.js';

export const VJPS = {
  ...ELEMENTWISE_VJPS, ...REDUCE_VJPS, ...MATMUL_VJPS, ...SOFTMAX_VJPS, ...LOSS_VJPS, ...NORM_VJPS, ...DATA_VJPS,
    ...CONV_VJPS,
} satisfies VjpTable;

export type { Vjp, VjpTable } from './types.js';
