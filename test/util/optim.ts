/**
 * Optimizer test programs whose gradients are chosen by the test: loss = Σᵢ sum(θᵢ ⊙ xᵢ), so
 * ∂loss/∂θᵢ = xᵢ exactly, fed each step, with the optimizer under test as the program's hook;
 * and the comparison of an engine's parameters and optimizer state with a reference run.
 * Browser-safe: imports only the public API and browser-safe utilities.
 */
import { Graph, Parameter, add, grad, mul, sum, type Engine, type Optimizer, type Program, type StepHook, type Tensor } from '../../src/index.js';
import type { Tol } from '../tolerances.js';
import { expectClose } from './close.js';
import type { Rng } from './rng.js';

export interface Harness {
  params: Parameter[];
  prog: Program;
  /** Gradients fed at each run, per parameter (the step's x). */
  run(grads: Float32Array[]): Promise<void>;
}

export function makeParams(prefix: string, shapes: readonly (readonly number[])[], rng: Rng): Parameter[] {
  return shapes.map((s, i) => new Parameter(`${prefix}.p${i}`, s, rng.normal(s.reduce((a, d) => a * d, 1))));
}

/** Compile loss = Σ sum(θᵢ ⊙ xᵢ) with `hooks`; `guard` passes the loss to compile (non-finite guard). */
export async function harness(engine: Engine, params: Parameter[], hooks: StepHook[], guard = false): Promise<Harness> {
  const g = new Graph();
  let loss: Tensor | null = null;
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

/** ‖Δ‖/‖ref‖ < tol.rel per tensor, elementwise atol scaled by the tensor's largest magnitude. */
export function expectTensorClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: Tol, label: string): void {
  let m = 0;
  for (let i = 0; i < want.length; i++) m = Math.max(m, Math.abs(want[i]));
  expectClose(got, want, { rel: tol.rel, atol: tol.atol * m, rtol: tol.rtol }, label);
}

/** A reference run after `t` steps: each parameter's values and state tensors, in float64. */
export interface RefState {
  readonly p: readonly ArrayLike<number>[];
  readonly state: readonly Record<string, ArrayLike<number>>[];
  readonly t: number;
}

/**
 * Compare the engine's parameters (each tensor) and optimizer state with the reference run. A
 * state tensor is compared over all parameters of one magnitude class at once (the tiny-gradient
 * parameter `apart` on its own): a single element of a momentum buffer that crosses zero has an
 * ill-conditioned relative error in any precision, while the arena-wide norm-wise error is the
 * meaningful measure of the kernel.
 */
export async function compareWithRef(engine: Engine, opt: Optimizer, params: Parameter[], r: RefState, tol: Tol, label: string, apart = -1): Promise<void> {
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
      const want = has.flatMap((i) => Array.from(r.state[i][k]));
      expectTensorClose(got, want, tol, `${label} ${k} of ${has.map((i) => params[i].name).join(', ')}`);
    }
  }
}

/** A parameter's stored values without rounding (Float64Array on the cpu backend). */
export async function readExact(engine: Engine, p: Parameter): Promise<ArrayLike<number>> {
  return engine.backend.read(engine.store.view(p));
}
