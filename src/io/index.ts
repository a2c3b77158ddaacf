/** Checkpoints in safetensors format (no Node modules here; files: src/io/node.ts). */
export { encodeSafetensors, decodeSafetensors, tensorValues, SafetensorsError, DTYPE_BYTES, MAX_HEADER_BYTES,
  type SafetensorsErrorKind, type SafetensorsFile, type TensorEntry, type TensorToWrite,
    type TensorData } from './safetensors.js';
export { encodeCheckpoint, decodeCheckpoint, checkpointConfig, CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type TrainState,
  type Progress, type OptimizerSnapshot, type Expected } from './checkpoint.js';
export { CheckpointError, CheckpointMismatchError, OutputError } from './errors.js';
export { checkInputSpec, parseInputSpec, readInputSpec, INPUT_KINDS, type InputSpec,
  type StoredStandardizer } from './input.js';
