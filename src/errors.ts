/**
 * Typed errors. Every message says what was wrong and, where there is one, how to fix it.
 * Catch `SlopeError` for any of them; `code` tells them apart without `instanceof`.
 */
export class SlopeError extends Error {
  readonly code: string = 'SLOPE';
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A shape, dtype or arity mismatch found while building a graph, before any GPU work. */
export class ShapeError extends SlopeError {
  override readonly code = 'SHAPE';
}

/** A bad argument from the caller: an option out of range, an unknown name, bad data. */
export class ArgumentError extends SlopeError {
  override readonly code = 'ARGUMENT';
}

/** No WebGPU adapter could be obtained. */
export class NoAdapterError extends SlopeError {
  override readonly code = 'NO_ADAPTER';
}

/** WGSL failed to compile; `messages` carry line:col and the offending source lines. */
export class ShaderCompileError extends SlopeError {
  override readonly code = 'SHADER_COMPILE';
  constructor(message: string, readonly kernel: string, readonly messages: string[]) {
    super(message);
  }
}

/** An allocation failed or would exceed a device limit. */
export class OutOfMemoryError extends SlopeError {
  override readonly code = 'OUT_OF_MEMORY';
  constructor(message: string, readonly tensor: string, readonly bytes: number) {
    super(message);
  }
}

/** A size above what the device allows (binding size, buffer size, dispatch size). */
export class LimitError extends SlopeError {
  override readonly code = 'LIMIT';
}

/** The GPU device was lost (driver reset, watchdog, `destroy()`); pending work is rejected. */
export class DeviceLostError extends SlopeError {
  override readonly code = 'DEVICE_LOST';
  constructor(message: string, readonly reason: string) {
    super(message);
  }
}

/** WebGPU reported a validation or internal error for a kernel. */
export class GpuValidationError extends SlopeError {
  override readonly code = 'GPU_VALIDATION';
}

/** A loss or input value was NaN or infinite where a finite one was required. */
export class NonFiniteError extends SlopeError {
  override readonly code = 'NON_FINITE';
}

/** Shape of a number list for messages: [2,3]. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
