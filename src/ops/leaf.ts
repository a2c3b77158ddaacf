/** The graph's leaves: storage the planner places, no computation, no kernel. */
import { defineOp, type NoAttrs } from './schema.js';

const leaf = <const N extends string>(name: N) => defineOp<N, NoAttrs,
  'leaf'>({ name, kind: 'leaf', family: 'leaf', infer: null });

/** Fed at each run under a name. */
export const input = leaf('input');
/** A trainable tensor living on the device across steps. */
export const param = leaf('param');
/** A persistent, non-trainable tensor (running statistics, metric accumulators). */
export const variable = leaf('variable');
/** Data uploaded once at compile. */
export const constant = leaf('const');

export const LEAF_OPS = { input, param, variable, const: constant };
