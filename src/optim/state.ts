/**
 * Optimizer state export and restore (PyTorch's state_dict / load_state_dict): the step count,
 * every group's options, and each parameter's state tensors by parameter name, copied exactly
 * (Float32Array from the GPU, Float64Array from the cpu backend). Loading validates the whole
 * dict first (group sizes, parameter names, state names, lengths) and changes nothing when any
 * of it is wrong; the error names the first mismatch.
 */
import { ArgumentError, fmtShape } from '../errors.js';
import { view, type HostArray } from '../backend/types.js';
import type { Parameter } from '../graph/tensor.js';
import { py, type OptionValue } from './options.js';
import type { Optimizer } from './optimizer.js';

export interface OptimizerStateDict {
  /** Updates applied (PyTorch's state['step']). */
  step: number;
  /** Each group's options and its parameters' names, in order. */
  groups: ({ params: string[] } & Record<string, OptionValue | string[]>)[];
  /** Per parameter name: its state tensors (exp_avg, exp_avg_sq, momentum_buffer, sum, …). */
  state: Record<string, Record<string, HostArray>>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyOptimizer = Optimizer<any>;

function describeShape(p: Parameter): string {
  return `'${p.name}' ${fmtShape(p.shape)}`;
}

export async function exportState(opt: AnyOptimizer, step: number): Promise<OptimizerStateDict> {
  const groups = opt.paramGroups.map((g) => {
    const { params, ...options } = g as { params: readonly Parameter[] } & Record<string, OptionValue>;
    const copy: Record<string, OptionValue | string[]> = { params: params.map((p) => p.name) };
    for (const [k, v] of Object.entries(options)) copy[k] = Array.isArray(v) ? [v[0], v[1]] as const : v;
    return copy as OptimizerStateDict['groups'][number];
  });
  const state: OptimizerStateDict['state'] = {};
  for (const st of opt.chunkStates.values()) {
    if (!st.planes.length) continue;
    const L = st.chunk.length;
    const all = await opt.backend!.read(view(st.storage, 0, [st.planes.length * L], 'f32', st.storage.label));
    for (const e of st.chunk.entries) {
      const gi = opt.groupOf.get(e.param);
      if (gi === undefined) continue;
      const rec: Record<string, HostArray> = {};
      for (const k of opt.stateKeys(opt.paramGroups[gi])) {
        const at = st.planes.indexOf(k) * L + e.offset;
        rec[k] = all.slice(at, at + e.param.size);
      }
      if (Object.keys(rec).length) state[e.param.name] = rec;
    }
  }
  for (const [name, rec] of opt.pending) state[name] = copyRecord(rec);
  return { step, groups, state };
}

function copyRecord(rec: Record<string, ArrayLike<number>>): Record<string, HostArray> {
  const out: Record<string, HostArray> = {};
  for (const [k,
    a] of Object.entries(rec)) out[k] = a instanceof Float32Array
      || a instanceof Float64Array ? a.slice() : Float64Array.from(a);
  return out;
}

function checkGroups(opt: AnyOptimizer, sd: OptimizerStateDict): object[] {
  const where = `${opt.name}.loadStateDict`;
  if (!Array.isArray(sd.groups) || sd.groups.length !== opt.paramGroups.length) {
    throw new ArgumentError(`${where}: loaded state dict has a different number of parameter groups ` +
      `(${Array.isArray(sd.groups) ? sd.groups.length : py(sd.groups)} in the dict, ${opt.paramGroups.length} in ` +
        `this optimizer)`);
  }
  return sd.groups.map((g, gi) => {
    const ours = opt.paramGroups[gi].params.map((p: Parameter) => p.name);
    const names = g?.params;
    if (!Array.isArray(names) || names.length !== ours.length) {
      throw new ArgumentError(`${where}: loaded state dict contains a parameter group that doesn't match the size of ` +
        `optimizer's group (group ${gi}: ${Array.isArray(names) ? names.length : 'no'} parameters in the dict, ` +
          `${ours.length} here)`);
    }
    names.forEach((n, i) => {
      if (n !== ours[i])
        throw new ArgumentError(`${where}: group ${gi}, parameter ${i} is '${String(n)}' in the dict but ` +
          `'${ours[i]}' in this optimizer`);
    });
    const { params: _p, ...rest } = g;
    return opt.validateLoaded(rest, gi);
  });
}

function checkState(opt: AnyOptimizer, sd: OptimizerStateDict, options: object[]): void {
  const where = `${opt.name}.loadStateDict`;
  const byName = new Map<string, Parameter>([...opt.groupOf.keys()].map((p) => [p.name, p]));
  if (!sd.state || typeof sd.state !== 'object') throw new ArgumentError(`${where}: the dict has no 'state' object`);
  for (const [name, rec] of Object.entries(sd.state)) {
    const p = byName.get(name);
    if (!p)
      throw new ArgumentError(`${where}: state for unknown parameter '${name}' (this optimizer's parameters: ` +
        `${[...byName.keys()].join(', ')})`);
    const gi = opt.groupOf.get(p)!;
    const keys = opt.stateKeys(options[gi]);
    for (const k of keys) {
      if (!rec || !(k in rec))
        throw new ArgumentError(`${where}: parameter ${describeShape(p)} has no state '${k}' (its group keeps: ` +
          `${keys.join(', ')})`);
    }
    for (const [k, a] of Object.entries(rec)) {
      if (!keys.includes(k))
        throw new ArgumentError(`${where}: parameter ${describeShape(p)} has unexpected state '${k}' (its group ` +
          `keeps: ${keys.join(', ') || 'nothing'})`);
      const ok = a && typeof a === 'object' && typeof (a as ArrayLike<number>).length === 'number';
      if (!ok || (a as ArrayLike<number>).length !== p.size) {
        throw new ArgumentError(`${where}: state '${k}' of parameter ${describeShape(p)} has ` +
          `${ok ? (a as ArrayLike<number>).length : 'no'} values, expected ${p.size}`);
      }
    }
  }
}

/** Validate all of sd, then load it; returns the step count to resume from. */
export function importState(opt: AnyOptimizer, sd: OptimizerStateDict): number {
  const where = `${opt.name}.loadStateDict`;
  if (!sd || typeof sd !== 'object')
    throw new ArgumentError(`${where}: expected a dict from stateDict(), got ${py(sd)}`);
  if (!Number.isSafeInteger(sd.step) || sd.step < 0)
    throw new ArgumentError(`${where}: step must be a non-negative integer, got ${py(sd.step)}`);
  const options = checkGroups(opt, sd);
  checkState(opt, sd, options);
  options.forEach((o, gi) => opt.checkPlanes(o, gi));
  options.forEach((o, gi) => Object.assign(opt.paramGroups[gi], o));
  const from = new Map(Object.entries(sd.state).map(([n, rec]) => [n, copyRecord(rec)] as const));
  const placed = new Set<string>();
  for (const st of opt.chunkStates.values()) {
    opt.fillChunk(st, from);
    for (const e of st.chunk.entries) placed.add(e.param.name);
  }
  opt.pending = new Map([...from].filter(([n]) => !placed.has(n)));
  return sd.step;
}
