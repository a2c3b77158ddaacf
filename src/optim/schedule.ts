/**
 * Learning-rate schedules: pure functions of the step t = 0, 1, 2, … (or of the epoch), with
 * the closed forms of torch.optim.lr_scheduler. Compose them (linearWarmup(w, cosine…),
 * sequentialLR) and hand one to an optimizer (`opt.schedule = s`, applied before each step) or
 * set `opt.lr = s(t)` yourself. ReduceLROnPlateau is the one stateful schedule: it follows a
 * metric. sampleSchedule(s, n) gives the values for plotting.
 */
import { ArgumentError } from '../errors.js';
import type { Optimizer, Schedule } from './optimizer.js';

export type { Schedule } from './optimizer.js';

function num(name: string, v: unknown, lo = 0, strict = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (strict ? v <= lo : v < lo)) {
    throw new ArgumentError(`schedule: ${name} must be a finite number ${strict ? '>' : '≥'} ${lo}, got ${String(v)}`);
  }
  return v;
}
function count(name: string, v: unknown, min = 1): number {
  if (!Number.isSafeInteger(v) || (v as number) < min)
    throw new ArgumentError(`schedule: ${name} must be an integer ≥ ${min}, got ${String(v)}`);
  return v as number;
}
function stepOf(t: number): number {
  if (!Number.isFinite(t) || t < 0) throw new ArgumentError(`schedule: the step must be a number ≥ 0, got ${t}`);
  return t;
}

/** lr at every step. */
export function constant(lr: number): Schedule {
  num('lr', lr);
  return () => lr;
}

/** lr · γ^⌊t / stepSize⌋ (StepLR). */
export function stepLR(lr: number, stepSize: number, gamma = 0.1): Schedule {
  num('lr', lr); count('stepSize', stepSize); num('gamma', gamma);
  return (t) => lr * gamma ** Math.floor(stepOf(t) / stepSize);
}

/** lr · γ^(number of milestones ≤ t) (MultiStepLR). */
export function multiStepLR(lr: number, milestones: readonly number[], gamma = 0.1): Schedule {
  num('lr', lr); num('gamma', gamma);
  if (!Array.isArray(milestones)) throw new ArgumentError('schedule: milestones must be an array of steps');
  milestones.forEach((m, i) => {
    count(`milestones[${i}]`, m, 0);
    if (i && m <= milestones[i - 1])
      throw new ArgumentError(`schedule: milestones must increase, got ${milestones.join(', ')}`);
  });
  return (t) => lr * gamma ** milestones.filter((m) => m <= stepOf(t)).length;
}

/** lr · γ^t (ExponentialLR). */
export function exponentialLR(lr: number, gamma: number): Schedule {
  num('lr', lr); num('gamma', gamma);
  return (t) => lr * gamma ** stepOf(t);
}

/** lr / (1 + k·t): the classic 1/t decay. */
export function inverseTimeLR(lr: number, k: number): Schedule {
  num('lr', lr); num('k', k);
  return (t) => lr / (1 + k * stepOf(t));
}

/**
 * η_min + (lr − η_min)(1 + cos(π t / tMax)) / 2 for t ≤ tMax, then η_min (the floor): the
 * closed form of CosineAnnealingLR, held at its floor instead of rising again after tMax.
 */
export function cosineAnnealingLR(lr: number, tMax: number, etaMin = 0): Schedule {
  num('lr', lr); count('tMax', tMax); num('etaMin', etaMin);
  return (t) => {
    const s = Math.min(stepOf(t), tMax);
    return etaMin + ((lr - etaMin) * (1 + Math.cos((Math.PI * s) / tMax))) / 2;
  };
}

/**
 * Linear warmup in front of another schedule: for t < warmupSteps the factor rises linearly
 * from startFactor (at t = 0) towards 1 and multiplies after(0); from t = warmupSteps on it is
 * after(t − warmupSteps).
 */
export function linearWarmup(warmupSteps: number, after: Schedule, startFactor = 0): Schedule {
  count('warmupSteps', warmupSteps, 0); num('startFactor', startFactor);
  if (startFactor > 1) throw new ArgumentError(`schedule: startFactor must be in [0, 1], got ${startFactor}`);
  if (typeof after !== 'function')
    throw new ArgumentError('schedule: linearWarmup needs the schedule that follows the warmup');
  return (t) => {
    const s = stepOf(t);
    if (s >= warmupSteps) return after(s - warmupSteps);
    return after(0) * (startFactor + ((1 - startFactor) * s) / warmupSteps);
  };
}

/** Linear warmup from 0 to lr over warmupSteps, then cosine decay to etaMin at totalSteps. */
export function warmupCosine(lr: number, warmupSteps: number, totalSteps: number, etaMin = 0): Schedule {
  count('totalSteps', totalSteps);
  if (!(warmupSteps < totalSteps))
    throw new ArgumentError(`schedule: warmupSteps (${warmupSteps}) must be < totalSteps (${totalSteps})`);
  return linearWarmup(warmupSteps, cosineAnnealingLR(lr, totalSteps - warmupSteps, etaMin));
}

/** Linear warmup from 0 to lr over warmupSteps, then linear decay to 0 at totalSteps. */
export function warmupLinear(lr: number, warmupSteps: number, totalSteps: number): Schedule {
  num('lr', lr); count('totalSteps', totalSteps);
  if (!(warmupSteps < totalSteps))
    throw new ArgumentError(`schedule: warmupSteps (${warmupSteps}) must be < totalSteps (${totalSteps})`);
  const decay = totalSteps - warmupSteps;
  return linearWarmup(warmupSteps, (s) => lr * Math.max(0, (decay - s) / decay));
}

/**
 * The Transformer's schedule with peak lr: lr · min(n / w, √(w / n)) for update n = t + 1 —
 * linear warmup over w steps, then decay ∝ 1/√n (Vaswani et al. 2017, scaled so the peak is lr).
 */
export function inverseSqrt(lr: number, warmupSteps: number): Schedule {
  num('lr', lr); count('warmupSteps', warmupSteps);
  return (t) => {
    const n = stepOf(t) + 1;
    return lr * Math.min(n / warmupSteps, Math.sqrt(warmupSteps / n));
  };
}

/** schedules[i] from milestones[i − 1] on, each restarted at its own step 0 (SequentialLR). */
export function sequentialLR(schedules: readonly Schedule[], milestones: readonly number[]): Schedule {
  if (!Array.isArray(schedules) || !schedules.length || milestones.length !== schedules.length - 1) {
    throw new ArgumentError(`schedule: sequentialLR needs n schedules and n − 1 milestones, got ${schedules.length} ` +
      `and ${milestones.length}`);
  }
  milestones.forEach((m, i) => {
    count(`milestones[${i}]`, m);
    if (i && m <= milestones[i - 1])
      throw new ArgumentError(`schedule: milestones must increase, got ${milestones.join(', ')}`);
  });
  return (t) => {
    const s = stepOf(t);
    let k = 0;
    while (k < milestones.length && s >= milestones[k]) k++;
    return schedules[k](k ? s - milestones[k - 1] : s);
  };
}

/** [s(0), s(1), …, s(steps − 1)], e.g. to plot a schedule. */
export function sampleSchedule(s: Schedule, steps: number): number[] {
  count('steps', steps, 0);
  return Array.from({ length: steps }, (_, t) => s(t));
}

export interface ReduceLROnPlateauOptions {
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number;
  eps?: number;
}

/**
 * Lower the learning rate by `factor` when a metric stopped improving for `patience` epochs
 * (PyTorch's ReduceLROnPlateau, same options and defaults). Give it an optimizer (its groups'
 * lrs are reduced in place) or a starting lr; step(metric) returns the (first group's) lr.
 */
export class ReduceLROnPlateau {
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLr: number;
  readonly eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  private lrs: number[];

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  constructor(readonly target: number | Optimizer<any>, o: ReduceLROnPlateauOptions = {}) {
    this.mode = o.mode ?? 'min';
    this.thresholdMode = o.thresholdMode ?? 'rel';
    if (this.mode !== 'min' && this.mode !== 'max')
      throw new ArgumentError(`ReduceLROnPlateau: mode must be 'min' or 'max', got '${String(this.mode)}'`);
    if (this.thresholdMode !== 'rel' && this.thresholdMode !== 'abs')
      throw new ArgumentError(`ReduceLROnPlateau: thresholdMode must be 'rel' or 'abs', got ` +
        `'${String(this.thresholdMode)}'`);
    this.factor = num('factor', o.factor ?? 0.1);
    if (this.factor >= 1) throw new ArgumentError(`ReduceLROnPlateau: factor should be < 1.0, got ${this.factor}`);
    this.patience = count('patience', o.patience ?? 10, 0);
    this.threshold = num('threshold', o.threshold ?? 1e-4);
    this.cooldown = count('cooldown', o.cooldown ?? 0, 0);
    this.minLr = num('minLr', o.minLr ?? 0);
    this.eps = num('eps', o.eps ?? 1e-8);
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.lrs = typeof target === 'number' ? [num('lr',
      target)] : target.paramGroups.map((g) => (g as unknown as { lr: number }).lr);
  }

  get lr(): number {
    return this.lrs[0];
  }

  private better(a: number): boolean {
    const { mode, thresholdMode: tm, threshold: th, best } = this;
    if (mode === 'min') return tm === 'rel' ? a < best * (1 - th) : a < best - th;
    return tm === 'rel' ? a > best * (th + 1) : a > best + th;
  }

  /** Record one epoch's metric; returns the learning rate to use next. */
  step(metric: number): number {
    if (typeof metric !== 'number' || Number.isNaN(metric))
      throw new ArgumentError(`ReduceLROnPlateau.step: metric must be a number, got ${String(metric)}`);
    if (this.better(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      if (typeof this.target !== 'number') this.lrs = this.target.paramGroups.map((g) =>
        (g as unknown as { lr: number }).lr);
      this.lrs = this.lrs.map((lr) => {
        const next = Math.max(lr * this.factor, this.minLr);
        return lr - next > this.eps ? next : lr;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
      if (typeof this.target !== 'number') {
        this.target.paramGroups.forEach((g, i) => { (g as unknown as { lr: number }).lr = this.lrs[i]; });
      }
    }
    return this.lrs[0];
  }
}
