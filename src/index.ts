/** slope: train neural networks on WebGPU with hand-written WGSL kernels. */
export { init, Engine, type InitOptions } from './engine.js';
export * from './errors.js';
export { Graph, Tensor, Parameter, Variable, type DType, type Shape, type InitFn } from './graph/tensor.js';
export { grad, type GradOptions } from './graph/autodiff.js';
export { Program, type CompileOptions, type RunOptions, type StepHook, type HookContext, type Feed } from './graph/program.js';
export * as ops from './graph/ops/index.js';
export * from './graph/ops/index.js';
export type { Backend, View, Storage, OpCall, Prepared, HostArray } from './backend/types.js';
export * as nn from './nn/index.js';
export { Module, Linear, Sequential, ReLU, Tanh, Sigmoid, GELU, LeakyReLU, Flatten, manualSeed, Generator } from './nn/index.js';
export { linePlot, contourPlot, table, type Series, type LinePlotOptions, type ContourPlotOptions } from './plot/svg.js';
export * as analysis from './analysis/index.js';
export { HessianAnalyzer } from './analysis/index.js';
export * from './data/index.js';
export * from './io/index.js';
export * from './train/index.js';
