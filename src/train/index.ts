/** Training: the Trainer, its callbacks and progress display (no Node modules here). */
export { Trainer, type TrainerOptions } from './trainer.js';
export { ProgressBar, formatDuration } from './progress.js';
export { checkpointBytes, parseCheckpoint, expectedTensors } from './state.js';
export type { Callbacks, EpochEntry, Evaluation, History, LogEntry, PlateauLike, ProgressSink, TrainOptimizer, OptimizerStateLike } from './types.js';
