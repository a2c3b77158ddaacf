/**
 * A program whose gradients are chosen by the test: loss = Σᵢ sum(θᵢ ⊙ xᵢ), so ∂loss/∂θᵢ = xᵢ
 * exactly, fed each step. The optimizer under test is its hook; the float64 references of
 * src/ref/optim.ts replay the same steps on the host.
 */
import { slope } from '../util/engine.js';
import { Rng } from '../util/rng.js';
import { expectClose } from '../util/close.js';
import type { Tol } from '../tolerances.js';
import * as ref from '../../src/ref/optim.js';

const { Graph, Parameter, grad, mul, sum, add } = slope;
type Parameter = slope.Parameter;

export interface Harness {
  params: Parameter[];
  prog: slope.Program;
  /** Gradients fed at each run, per parameter (the step's x). */
  run(grads: Float32Array[]): Promise<void>;
}

export function makeParams(prefix: string, shapes: readonly (readonly number[])[], rng: Rng): Parameter[] {
  return shapes.map((s, i) => new Parameter(`${prefix}.p${i}`, s, rng.normal(s.reduce((a, d) => a * d, 1))));
}

/** Compile loss = Σ sum(θᵢ ⊙ xᵢ) with `hooks`; `guard` passes the loss to compile (non-finite guard). */
export async function harness(engine: slope.Engine, params: Parameter[], hooks: slope.StepHook[], guard = false): Promise<Harness> {
  const g = new Graph();
  let loss: slope.Tensor | null = null;
  params.forEach((p, i) => {
    const term = sum(mul(g.param(p), g.input(`x${i}`, p.shape)));
    loss = loss ? add(loss, term) : term;
  });
  const grads = grad(loss!, params.map((p) => g.param(p)));
  const prog = await engine.compile(g, {
    outputs: { loss: loss! },
    gradients: params.map((p, i) => [p, grads[i]] as const),
    hooks,
    loss: guard ? loss! : undefined,
  });
  return {
    params, prog,
    run: (gs) => prog.run(Object.fromEntries(gs.map((x, i) => [`x${i}`, x]))),
  };
}

/** Random gradients for one step; parameter `tinyIndex` gets gradients of size ~tiny. */
export function randomGrads(params: Parameter[], rng: Rng, tinyIndex = -1, tiny = 1e-8): Float32Array[] {
  return params.map((p, i) => {
    const g = rng.normal(p.size);
    if (i === tinyIndex) for (let k = 0; k < g.length; k++) g[k] *= tiny;
    return g;
  });
}

type Step = (p: Float64Array, s: Record<string, Float64Array>, g: Float64Array, t: number) => void;

/** The float64 replay of an optimizer: one step function per parameter (its group's options). */
export class RefRun {
  readonly p: Float64Array[];
  readonly state: Record<string, Float64Array>[];
  t = 0;
  constructor(params: Parameter[], readonly steps: Step[], init: (i: number, key: string) => number, keys: string[][]) {
    this.p = params.map((q) => Float64Array.from(q.data));
    this.state = params.map((q, i) => Object.fromEntries(keys[i].map((k) => [k, new Float64Array(q.size).fill(init(i, k))])));
  }
  step(grads: Float32Array[], clip: { norm?: number; value?: number } = {}): void {
    this.t++;
    const gs = grads.map((g) => Float64Array.from(g));
    if (clip.value !== undefined) ref.clipGradValue(gs, clip.value);
    if (clip.norm !== undefined) ref.clipGradNorm(gs, clip.norm);
    gs.forEach((g, i) => this.steps[i](this.p[i], this.state[i], g, this.t));
  }
}

/** ‖Δ‖/‖ref‖ < tol.rel per tensor, elementwise atol scaled by the tensor's largest magnitude. */
export function expectTensorClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: Tol, label: string): void {
  let m = 0;
  for (let i = 0; i < want.length; i++) m = Math.max(m, Math.abs(want[i]));
  expectClose(got, want, { rel: tol.rel, atol: tol.atol * m, rtol: tol.rtol }, label);
}

/**
 * Compare the engine's parameters (each tensor) and optimizer state with the reference run. A
 * state tensor is compared over all parameters of one magnitude class at once (the tiny-gradient
 * parameter `apart` on its own): a single element of a momentum buffer that crosses zero has an
 * ill-conditioned relative error in any precision, while the arena-wide norm-wise error is the
 * meaningful measure of the kernel.
 */
export async function compareWithRef(engine: slope.Engine, opt: slope.Optimizer, params: Parameter[], r: RefRun, tol: Tol, label: string, apart = -1): Promise<void> {
  const sd = await opt.stateDict();
  if (sd.step !== r.t) throw new Error(`${label}: optimizer step ${sd.step}, reference ${r.t}`);
  for (let i = 0; i < params.length; i++) {
    expectTensorClose(await engine.read(params[i]), r.p[i], tol, `${label} ${params[i].name}`);
    const st = sd.state[params[i].name] ?? {};
    const keys = Object.keys(r.state[i]).sort();
    if (Object.keys(st).sort().join() !== keys.join()) {
      throw new Error(`${label} ${params[i].name}: state keys [${Object.keys(st)}] vs reference [${keys}]`);
    }
  }
  const classes = [params.map((_, i) => i).filter((i) => i !== apart), apart >= 0 ? [apart] : []];
  for (const members of classes) {
    if (!members.length) continue;
    for (const k of new Set(members.flatMap((i) => Object.keys(r.state[i])))) {
      const has = members.filter((i) => k in r.state[i]);
      const got = has.flatMap((i) => [...sd.state[params[i].name][k]]);
      const want = has.flatMap((i) => [...r.state[i][k]]);
      expectTensorClose(got, want, tol, `${label} ${k} of ${has.map((i) => params[i].name).join(', ')}`);
    }
  }
}

/** A parameter's stored values without rounding (Float64Array on the cpu backend). */
export async function readExact(engine: slope.Engine, p: Parameter): Promise<ArrayLike<number>> {
  return engine.backend.read(engine.store.view(p));
}
