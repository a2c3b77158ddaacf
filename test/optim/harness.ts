/**
 * A program whose gradients are chosen by the test (test/util/optim.ts: loss = Σᵢ sum(θᵢ ⊙ xᵢ),
 * so ∂loss/∂θᵢ = xᵢ exactly, fed each step, with the optimizer under test as its hook); the
 * float64 references of src/ref/optim.ts replay the same steps on the host.
 */
import { slope } from '../util/engine.js';
import * as ref from '../../src/ref/optim.js';
import type { RefState } from '../util/optim.js';

export { compareWithRef, expectTensorClose, harness, makeParams, randomGrads, readExact, type Harness, type RefState } from '../util/optim.js';

type Parameter = slope.Parameter;
type Step = (p: Float64Array, s: Record<string, Float64Array>, g: Float64Array, t: number) => void;

/** The float64 replay of an optimizer: one step function per parameter (its group's options). */
export class RefRun implements RefState {
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
