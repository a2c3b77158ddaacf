/**
 * The op table: every op by name, the types the typed maps are declared against, and the
 * fusion rules of every family.
 */
import { ELEMENTWISE_OPS, ACCUMULATE_RULE } from './elementwise.js';
import { REDUCE_OPS } from './reduce.js';
import { MATMUL_OPS, MATMUL_EPILOGUE_RULE } from './matmul.js';
import { SOFTMAX_OPS } from './softmax.js';
import { LOSS_OPS } from './loss.js';
import { NORM_OPS, NORM_FUSIONS } from './norm.js';
import { BATCHNORM_OPS, BN_UPDATE_RULE } from './batchnorm.js';
import { GATHER_OPS } from './gather.js';
import { METRICS_OPS } from './metrics.js';
import { LEAF_OPS } from './leaf.js';
import { OPTIM_OPS } from './optim.js';
import { CONV_OPS } from './conv.js';
import { POOL_OPS } from './pool.js';
import { DROPOUT_OPS } from './dropout.js';
import type { AssignRule, FusionRule } from './fusion.js';
import type { OpKind, OpSchema } from './schema.js';

export const OPS = {
  ...LEAF_OPS, ...ELEMENTWISE_OPS, ...REDUCE_OPS, ...MATMUL_OPS, ...SOFTMAX_OPS, ...LOSS_OPS, ...NORM_OPS,
  ...BATCHNORM_OPS, ...GATHER_OPS, ...METRICS_OPS, ...OPTIM_OPS, ...CONV_OPS, ...POOL_OPS, ...DROPOUT_OPS,
};

type Ops = typeof OPS;
export type OpName = keyof Ops;
export type AnyOp = Ops[OpName];
/** The attribute type of an op. */
export type AttrsOf<N extends OpName> = N extends OpName ? (Ops[N] extends OpSchema<string, infer A,
  OpKind> ? A : never) : never;
type NamesOfKind<K extends OpKind> = { [N in OpName]: Ops[N]['kind'] extends K ? N : never }[OpName];
/** Ops that are graph nodes with a backward rule. */
export type DiffOpName = NamesOfKind<'kernel' | 'planner'>;
/** Ops a backend runs: each has a GPU lowering and a float64 implementation. */
export type ExecOpName = NamesOfKind<'kernel' | 'fused' | 'step'>;

/** Fusion rules in the order the planner applies them. */
export const FUSIONS: readonly FusionRule[] = [...NORM_FUSIONS, MATMUL_EPILOGUE_RULE];
/** Assign rules in the order the planner applies them. */
export const ASSIGN_FUSIONS: readonly AssignRule[] = [BN_UPDATE_RULE, ACCUMULATE_RULE];

export function opByName(name: string): AnyOp | undefined {
  return Object.prototype.hasOwnProperty.call(OPS, name) ? OPS[name as OpName] : undefined;
}

export * from './schema.js';
export * from './activation.js';
export * from './fusion.js';
export type { BinaryKind, BinaryAttrs, UnaryAttrs, ScaleAttrs, OneHotAttrs, ShapeAttrs,
  FillAttrs } from './elementwise.js';
export { BINARY_KINDS } from './elementwise.js';
export { matmulDims, type MatmulAttrs, type MatmulDims } from './matmul.js';
export { keptShape, reduceDims, REDUCE_KINDS, type ReduceKind, type ReduceAttrs } from './reduce.js';
export type { Reduction, CrossEntropyAttrs, MseAttrs } from './loss.js';
export {
  GEOM_KEYS, geomOf, sameGeom, channelGeom, layerGeom, groupGeom, checkGeom, checkEps, checkStats,
  type NormGeom, type NormApplyAttrs, type NormGradAttrs, type NormAffineGradAttrs, type NormBackwardAffineAttrs,
  type NormAffineGradsAttrs, type NormRowAttrs,
} from './norm.js';
export type { BnRunningAttrs, BnUpdateAttrs, BnRenormAttrs } from './batchnorm.js';
export type { GatherAttrs, GatherBytesAttrs } from './gather.js';
export { HYP, OPTIM_KINDS, SUMSQ_THREADS, type OptimKind, type OptimUpdateAttrs, type OptimSumsqAttrs,
  type OptimFinalizeAttrs } from './optim.js';
export {
  convGeom, convOut, windowOf, WINDOW_KEYS, type ConvWindow, type ConvGeom, type Conv2dAttrs, type Conv2dInputGradAttrs,
  type Conv2dWeightGradAttrs,
} from './conv.js';
export {
  poolGeom, poolOut, poolWindowOf, POOL_KEYS, type PoolWindow, type PoolGeom, type AvgPoolAttrs, type AvgPoolGradAttrs,
  type AdaptiveAttrs, type AdaptiveGradAttrs,
} from './pool.js';
export { DROPOUT_RNG, type DropoutAttrs } from './dropout.js';
