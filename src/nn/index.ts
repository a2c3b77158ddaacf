export { Module } from './module.js';
export { Linear, Activation, ReLU, Tanh, Sigmoid, GELU, LeakyReLU, Softplus, Flatten, Unflatten, Sequential,
  type LinearOptions } from './layers.js';
export { Generator, defaultGenerator, manualSeed, uniform, normal, linearInit, kaimingNormal,
  xavierUniform } from './init.js';
export * from './norm.js';
export * from './parametrize.js';
export { Conv2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Dropout, type Conv2dModuleOptions,
  type MaxPool2dModuleOptions, type AvgPool2dModuleOptions } from './conv.js';
