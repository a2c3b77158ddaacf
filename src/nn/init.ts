/**
 * Seeded initialisation, with PyTorch's defaults. `manualSeed(s)` makes model construction
 * reproducible, as torch.manual_seed does.
 */
import { ArgumentError } from '../errors.js';

export { Generator } from '../random.js';
import { Generator } from '../random.js';

/** The default generator used by layer constructors. */
export const defaultGenerator = new Generator();

/** Seed the default generator (PyTorch's torch.manual_seed). */
export function manualSeed(seed: number): void {
  if (!Number.isInteger(seed)) throw new ArgumentError(`manualSeed: seed must be an integer, got ${seed}`);
  defaultGenerator.state = (seed ^ 0x9e3779b9) >>> 0;
}

export function uniform(n: number, lo: number, hi: number, gen = defaultGenerator): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * gen.next();
  return a;
}

export function normal(n: number, mean = 0, std = 1, gen = defaultGenerator): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = mean + std * gen.normal();
  return a;
}

/**
 * PyTorch's nn.Linear default: kaiming_uniform_(a=√5) for the weight, which is
 * U(−1/√fan_in, 1/√fan_in), and the same bound for the bias.
 */
export function linearInit(fanIn: number, n: number, gen = defaultGenerator): Float32Array {
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  return uniform(n, -bound, bound, gen);
}

/** Kaiming (He) normal for ReLU networks: N(0, 2/fan_in). */
export function kaimingNormal(fanIn: number, n: number, gen = defaultGenerator): Float32Array {
  return normal(n, 0, Math.sqrt(2 / Math.max(1, fanIn)), gen);
}

/** Xavier/Glorot uniform: U(±√(6/(fan_in + fan_out))). */
export function xavierUniform(fanIn: number, fanOut: number, n: number, gen = defaultGenerator): Float32Array {
  const b = Math.sqrt(6 / Math.max(1, fanIn + fanOut));
  return uniform(n, -b, b, gen);
}
