/**
 * Optimizer references in float64, written from the update rules of the torch.optim
 * documentation (one tensor at a time, t counted from 1). Each step updates the parameter `p`
 * and its state arrays in place from the gradient `g`; nothing is rounded to f32 here.
 *
 *   SGD       g ← g + λθ;  b ← g (t = 1) or μb + (1−τ)g;  g ← g + μb (Nesterov) or b;  θ ← θ − γg
 *   Adagrad   γ̃ = γ / (1 + (t−1)η);  g ← g + λθ;  s ← s + g²;  θ ← θ − γ̃ g / (√s + ε)
 *   RMSprop   g ← g + λθ;  v ← αv + (1−α)g²;  ṽ = v − ḡ² with ḡ ← αḡ + (1−α)g (centered) or v;
 *             b ← μb + g/(√ṽ + ε), θ ← θ − γb (μ > 0)  or  θ ← θ − γg/(√ṽ + ε)
 *   Adam      g ← g + λθ;  m ← β1m + (1−β1)g;  v ← β2v + (1−β2)g²;  m̂ = m/(1−β1^t);
 *             v̂ = max(v̂max, v)/(1−β2^t) (amsgrad, v̂max ← that max) or v/(1−β2^t);  θ ← θ − γm̂/(√v̂ + ε)
 *   AdamW     θ ← θ(1 − γλ), then Adam without the λθ term.
 *   clipping  norm: total = ‖(g_1, …, g_n)‖₂;  every g ← g · min(1, max/(total + 1e-6))
 *             value: g ← clamp(g, −c, c)
 * The centered RMSprop variance is clamped at 0 before the square root (the f32 kernel can
 * round v − ḡ² below zero; in exact arithmetic it never is).
 */
import type { In, Out } from './util.js';

export interface SgdRef { lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean }
export interface AdagradRef { lr: number; lrDecay: number; weightDecay: number; eps: number }
export interface RmspropRef { lr: number; alpha: number; eps: number; weightDecay: number; momentum: number;
  centered: boolean }
export interface AdamRef { lr: number; betas: readonly [number, number]; eps: number; weightDecay: number;
  amsgrad: boolean }

/** Gradient with L2 weight decay folded in (the coupled form). */
function decayed(g: number, p: number, wd: number): number {
  return wd !== 0 ? g + wd * p : g;
}

/** s.momentum_buffer is (n,) like p. */
export function sgdStep(p: Out, s: { momentum_buffer?: Out }, g: In, o: SgdRef, t: number): void {
  for (let i = 0; i < p.length; i++) {
    let d = decayed(g[i], p[i], o.weightDecay);
    if (o.momentum !== 0) {
      const b = s.momentum_buffer!;
      b[i] = t === 1 ? d : o.momentum * b[i] + (1 - o.dampening) * d;
      d = o.nesterov ? d + o.momentum * b[i] : b[i];
    }
    p[i] = p[i] - o.lr * d;
  }
}

/** s.sum is (n,) like p, initialised to initial_accumulator_value. */
export function adagradStep(p: Out, s: { sum: Out }, g: In, o: AdagradRef, t: number): void {
  const clr = o.lr / (1 + (t - 1) * o.lrDecay);
  for (let i = 0; i < p.length; i++) {
    const d = decayed(g[i], p[i], o.weightDecay);
    s.sum[i] = s.sum[i] + d * d;
    p[i] = p[i] - (clr * d) / (Math.sqrt(s.sum[i]) + o.eps);
  }
}

/** s.square_avg, s.momentum_buffer (μ > 0), s.grad_avg (centered) are (n,) like p. */
export function rmspropStep(p: Out, s: { square_avg: Out; momentum_buffer?: Out; grad_avg?: Out }, g: In, o: RmspropRef,
  _t: number): void {
  const a = o.alpha;
  for (let i = 0; i < p.length; i++) {
    const d = decayed(g[i], p[i], o.weightDecay);
    s.square_avg[i] = a * s.square_avg[i] + (1 - a) * d * d;
    let v = s.square_avg[i];
    if (o.centered) {
      const ga = s.grad_avg!;
      ga[i] = a * ga[i] + (1 - a) * d;
      v = Math.max(v - ga[i] * ga[i], 0);
    }
    const den = Math.sqrt(v) + o.eps;
    if (o.momentum > 0) {
      const b = s.momentum_buffer!;
      b[i] = o.momentum * b[i] + d / den;
      p[i] = p[i] - o.lr * b[i];
    } else {
      p[i] = p[i] - (o.lr * d) / den;
    }
  }
}

type AdamState = { exp_avg: Out; exp_avg_sq: Out; max_exp_avg_sq?: Out };

function adamCore(p: Out, s: AdamState, g: In, o: AdamRef, t: number, coupledDecay: number): void {
  const [b1, b2] = o.betas;
  const bc1 = 1 - b1 ** t;
  const bc2 = 1 - b2 ** t;
  for (let i = 0; i < p.length; i++) {
    const d = decayed(g[i], p[i], coupledDecay);
    s.exp_avg[i] = b1 * s.exp_avg[i] + (1 - b1) * d;
    s.exp_avg_sq[i] = b2 * s.exp_avg_sq[i] + (1 - b2) * d * d;
    let v = s.exp_avg_sq[i];
    if (o.amsgrad) {
      const mx = s.max_exp_avg_sq!;
      mx[i] = Math.max(mx[i], v);
      v = mx[i];
    }
    const mHat = s.exp_avg[i] / bc1;
    const vHat = v / bc2;
    p[i] = p[i] - (o.lr * mHat) / (Math.sqrt(vHat) + o.eps);
  }
}

export function adamStep(p: Out, s: AdamState, g: In, o: AdamRef, t: number): void {
  adamCore(p, s, g, o, t, o.weightDecay);
}

export function adamwStep(p: Out, s: AdamState, g: In, o: AdamRef, t: number): void {
  for (let i = 0; i < p.length; i++) p[i] = p[i] * (1 - o.lr * o.weightDecay);
  adamCore(p, s, g, o, t, 0);
}

/** The global L2 norm of several gradient arrays. */
export function totalNorm(gs: readonly In[]): number {
  let s = 0;
  for (const g of gs) for (let i = 0; i < g.length; i++) s += g[i] * g[i];
  return Math.sqrt(s);
}

/** The factor clip_grad_norm_ multiplies every gradient by: min(1, max/(norm + 1e-6)). */
export function clipCoef(norm: number, maxNorm: number): number {
  return Math.min(1, maxNorm / (norm + 1e-6));
}

/** Scale gradients in place so that their global norm is at most maxNorm; returns the norm. */
export function clipGradNorm(gs: readonly Out[], maxNorm: number): number {
  const n = totalNorm(gs as unknown as In[]);
  const c = clipCoef(n, maxNorm);
  for (const g of gs) for (let i = 0; i < g.length; i++) g[i] = g[i] * c;
  return n;
}

export function clipGradValue(gs: readonly Out[], c: number): void {
  for (const g of gs) for (let i = 0; i < g.length; i++) g[i] = Math.min(c, Math.max(-c, g[i]));
}
