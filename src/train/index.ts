/** Training: the Trainer, its callbacks and progress display (no Node modules here). */
export { Trainer, type TrainerOptions } from './trainer.js';
export { ProgressBar, formatDuration } from './progress.js';
export { checkpointBytes, parseCheckpoint, expectedTensors, loadWeights } from './state.js';
export { Evaluator, Placement, type DataPlacement } from './evaluate.js';
export { parseModel, buildModel, MAX_TENSOR_BYTES, makeOptimizer, makeSchedule, DEFAULT_LR, NORMS, ACTIVATIONS,
  OPTIMIZERS, type ModelSpec, type OptimizerSpec, type OptimizerName, type NormKind, type ActivationKind,
    type ScheduleContext } from './factory.js';
export type { Callbacks, EpochEntry, Evaluation, History, LogEntry, PlateauLike, ProgressSink, TrainOptimizer,
  OptimizerStateLike } from './types.js';
export { predict, predictChunks, loadModel, checkpointSizes, modelSpec, Predictor, standardizerOf, type PredictOptions,
  type Predictions, type PredictionChunk, type LoadedModel } from './predict.js';
