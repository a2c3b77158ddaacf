/**
 * Two-parameter loss surfaces, written once as graph ops of (w₁, w₂): the same builder gives the
 * loss at many points at once (w₁ and w₂ as inputs of shape [N], one program run for a whole
 * contour grid) and the loss of two Parameters (for gradients, Hessians and optimizers, through
 * grad and grad of grad). No surface is evaluated by JavaScript arithmetic.
 */
import { slope } from './common.js';

const { add, mul, sub, square, scale } = slope;
type Tensor = slope.Tensor;

export interface Preset {
  label: string;
  at: [number, number];
}

export interface Surface {
  id: string;
  name: string;
  /** The formula, for the page. */
  formula: string;
  /** Elementwise loss of w₁ and w₂ (tensors of one shape). */
  loss(w1: Tensor, w2: Tensor): Tensor;
  xRange: [number, number];
  yRange: [number, number];
  /** Points worth starting from. */
  presets: Preset[];
  /** A learning rate that descends without blowing up. */
  lr: number;
}

/**
 * The lecture's worked example: the 1-1-1 network y = w₁·w₂·x with one sample (x = 1, ŷ = 1)
 * and L = (ŷ − y)². The origin is a saddle point (eigenvalues ±2); the minima form the curve w₁w₂ = 1.
 */
export const NET111: Surface = {
  id: 'net111',
  name: 'the 1-1-1 network',
  formula: 'L = (ŷ − w₁·w₂·x)², one sample x = 1, ŷ = 1',
  loss: (w1, w2) => {
    const x = 1, yHat = 1;
    return square(sub(yHat, mul(mul(w1, w2), x)));
  },
  xRange: [-2, 2],
  yRange: [-2, 2],
  presets: [{ label: 'origin', at: [0, 0] }, { label: '(1, 1)', at: [1, 1] }, { label: '(−1.5, 0.4)', at: [-1.5, 0.4] }],
  lr: 0.1,
};

/** Himmelblau's function: four minima, four saddle points and one local maximum. */
export const HIMMELBLAU: Surface = {
  id: 'himmelblau',
  name: 'Himmelblau\'s function',
  formula: 'L = (w₁² + w₂ − 11)² + (w₁ + w₂² − 7)²',
  loss: (w1, w2) => add(square(sub(add(square(w1), w2), 11)), square(sub(add(w1, square(w2)), 7))),
  xRange: [-5, 5],
  yRange: [-5, 5],
  presets: [
    { label: 'near the maximum', at: [-0.3, -0.9] },
    { label: 'near a saddle', at: [0.1, 2.9] },
    { label: 'near a minimum', at: [3.2, 1.8] },
  ],
  lr: 0.01,
};

/** A valley with a shallow local minimum (w₁ ≈ 0.93), a saddle (w₁ ≈ 0.13) and the global minimum (w₁ ≈ −1.06). */
export const LOCAL_MIN: Surface = {
  id: 'localmin',
  name: 'a local minimum beside a deeper one',
  formula: 'L = w₁⁴ − 2w₁² + w₁/2 + w₂²',
  loss: (w1, w2) => {
    const w1sq = square(w1);
    return add(add(square(w1sq), scale(w1sq, -2)), add(scale(w1, 0.5), square(w2)));
  },
  xRange: [-1.8, 2.2],
  yRange: [-1.3, 1.3],
  presets: [{ label: 'right slope', at: [2, 1] }, { label: 'the saddle', at: [0.13, 0] }, { label: 'left slope', at: [-1.7, 1] }],
  lr: 0.05,
};

export const SURFACES: readonly Surface[] = [NET111, HIMMELBLAU, LOCAL_MIN];

/** ½(w₁² + κw₂²): an elongated convex bowl, curvature κ times larger along w₂ than along w₁. */
export function bowl(kappa: number): Surface {
  return {
    id: `bowl${kappa}`,
    name: `an elongated bowl (κ = ${kappa})`,
    formula: `L = ½(w₁² + ${kappa}·w₂²)`,
    loss: (w1, w2) => add(scale(square(w1), 0.5), scale(square(w2), kappa / 2)),
    xRange: [-11, 3],
    yRange: [-1.3, 1.3],
    presets: [{ label: '(−10, 1)', at: [-10, 1] }],
    lr: 1.9 / kappa,
  };
}

/** w₁⁴ + w₁³ + w₂²: the origin is a saddle point (flat along w₁, lower just left of it); the minimum is at w₁ = −3/4. */
export const FLAT_SADDLE: Surface = {
  id: 'saddle',
  name: 'a flat saddle before the minimum',
  formula: 'L = w₁⁴ + w₁³ + w₂²',
  loss: (w1, w2) => {
    const w1sq = square(w1);
    return add(add(square(w1sq), mul(w1sq, w1)), square(w2));
  },
  xRange: [-1.2, 1.3],
  yRange: [-1.2, 1.3],
  presets: [{ label: '(1, 1)', at: [1, 1] }],
  lr: 0.05,
};

/** A program that evaluates a surface on the (n+1)×(n+1) grid of a contour map in one run. */
export class SurfaceGrid {
  private constructor(private prog: slope.Program, readonly n: number, readonly w1: Float32Array, readonly w2: Float32Array) {}

  /** The grid points, row by row (w₂ fixed along a row), as contourPlot visits them. */
  static points(xRange: [number, number], yRange: [number, number], n: number): { w1: Float32Array; w2: Float32Array } {
    const m = (n + 1) * (n + 1);
    const w1 = new Float32Array(m), w2 = new Float32Array(m);
    for (let j = 0; j <= n; j++) {
      for (let i = 0; i <= n; i++) {
        w1[j * (n + 1) + i] = xRange[0] + ((xRange[1] - xRange[0]) * i) / n;
        w2[j * (n + 1) + i] = yRange[0] + ((yRange[1] - yRange[0]) * j) / n;
      }
    }
    return { w1, w2 };
  }

  static async create(engine: slope.Engine, loss: (w1: Tensor, w2: Tensor) => Tensor, xRange: [number, number], yRange: [number, number], n: number): Promise<SurfaceGrid> {
    const { w1, w2 } = SurfaceGrid.points(xRange, yRange, n);
    const g = new slope.Graph();
    const out = loss(g.input('w1', [w1.length]), g.input('w2', [w2.length]));
    const prog = await engine.compile(g, { outputs: { loss: out } });
    return new SurfaceGrid(prog, n, w1, w2);
  }

  /** The loss at every grid point, row by row. */
  async values(): Promise<Float64Array> {
    await this.prog.run({ w1: this.w1, w2: this.w2 });
    return Float64Array.from(await this.prog.read('loss'));
  }

  dispose(): void {
    this.prog.dispose();
  }
}
