/**
 * Batch-norm state updates (float64), written from PyTorch's and Ioffe's formulas.
 * Statistics are the shifted (3, C) tensor of ref/norm.ts: mean = row0 + row1, var = row2.
 *
 * Running statistics (PyTorch, n values per channel, t = num_batches_tracked before the step):
 *   m = momentum, or 1 / (t + 1) when momentum is null (a cumulative average)
 *   running_mean ← (1 − m) · running_mean + m · mean_B
 *   running_var  ← (1 − m) · running_var  + m · var_B · n / (n − 1)     (unbiased)
 *   num_batches_tracked ← t + 1
 * Batch renormalization (Ioffe 2017), σ_B = √(var_B + ε), σ = √(running_var + ε):
 *   r = clip(σ_B / σ, 1/rmax, rmax),   d = clip((mean_B − running_mean) / σ, −dmax, dmax)
 *   with rmax(t) = 1 + (rmax − 1)·ramp_r(t), dmax(t) = dmax·ramp_d(t), where a ramp is 0 up to
 *   `warmup` steps, then rises linearly to 1 over its length (a step at `warmup` if length 0).
 */
import type { In, Out } from './util.js';

/** New running mean (which 'mean') or running variance (which 'var'); momentum null = cumulative. */
export function bnRunning(out: Out, stats: In, running: In, tracked: number, which: 'mean' | 'var',
  momentum: number | null, n: number, C: number): void {
  const m = momentum === null ? 1 / (tracked + 1) : momentum;
  for (let c = 0; c < C; c++) {
    const batch = which === 'mean' ? stats[c] + stats[C + c] : (stats[2 * C + c] * n) / (n - 1);
    out[c] = (1 - m) * running[c] + m * batch;
  }
}

export interface RenormSchedule {
  rmax: number;
  dmax: number;
  warmup: number;
  rmaxSteps: number;
  dmaxSteps: number;
}

function ramp(t: number, warmup: number, len: number): number {
  if (len <= 0) return t >= warmup ? 1 : 0;
  return Math.min(1, Math.max(0, (t - warmup) / len));
}

/** rmax and dmax in force at step t (t = batches seen before this one). */
export function renormLimits(t: number, s: RenormSchedule): { rmax: number; dmax: number } {
  return { rmax: 1 + (s.rmax - 1) * ramp(t, s.warmup, s.rmaxSteps), dmax: s.dmax * ramp(t, s.warmup, s.dmaxSteps) };
}

/** r (which 'r') or d (which 'd') per channel, clipped by the limits at step `tracked`. */
export function bnRenorm(out: Out, stats: In, rm: In, rv: In, tracked: number, which: 'r' | 'd', eps: number,
  s: RenormSchedule, C: number): void {
  const { rmax, dmax } = renormLimits(tracked, s);
  for (let c = 0; c < C; c++) {
    const sigma = Math.sqrt(rv[c] + eps);
    if (which === 'r') {
      out[c] = Math.min(rmax, Math.max(1 / rmax, Math.sqrt(stats[2 * C + c] + eps) / sigma));
    } else {
      const diff = stats[c] - rm[c] + stats[C + c];
      out[c] = Math.min(dmax, Math.max(-dmax, diff / sigma));
    }
  }
}
