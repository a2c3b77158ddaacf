/**
 * Persistent device memory for parameters, their gradients and variables. Parameters placed
 * together live contiguously in one chunk (the "parameter arena"), and their gradients in a
 * twin chunk with the same offsets, so an optimizer updates all of them in one dispatch.
 */
import { ArgumentError, LimitError, fmtShape } from '../errors.js';
import type { Backend, HostArray, Storage, View } from '../backend/types.js';
import { view } from '../backend/types.js';
import type { Parameter, Variable } from './tensor.js';

export interface ParamChunk {
  readonly id: number;
  readonly params: Storage;
  grads: Storage | null;
  /** Parameters in arena order with their element offsets. */
  readonly entries: readonly { param: Parameter; offset: number }[];
  /** Elements in the chunk, alignment padding included. */
  readonly length: number;
}

export class ParamStore {
  readonly chunks: ParamChunk[] = [];
  private where = new Map<Parameter, { chunk: ParamChunk; offset: number }>();
  private vars = new Map<Variable, Storage>();

  constructor(private backend: Backend) {}

  has(p: Parameter): boolean {
    return this.where.has(p);
  }

  /** Place parameters not yet on the device, contiguously, in a new chunk; upload their values. */
  async place(params: readonly Parameter[]): Promise<void> {
    const todo = [...new Set(params)].filter((p) => !this.where.has(p));
    if (!todo.length) return;
    const names = new Set<string>();
    for (const p of [...this.where.keys(), ...todo]) {
      if (names.has(p.name))
        throw new ArgumentError(`two different parameters are named '${p.name}'; parameter names must be unique`);
      names.add(p.name);
    }
    for (const p of todo) {
      const bytes = p.size * 4;
      if (bytes > this.backend.limits.maxBindingBytes) {
        throw new LimitError(
          `parameter '${p.name}' ${fmtShape(p.shape)} takes ${(bytes / 2 ** 20).toFixed(0)} MiB, above the largest ` +
            `tensor ` +
          `this device binds (${(this.backend.limits.maxBindingBytes / 2 ** 20).toFixed(0)} MiB): make the layer ` +
            `smaller`,
        );
      }
    }
    const align = this.backend.limits.offsetAlignElems;
    let off = 0;
    const entries: { param: Parameter; offset: number }[] = [];
    for (const p of todo) {
      entries.push({ param: p, offset: off });
      off += Math.ceil(Math.max(p.size, 1) / align) * align;
    }
    const storage = await this.backend.alloc(`parameters[${this.chunks.length}]`, off);
    const chunk: ParamChunk = { id: this.chunks.length, params: storage, grads: null, entries, length: off };
    this.chunks.push(chunk);
    for (const e of entries) {
      this.where.set(e.param, { chunk, offset: e.offset });
      if (e.param.size) this.backend.write(this.view(e.param), e.param.data);
    }
  }

  chunkOf(p: Parameter): ParamChunk {
    const w = this.where.get(p);
    if (!w)
      throw new ArgumentError(`parameter '${p.name}' is not on this engine (compile a program that uses it first)`);
    return w.chunk;
  }

  view(p: Parameter): View {
    const w = this.where.get(p);
    if (!w)
      throw new ArgumentError(`parameter '${p.name}' is not on this engine (compile a program that uses it first)`);
    return view(w.chunk.params, w.offset, p.shape, 'f32', p.name);
  }

  async gradView(p: Parameter): Promise<View> {
    const chunk = this.chunkOf(p);
    if (!chunk.grads) chunk.grads = await this.backend.alloc(`gradients[${chunk.id}]`, chunk.length);
    const w = this.where.get(p)!;
    return view(chunk.grads, w.offset, p.shape, 'f32', `grad(${p.name})`);
  }

  /** A view of a whole chunk (all parameters and the padding between them). */
  chunkView(chunk: ParamChunk, which: 'params' | 'grads'): View {
    const s = which === 'params' ? chunk.params : chunk.grads;
    if (!s) throw new Error(`internal: chunk ${chunk.id} has no gradient storage`);
    return view(s, 0, [chunk.length], 'f32', `${which}[${chunk.id}]`);
  }

  async variable(v: Variable): Promise<View> {
    let s = this.vars.get(v);
    if (!s) {
      s = await this.backend.alloc(`variable '${v.name}'`, Math.max(1, v.size), v.dtype);
      this.vars.set(v, s);
      if (v.size) this.backend.write(view(s, 0, v.shape, v.dtype, v.name), v.data);
    }
    return view(s, 0, v.shape, v.dtype, v.name);
  }

  hasVariable(v: Variable): boolean {
    return this.vars.has(v);
  }

  async read(p: Parameter | Variable): Promise<Float32Array | Int32Array> {
    const v = 'dtype' in p ? await this.variable(p) : this.view(p);
    const data = await this.backend.read(v);
    return data instanceof Float64Array ? Float32Array.from(data) : data;
  }

  write(p: Parameter | Variable, data: HostArray | readonly number[]): void {
    if (data.length !== p.size) {
      throw new ArgumentError(`writing '${p.name}': got ${data.length} values, shape ${fmtShape(p.shape)} needs ` +
        `${p.size}`);
    }
    if ('dtype' in p) {
      const s = this.vars.get(p);
      if (!s) {
        p.data = p.dtype === 'f32' ? Float32Array.from(data) : Int32Array.from(data);
        return;
      }
      this.backend.write(view(s, 0, p.shape, p.dtype, p.name), data);
      return;
    }
    if (!this.where.has(p)) {
      p.data = Float32Array.from(data);
      return;
    }
    this.backend.write(this.view(p), data);
  }
}
