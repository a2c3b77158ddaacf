/**
 * The one activation table: every pointwise function the `unary` op and the matmul epilogue
 * compute, with the code that shaders/activation.wgsl switches on. Codes are part of the WGSL
 * contract: the table is the only place that numbers them.
 *
 * `deriv`: which tensor f' is computed from — the op's output (cheaper, and what a fused
 * epilogue has at hand) or its input. `epilogue`: the matmul epilogue may apply it.
 * Two scalar parameters travel with every call (`alpha`, `beta` in the op's attributes); what
 * they mean per activation is in `params`: the names the builders take for them and PyTorch's
 * defaults (leaky_relu's negative slope; softplus's β and threshold).
 */
export interface ActivationDef {
  readonly code: number;
  readonly deriv: 'output' | 'input';
  readonly epilogue: boolean;
  /** The names and defaults of the parameters carried in alpha and beta. */
  readonly params?: readonly [alpha: readonly [string, number], beta?: readonly [string, number]];
}

export const ACTIVATIONS = {
  none: { code: 0, deriv: 'output', epilogue: true },
  relu: { code: 1, deriv: 'output', epilogue: true },
  leaky_relu: { code: 2, deriv: 'input', epilogue: true, params: [['alpha', 0.01]] },
  /** PyTorch's nn.GELU(): x·Φ(x), Φ the normal distribution function (erf form). */
  gelu: { code: 13, deriv: 'input', epilogue: true },
  /** nn.GELU(approximate='tanh'): ½x(1 + tanh(√(2/π)(x + 0.044715x³))). */
  gelu_tanh: { code: 3, deriv: 'input', epilogue: true },
  sigmoid: { code: 4, deriv: 'output', epilogue: true },
  tanh: { code: 5, deriv: 'output', epilogue: true },
  exp: { code: 6, deriv: 'output', epilogue: false },
  log: { code: 7, deriv: 'input', epilogue: false },
  neg: { code: 8, deriv: 'input', epilogue: false },
  square: { code: 9, deriv: 'input', epilogue: false },
  sqrt: { code: 10, deriv: 'output', epilogue: false },
  abs: { code: 11, deriv: 'input', epilogue: false },
  softplus: { code: 12, deriv: 'input', epilogue: true, params: [['beta', 1], ['threshold', 20]] },
} as const satisfies Record<string, ActivationDef>;

export type Activation = keyof typeof ACTIVATIONS;
/** The functions `unary` computes (every activation but the identity). */
export type UnaryKind = Exclude<Activation, 'none'>;
export const UNARY_KINDS = (Object.keys(ACTIVATIONS) as Activation[]).filter((k): k is UnaryKind => k !== 'none');
/** Activations the matmul epilogue can apply after the bias. */
export const EPILOGUE_ACTS = (Object.keys(ACTIVATIONS) as Activation[]).filter((k) => ACTIVATIONS[k].epilogue);

export function isActivation(k: string): k is Activation {
  return Object.prototype.hasOwnProperty.call(ACTIVATIONS, k);
}

/** (alpha, beta) of a call: the parameters given by name, else their defaults; 0 where there is none. */
export function actParams(kind: Activation, given: Readonly<Record<string, number | undefined>> = {}): { alpha: number;
  beta: number } {
  const p: ActivationDef['params'] = (ACTIVATIONS[kind] as ActivationDef).params;
  const value = (q: readonly [string, number] | undefined) => (q ? given[q[0]] ?? q[1] : 0);
  return { alpha: value(p?.[0]), beta: value(p?.[1]) };
}
