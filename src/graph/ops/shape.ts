/** Shape helpers shared by op builders: broadcasting, axis normalisation, messages. */
import { ShapeError, fmtShape } from '../../errors.js';
import type { Tensor } from '../tensor.js';

/** NumPy/PyTorch broadcasting of two shapes (right-aligned); throws naming the op. */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const da = a[a.length - r + i] ?? 1;
    const db = b[b.length - r + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast together (dimension ${i}: ${da} vs ${db})`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** A possibly negative axis turned into 0..rank-1, or a ShapeError. */
export function normAxis(op: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= Math.max(rank, 1)) {
    throw new ShapeError(`${op}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function requireF32(op: string, ...ts: Tensor[]): void {
  for (const t of ts) {
    if (t.dtype !== 'f32') throw new ShapeError(`${op}: expected a float32 tensor, got ${t.dtype} for ${t}`);
  }
}

export function sameGraph(op: string, ...ts: Tensor[]): void {
  for (const t of ts) {
    if (t.graph !== ts[0].graph) throw new ShapeError(`${op}: tensors come from different graphs`);
  }
}
