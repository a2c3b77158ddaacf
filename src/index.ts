/** slope: train neural networks on WebGPU with hand-written WGSL kernels. */
export { init, Engine, type InitOptions } from './engine.js';
export * from './errors.js';
export { Graph, Tensor, Parameter, Variable, type DType, type Shape, type InitFn } from './graph/tensor.js';
export { grad, type GradOptions } from './graph/autodiff.js';
export { Program, type CompileOptions, type RunOptions, type StepHook, type HookContext,
  type Feed } from './graph/program.js';
export * as ops from './graph/ops/index.js';
export * from './graph/ops/index.js';
export type { Backend, View, Storage, OpCall, Prepared, HostArray } from './backend/types.js';
export { tuneMatmul, type MatmulTuneOptions, type MatmulTuneResult,
  type MatmulTuneCache } from './kernels/matmul_tune.js';
export { MATMUL_VARIANTS, type MatmulVariant } from './kernels/matmul.js';
export { OPS, type OpName, type AttrsOf } from './ops/index.js';
export type { DeviceProfile } from './gpu/profile.js';
export { StepProfile, type DispatchTiming, type KeyAverage, type Roofline, type HostTiming,
  type TimingMethod } from './gpu/profiler.js';
export type { ProfileOptions } from './backend/profile.js';
export * as nn from './nn/index.js';
export { Module, Linear, Sequential, ReLU, Tanh, Sigmoid, GELU, LeakyReLU, Softplus, Flatten, manualSeed,
  Generator } from './nn/index.js';
export { BatchNorm1d, BatchNorm2d, BatchRenorm1d, BatchRenorm2d, LayerNorm, GroupNorm, InstanceNorm1d, InstanceNorm2d,
  weightNorm, spectralNorm } from './nn/index.js';
export { Conv2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Dropout } from './nn/index.js';
export { fitStandardizer, Standardizer, type StandardizeOptions } from './nn/standardize.js';
export { linePlot, contourPlot, table, type Series, type LinePlotOptions,
  type ContourPlotOptions } from './plot/svg.js';
export * as analysis from './analysis/index.js';
export { HessianAnalyzer } from './analysis/index.js';
export * from './optim/index.js';
export * from './data/index.js';
export * from './io/index.js';
export * from './train/index.js';
