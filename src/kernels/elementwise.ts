/**
 * Lowerings of the elementwise ops onto shaders/elementwise.wgsl (+ activation.wgsl). Variants:
 * x1 (one element per thread) and x8 (eight consecutive elements per thread, the default on
 * software adapters, where per-invocation overhead dominates).
 */
import familySource from '../../shaders/elementwise.wgsl';
import activation from '../../shaders/activation.wgsl';
import { ACTIVATIONS, BINARY_KINDS } from '../ops/index.js';
import { forcedVariant, groups, kernel, withCommon, type Launch, type LowerContext,
  type LoweringTable } from './spec.js';
import type { OpCall } from '../backend/types.js';

const source = withCommon(familySource, activation);
const WG = 256;
const P = [['n', 'u32'], ['alpha', 'f32'], ['beta', 'f32'], ['pad', 'u32']] as const;
const CP = [['n', 'u32'], ['pad0', 'u32'], ['pad1', 'u32'], ['pad2', 'u32']] as const;
const BP = ['n', 'd1', 'd2', 'd3', 'sa0', 'sa1', 'sa2', 'sa3', 'sb0', 'sb1', 'sb2',
  'sb3'].map((k) => [k, 'u32'] as const);

export const ELEMENTWISE = {
  unary: kernel('elementwise', source, 'unary', ['read', 'read_write'], P),
  unaryDeriv2: kernel('elementwise', source, 'unary_deriv2', ['read', 'read_write'], P),
  scale: kernel('elementwise', source, 'scale', ['read', 'read_write'], P),
  copy: kernel('elementwise', source, 'copy', ['read', 'read_write'], CP),
  addInto: kernel('elementwise', source, 'add_into', ['read', 'read_write'], CP),
  unaryGrad: kernel('elementwise', source, 'unary_grad', ['read', 'read', 'read_write'], P),
  binarySame: kernel('elementwise', source, 'binary_same', ['read', 'read', 'read_write'], P),
  binary: kernel('elementwise', source, 'binary', ['read', 'read', 'read_write'], BP),
  broadcast: kernel('elementwise', source, 'broadcast', ['read', 'read_write'], BP),
  oneHot: kernel('elementwise', source, 'one_hot', ['read', 'read_write'],
    [['n', 'u32'], ['classes', 'u32'], ['pad0', 'u32'], ['pad1', 'u32']]),
};

/** Broadcast strides of `shape` inside the 4-d padded output shape (0 on broadcast dims). */
function broadcastParams(shape: readonly number[], out: readonly number[], prefix: 'sa' | 'sb'): Record<string,
  number> {
  const o4 = [...Array(4 - out.length).fill(1), ...out];
  const s4 = [...Array(4 - shape.length).fill(1), ...shape];
  const st = [0, 0, 0, 0];
  let acc = 1;
  for (let d = 3; d >= 0; d--) {
    st[d] = s4[d] === 1 && o4[d] !== 1 ? 0 : acc;
    acc *= s4[d];
  }
  const r: Record<string, number> = {};
  st.forEach((v, d) => { r[`${prefix}${d}`] = v; });
  return r;
}

function outDims(out: readonly number[]) {
  const o4 = [...Array(4 - out.length).fill(1), ...out];
  return { d1: o4[1], d2: o4[2], d3: o4[3] };
}

export const ELEMENTWISE_VARIANTS = ['x1', 'x8'] as const;
const EPT: Record<string, number> = { x1: 1, x8: 8 };

/** Elements per thread: the forced variant, else the device profile's. */
function elementsPerThread(ctx: LowerContext): number {
  const forced = forcedVariant(ctx, 'elementwise');
  if (forced === undefined) return ctx.profile.elementwisePerThread;
  const e = EPT[forced];
  if (!e) throw new Error(`unknown elementwise variant '${forced}' (expected ${ELEMENTWISE_VARIANTS.join(', ')})`);
  return e;
}

type K = (typeof ELEMENTWISE)[keyof typeof ELEMENTWISE];

/** One launch over the output's elements (inputs, then outputs, bound in order). */
export function flat(call: OpCall, ctx: LowerContext, k: K, params: Record<string, number>, overrides: Record<string,
  number> = {}): Launch[] {
  const n = call.outputs[0].length;
  if (!n) return [];
  const ept = elementsPerThread(ctx);
  return [{
    kernel: k, buffers: [...call.inputs, ...call.outputs], params: { n, pad: 0, alpha: 0, beta: 0, ...params },
    overrides: { ...overrides, EPT: ept }, workgroups: groups(n, WG * ept),
  }];
}

const noPad = { pad0: 0, pad1: 0, pad2: 0 };

export const ELEMENTWISE_LOWERINGS = {
  unary: (c, ctx) => flat(c, ctx, ELEMENTWISE.unary, { alpha: c.attrs.alpha, beta: c.attrs.beta },
    { OP: ACTIVATIONS[c.attrs.kind].code }),
  unary_grad: (c, ctx) => flat(c, ctx, ELEMENTWISE.unaryGrad, { alpha: c.attrs.alpha, beta: c.attrs.beta },
    { OP: ACTIVATIONS[c.attrs.kind].code }),
  unary_deriv2: (c, ctx) => flat(c, ctx, ELEMENTWISE.unaryDeriv2, { alpha: c.attrs.alpha, beta: c.attrs.beta },
    { OP: ACTIVATIONS[c.attrs.kind].code }),
  scale: (c, ctx) => flat(c, ctx, ELEMENTWISE.scale, { alpha: c.attrs.alpha, beta: c.attrs.beta }),
  copy: (c, ctx) => flat(c, ctx, ELEMENTWISE.copy, noPad),
  detach: (c, ctx) => flat(c, ctx, ELEMENTWISE.copy, noPad),
  /** out += x in place: inputs [x], outputs [out] (out is read too). */
  add_into: (c, ctx) => flat(c, ctx, ELEMENTWISE.addInto, noPad),
  one_hot: (c, ctx) => flat(c, ctx, ELEMENTWISE.oneHot, { classes: c.attrs.classes, pad0: 0, pad1: 0 }),
  binary(c, ctx) {
    const [a, b] = c.inputs;
    const out = c.outputs[0];
    const OP = BINARY_KINDS.indexOf(c.attrs.kind);
    if (a.length === out.length && b.length === out.length) return flat(c, ctx, ELEMENTWISE.binarySame, {}, { OP });
    return flat(c, ctx, ELEMENTWISE.binary, {
      ...outDims(out.shape), ...broadcastParams(a.shape, out.shape, 'sa'), ...broadcastParams(b.shape, out.shape, 'sb'),
    }, { OP });
  },
  broadcast(c, ctx) {
    const out = c.outputs[0];
    return flat(c, ctx, ELEMENTWISE.broadcast, {
      ...outDims(out.shape), ...broadcastParams(c.inputs[0].shape, out.shape, 'sa'), sb0: 0, sb1: 0, sb2: 0, sb3: 0,
    });
  },
} satisfies Partial<LoweringTable>;
