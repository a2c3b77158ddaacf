/** Optimizers (fused updates over the parameter arena) and learning-rate schedules. */
export { Optimizer, type ParamGroup, type Schedule, type OptimizerStateDict } from './optimizer.js';
export {
  SGD, Adagrad, RMSprop, Adam, AdamW,
  type SGDOptions, type SGDGroupOptions, type AdagradOptions, type AdagradGroupOptions,
  type RMSpropOptions, type RMSpropGroupOptions, type AdamOptions, type AdamGroupOptions,
} from './optimizers.js';
export type { CommonOptions, ParamGroupSpec, ParamsArg } from './options.js';
export {
  constant, stepLR, multiStepLR, exponentialLR, inverseTimeLR, cosineAnnealingLR, linearWarmup,
  warmupCosine, warmupLinear, inverseSqrt, sequentialLR, sampleSchedule, ReduceLROnPlateau,
  type ReduceLROnPlateauOptions,
} from './schedule.js';
