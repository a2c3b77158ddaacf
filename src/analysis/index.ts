export {
  HessianAnalyzer, type LossBuilder, type Classification, type ClassifyOptions, type CriticalPointKind,
} from './hessian.js';
export {
  symmetricEigen, symmetricEigenvalues, tridiagonalize, tridiagonalEigenvalues, countBelow, inertia,
} from './linalg.js';
export {
  summarizeSpectrum, criticalPointTest, findCriticalPoint, minres,
  type SpectrumSummary, type CriticalPointTest, type SearchOptions, type SearchIteration, type SearchResult,
} from './critical.js';
export { sharpness, type Sharpness, type SharpnessOptions } from './sharpness.js';
