/**
 * Node's GPU object: Dawn through the `webgpu` package. The only file that imports it.
 * The object is never stored on globalThis, so a process exits once the engine is disposed.
 */
import { create } from 'webgpu';

let cached: GPU | null = null;

export function nodeGpu(flags: string[] = []): GPU {
  if (!process.env.XDG_RUNTIME_DIR) process.env.XDG_RUNTIME_DIR = '/tmp';
  if (flags.length) return create(flags) as GPU;
  // Dawn logs a warning about dynamic-offset limits on every instance; one instance is enough.
  cached ??= create([]) as GPU;
  return cached;
}

/** Drop the cached instance so the process can exit (called by engine.dispose). */
export function releaseNodeGpu(): void {
  cached = null;
}
