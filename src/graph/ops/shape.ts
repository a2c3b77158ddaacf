/** Shape helpers shared by op builders: axis normalisation, graph checks; broadcasting is in src/ops. */
import { ShapeError } from '../../errors.js';
import type { Tensor } from '../tensor.js';

export { broadcastShapes, sameShape, requireF32 } from '../../ops/index.js';

/** A possibly negative axis turned into 0..rank-1, or a ShapeError. */
export function normAxis(op: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= Math.max(rank, 1)) {
    throw new ShapeError(`${op}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}

export function sameGraph(op: string, ...ts: Tensor[]): void {
  for (const t of ts) {
    if (t.graph !== ts[0].graph) throw new ShapeError(`${op}: tensors come from different graphs`);
  }
}
