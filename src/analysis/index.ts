export { HessianAnalyzer, type LossBuilder, type Classification, type ClassifyOptions, type CriticalPointKind } from './hessian.js';
export { symmetricEigen } from './linalg.js';
