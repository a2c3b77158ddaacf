/** Checkpoint errors. */
import { SlopeError } from '../errors.js';

/** Writing or reading a checkpoint failed; the previous checkpoint file is untouched. */
export class CheckpointError extends SlopeError {
  override readonly code: string = 'CHECKPOINT';
}

/** A checkpoint does not fit the model or optimizer it is loaded into; nothing was loaded. */
export class CheckpointMismatchError extends CheckpointError {
  override readonly code = 'CHECKPOINT_MISMATCH';
}

/** An output file (a checkpoint target, a figure) cannot be written where it was asked for. */
export class OutputError extends SlopeError {
  override readonly code = 'OUTPUT';
}
