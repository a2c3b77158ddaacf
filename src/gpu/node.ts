/**
 * Node's GPU object: Dawn through the `webgpu` package. The only file that imports it.
 *
 * Instances are kept for the life of the process, in module scope (never on globalThis).
 * Holding one does not keep a process alive once its devices are destroyed, but letting the
 * garbage collector finalise one does crash the process (seen with webgpu 0.6.2 on lavapipe:
 * SIGSEGV or an aborted mutex assertion, at the collection or at exit). So dispose() destroys
 * devices and buffers, and the instance itself stays.
 */
import { create } from 'webgpu';

const instances = new Map<string, GPU>();

/**
 * Dawn quantizes timestamp queries to 65.5 µs by default (a browser's defence against timing
 * attacks), too coarse for the profiler's per-dispatch times; a Node process has no other origin
 * to defend against, so its instances turn the quantization off unless the flags set it.
 */
const NODE_FLAGS = ['disable-dawn-features=timestamp_quantization'];

/** The GPU object for these Dawn flags (e.g. 'enable-dawn-features=disable_robustness'), one per set. */
export function nodeGpu(extra: string[] = []): GPU {
  if (!process.env.XDG_RUNTIME_DIR) process.env.XDG_RUNTIME_DIR = '/tmp';
  const flags = extra.some((f) => f.startsWith('disable-dawn-features=')) ? extra : [...NODE_FLAGS, ...extra];
  // Dawn logs a warning about dynamic-offset limits on every instance; one per flag set is enough.
  const key = flags.join(' ');
  let g = instances.get(key);
  if (!g) {
    g = create(flags) as GPU;
    instances.set(key, g);
  }
  return g;
}

/** Called by engine.dispose() when the last engine goes: nothing to drop (see the header). */
export function releaseNodeGpu(): void {}
