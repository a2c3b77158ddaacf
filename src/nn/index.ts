export { Module } from './module.js';
export { Linear, Activation, ReLU, Tanh, Sigmoid, GELU, LeakyReLU, Softplus, Flatten, Sequential,
  type LinearOptions } from './layers.js';
export { Generator, defaultGenerator, manualSeed, uniform, normal, linearInit, kaimingNormal,
  xavierUniform } from './init.js';
export * from './norm.js';
export * from './parametrize.js';
