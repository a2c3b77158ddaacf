/** Every graph op, by family. */
export * from './elementwise.js';
export * from './reduce.js';
export * from './matmul.js';
export * from './softmax.js';
export * from './loss.js';
export * from './norm.js';
export * from './gather.js';
export * from './metrics.js';
export * from './conv.js';
export * from './dropout.js';
